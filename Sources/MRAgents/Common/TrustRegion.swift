import MRNeural

/// What conjugate gradient found.
public struct ConjugateGradientResult: Sendable {
    /// The approximate solution of A x = b.
    public var solution: Parameters
    /// ‖b − A x‖ of the returned solution (CG's own recursively updated residual).
    public var residualNorm: Double
    /// Products with A taken.
    public var iterations: Int
    /// True when some direction p had pᵀAp ≤ 0 (or not finite): A is not positive definite there,
    /// so the iteration stopped and returned the solution built before that direction.
    public var nonPositiveCurvature: Bool
}

/// Conjugate gradient for A x = b with A symmetric positive definite, given only x ↦ A x
/// (Hestenes–Stiefel; TRPO's solver, as in pytorch-maml-rl's `conjugate_gradient`).
///
/// Starts at x = 0 and stops after `iterations` products, when ‖r‖² < `residualTolerance`, or at a
/// direction of non-positive curvature (pᵀAp ≤ 0), where the update α = rᵀr / pᵀAp would be
/// meaningless; the result then says so, and holds the iterate before that direction (x = 0 if
/// it was the first). Vectors are parameter sets, so any network's shapes work unflattened.
public func conjugateGradient(_ apply: (Parameters) throws -> Parameters, _ b: Parameters, iterations: Int,
                              residualTolerance: Double = 1e-10) rethrows -> ConjugateGradientResult {
    var x = b.zerosLike()
    var r = b.detached, p = b.detached
    var rr = r.dotValue(r)
    var products = 0, nonPositive = false
    for _ in 0..<iterations where rr >= residualTolerance {
        let z = try apply(p).detached
        products += 1
        let pz = p.dotValue(z)
        guard pz > 0, pz.isFinite else { nonPositive = true; break }
        let alpha = rr / pz
        x.combine(scale: 1, with: p, scale: alpha)
        r.combine(scale: 1, with: z, scale: -alpha)
        let next = r.dotValue(r)
        p.combine(scale: next / rr, with: r, scale: 1)
        rr = next
    }
    return ConjugateGradientResult(solution: x, residualNorm: rr.squareRoot(), iterations: products, nonPositiveCurvature: nonPositive)
}

/// The trust-region settings of a TRPO step (Schulman et al. 2015).
public struct TrustRegionSettings: Sendable, Equatable {
    /// δ: the largest mean KL divergence a step may cause.
    public var maxKL: Double
    /// λ added to the Fisher-vector product, (F + λI)v, so CG sees a positive definite matrix.
    public var damping: Double
    /// Conjugate-gradient iterations.
    public var cgIterations: Int
    /// Backtracking steps of the line search (the step fraction goes 1, r, r², …).
    public var lineSearchSteps: Int
    /// r, the backtracking ratio.
    public var backtrackRatio: Double

    public init(maxKL: Double, damping: Double, cgIterations: Int, lineSearchSteps: Int, backtrackRatio: Double) {
        self.maxKL = maxKL; self.damping = damping; self.cgIterations = cgIterations
        self.lineSearchSteps = lineSearchSteps; self.backtrackRatio = backtrackRatio
    }
}

/// What one TRPO step did.
public struct TrustRegionStep: Sendable {
    /// Whether the line search found a point that lowers the loss within the KL limit.
    public var accepted = false
    /// The fraction of the maximal step taken (1, r, r², …; 0 when rejected).
    public var stepFraction = 0.0
    /// Line-search evaluations made.
    public var lineSearchEvaluations = 0
    /// The loss at the start.
    public var lossBefore = 0.0
    /// The loss at the returned parameters (= `lossBefore` when rejected).
    public var lossAfter = 0.0
    /// The mean KL at the returned parameters (0 when rejected).
    public var klAfter = 0.0
    /// CG's final residual norm.
    public var cgResidual = 0.0
    /// CG met a direction of non-positive curvature (see `conjugateGradient`).
    public var nonPositiveCurvature = false
    /// lossBefore − lossAfter: positive when the surrogate improved.
    public var improvement: Double { lossBefore - lossAfter }
}

/// One TRPO step from θ on a loss to minimise: the natural-gradient direction s = (F + λI)⁻¹g by
/// conjugate gradient, scaled to the trust region's edge (½ sᵀ(F + λI)s · β² = δ), then a
/// backtracking line search θ − rᵏβs, k = 0…steps−1, that accepts the first point whose loss is
/// below the start's and whose mean KL is at most δ. If none qualifies, or CG found no usable
/// direction (non-positive curvature, a zero or non-finite step), θ is returned unchanged.
///
/// - Parameters:
///   - gradient: ∇loss(θ).
///   - fisherVectorProduct: v ↦ F v, the Hessian of the mean KL at θ (without damping).
///   - evaluate: (loss, mean KL from the policy at θ) at a candidate.
public func trustRegionStep(from theta: Parameters, lossBefore: Double, gradient g: Parameters, settings s: TrustRegionSettings,
                            fisherVectorProduct: (Parameters) -> Parameters,
                            evaluate: (Parameters) -> (loss: Double, kl: Double)) -> (parameters: Parameters, step: TrustRegionStep) {
    var step = TrustRegionStep()
    step.lossBefore = lossBefore; step.lossAfter = lossBefore
    func damped(_ v: Parameters) -> Parameters {
        var fv = fisherVectorProduct(v).detached
        fv.combine(scale: 1, with: v, scale: s.damping)
        return fv
    }
    let cg = conjugateGradient(damped, g, iterations: s.cgIterations)
    step.cgResidual = cg.residualNorm
    step.nonPositiveCurvature = cg.nonPositiveCurvature
    let direction = cg.solution
    let shs = 0.5 * direction.dotValue(damped(direction))
    guard shs > 0, shs.isFinite else { step.nonPositiveCurvature = true; return (theta, step) }
    let beta = (s.maxKL / shs).squareRoot()
    var fraction = 1.0
    for _ in 0..<s.lineSearchSteps {
        var candidate = theta.detached
        candidate.combine(scale: 1, with: direction, scale: -fraction * beta)
        let (loss, kl) = evaluate(candidate)
        step.lineSearchEvaluations += 1
        if loss < lossBefore, kl <= s.maxKL, loss.isFinite, kl.isFinite {
            step.accepted = true; step.stepFraction = fraction; step.lossAfter = loss; step.klAfter = kl
            return (candidate, step)
        }
        fraction *= s.backtrackRatio
    }
    return (theta, step)
}
