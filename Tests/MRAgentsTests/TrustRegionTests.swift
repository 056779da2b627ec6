import MRCore
import MRNeural
import Testing
@testable import MRAgents

/// Conjugate gradient and the TRPO step (Common), on systems whose answers are known.
@Suite("Trust region")
struct TrustRegionTests {
    /// A symmetric matrix as x ↦ A x on a one-tensor parameter set.
    static func operator_(_ a: [Double], _ n: Int) -> (Parameters) -> Parameters {
        { v in
            let x = v["x"].doubles
            let y = (0..<n).map { i in (0..<n).reduce(0.0) { $0 + a[i * n + $1] * x[$1] } }
            return Parameters([("x", Tensor(doubles: y, shape: [n]))])
        }
    }

    static func vector(_ x: [Double]) -> Parameters { Parameters([("x", Tensor(doubles: x, shape: [x.count]))]) }

    @Test func conjugateGradientSolvesASymmetricPositiveDefiniteSystem() throws {
        // A = MᵀM + I (6 × 6, SPD), b random; n iterations solve it exactly up to rounding.
        let n = 6
        var g = SeededGenerator(seed: 4)
        let m = (0..<(n * n)).map { _ in g.normal() }
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { a[i * n + j] = (0..<n).reduce(i == j ? 1.0 : 0.0) { $0 + m[$1 * n + i] * m[$1 * n + j] } } }
        let b = (0..<n).map { _ in g.normal() }
        let exact = try #require(choleskySolve(a, b, n))
        let r = conjugateGradient(Self.operator_(a, n), Self.vector(b), iterations: n)
        let x = r.solution["x"].doubles
        let err = zip(x, exact).map { abs($0 - $1) }.max()!
        print("CG on a 6 × 6 SPD system: max |x − x*| = \(err), residual \(r.residualNorm), \(r.iterations) products")
        #expect(err < 1e-8)
        #expect(!r.nonPositiveCurvature)
        // Fewer iterations leave a larger residual, and it is reported.
        let short = conjugateGradient(Self.operator_(a, n), Self.vector(b), iterations: 2)
        #expect(short.residualNorm > r.residualNorm && short.iterations == 2)
    }

    @Test func conjugateGradientStopsAtNonPositiveCurvature() {
        // A = diag(1, −1, 2), b = e₂: the first direction has pᵀAp = −1.
        let a: [Double] = [1, 0, 0, 0, -1, 0, 0, 0, 2]
        let r = conjugateGradient(Self.operator_(a, 3), Self.vector([0, 1, 0]), iterations: 10)
        #expect(r.nonPositiveCurvature)
        #expect(r.solution["x"].doubles == [0, 0, 0])
        #expect(r.solution.isFinite)
        // The TRPO step refuses to move along such a direction.
        let theta = Self.vector([0.5, 0.5, 0.5])
        let (next, step) = trustRegionStep(from: theta, lossBefore: 1, gradient: Self.vector([0, 1, 0]),
                                           settings: TrustRegionSettings(maxKL: 0.01, damping: 0, cgIterations: 10, lineSearchSteps: 15, backtrackRatio: 0.8),
                                           fisherVectorProduct: Self.operator_(a, 3)) { _ in (0, 0) }
        #expect(step.nonPositiveCurvature && !step.accepted && step.lineSearchEvaluations == 0)
        #expect(next.bitwiseEqual(theta))
    }

    @Test func trustRegionStepOnAQuadraticLandsOnTheTrustRegionsEdge() {
        // loss(θ) = gᵀθ, KL(θ) = ½ θᵀFθ with F SPD: the first candidate has KL exactly δ (up to the
        // damping), the loss falls, and a tighter KL (a wrong Fisher) makes the search backtrack.
        let f: [Double] = [2, 0.5, 0.5, 1]
        let fvp = Self.operator_(f, 2)
        let grad = Self.vector([1, -2])
        let theta = Self.vector([0, 0])
        func kl(_ p: Parameters, scale: Double) -> Double { scale * 0.5 * p.dotValue(fvp(p)) }
        let s = TrustRegionSettings(maxKL: 0.01, damping: 1e-5, cgIterations: 10, lineSearchSteps: 15, backtrackRatio: 0.8)
        let (_, step) = trustRegionStep(from: theta, lossBefore: 0, gradient: grad, settings: s, fisherVectorProduct: fvp) { p in
            (grad.dotValue(p), kl(p, scale: 1))
        }
        #expect(step.accepted && step.stepFraction == 1 && step.improvement > 0)
        #expect(step.klAfter <= 0.01 && step.klAfter > 0.0099)
        let (_, tight) = trustRegionStep(from: theta, lossBefore: 0, gradient: grad, settings: s, fisherVectorProduct: fvp) { p in
            (grad.dotValue(p), kl(p, scale: 2))
        }
        // KL doubles, so the fraction must fall to 0.8ᵏ ≤ 1/√2: k = 2 (0.64).
        #expect(tight.accepted && abs(tight.stepFraction - 0.64) < 1e-12 && tight.klAfter <= 0.01)
    }
}
