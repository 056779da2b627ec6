import MRCore
import MRNeural

/// MAML's policy: a tanh MLP giving the mean of a diagonal Gaussian whose log σ is a
/// state-independent parameter (floored at log 1e-6), as pytorch-maml-rl's `NormalMLPPolicy` and
/// Meta-World+'s MAML policy. Weights Xavier-uniform, biases zero, log σ starts at the config's.
struct MAMLNetwork: Sendable {
    let observationSize: Int
    let actionSize: Int
    let mlp: MLP
    static let minLogStd = -13.815_510_557_964_274   // log 1e-6

    init(observationSize: Int, actionSize: Int, hiddenSizes: [Int]) {
        self.observationSize = observationSize
        self.actionSize = actionSize
        mlp = MLP("policy", sizes: [observationSize] + hiddenSizes + [actionSize], activation: .tanh)
    }

    func initialParameters(initialLogStd: Double, dtype: DType = .float32, using g: inout SeededGenerator) -> Parameters {
        var p = Parameters()
        for l in mlp.layers { p = p.merging(l.initialParameters(weightInit: .xavierUniform(gain: 1), biasValue: 0, dtype: dtype, using: &g)) }
        return p.merging(Parameters([("logStd", Tensor(repeating: initialLogStd, shape: [actionSize], dtype: dtype))]))
    }

    /// π_p(· | observations) for observations [N, O]. log σ is broadcast to [N, A] once, so the
    /// log-density and KL (and their derivatives of every order) run on equal shapes: the tape's
    /// broadcasting kernels are several times slower than its same-shape ones.
    func distribution(_ p: Parameters, _ observations: Tensor) -> DiagonalGaussian {
        let mean = mlp(p, observations)
        return DiagonalGaussian(mean: mean, logStd: p["logStd"].clamped(min: Self.minLogStd, max: .greatestFiniteMagnitude).broadcast(to: mean.shape))
    }
}

/// One task's episodes of one phase as the losses use them: every step's observation, (unclipped)
/// action, normalised advantage, and weight 1/(episode length × episodes), so Σ weight·x is
/// pytorch-maml-rl's `weighted_mean` (a mean over each episode's steps, then over episodes).
struct PolicyGradientBatch: Sendable {
    let observations: Tensor
    let actions: Tensor
    let advantages: Tensor
    let weights: Tensor

    init(observations: Tensor, actions: Tensor, advantages: Tensor, weights: Tensor) {
        self.observations = observations; self.actions = actions; self.advantages = advantages; self.weights = weights
    }

    /// Advantages by GAE over each episode (no bootstrap after its last step) against a linear
    /// feature baseline fitted to these episodes' discounted returns, then standardised over all steps.
    init(episodes: [(observations: [[Float]], actions: [[Float]], rewards: [Double])], gamma: Double, lambda: Double, dtype: DType = .float32) {
        precondition(!episodes.isEmpty && episodes.allSatisfy { !$0.rewards.isEmpty })
        var baseline = LinearFeatureBaseline(observationSize: episodes[0].observations[0].count)
        baseline.fit(episodes: episodes.map { ($0.observations, discountedReturns($0.rewards, gamma: gamma)) })
        var adv: [Double] = [], w: [Double] = []
        for e in episodes {
            let n = e.rewards.count
            adv += generalizedAdvantages(rewards: e.rewards, values: baseline.predict(e.observations), dones: (0..<n).map { $0 == n - 1 },
                                         lastValue: 0, gamma: gamma, lambda: lambda).advantages
            w += Array(repeating: 1 / (Double(n) * Double(episodes.count)), count: n)
        }
        let obs = episodes.flatMap { $0.observations }, act = episodes.flatMap { $0.actions }
        func tensor(_ rows: [[Float]]) -> Tensor {
            let t = Tensor(floats: rows.flatMap { $0 }, shape: [rows.count, rows[0].count])
            return dtype == .float32 ? t : t.converted(to: dtype)
        }
        func vector(_ v: [Double]) -> Tensor {
            let t = Tensor(doubles: v, shape: [v.count])
            return dtype == .float64 ? t : t.converted(to: dtype)
        }
        self.init(observations: tensor(obs), actions: tensor(act), advantages: vector(standardized(adv)), weights: vector(w))
    }
}

/// One task of an outer update: the inner step's data (episodes of the pre-update policy) and the
/// outer loss's data (episodes of the adapted policy).
struct MAMLTaskBatch: Sendable {
    let adaptation: PolicyGradientBatch
    let validation: PolicyGradientBatch
}

/// The MAML objective on a fixed batch of tasks and the TRPO step on it.
///
/// Inner loss (REINFORCE): L_in(θ) = −Σ w log π_θ(a|s) A. Adapted parameters θ′ = θ − α∇L_in(θ),
/// the gradient built with `createGraph` (exact second order) unless `firstOrder` (FOMAML: the
/// inner gradient is a constant). Outer loss, mean over tasks of the post-update surrogate
/// −Σ w exp(log π_θ′(a|s) − log π_old′(a|s)) A on the validation episodes, where π_old′ is the
/// adapted policy at the step's start; the KL is the mean over tasks of Σ w KL(π_θ′ ‖ π_old′).
/// TRPO's Fisher-vector product is the Hessian of that KL at θ_old, through the inner step
/// (pytorch-maml-rl's `MAMLTRPO.step`).
struct MAMLObjective {
    let net: MAMLNetwork
    let tasks: [MAMLTaskBatch]
    let innerLearningRate: Double
    let firstOrder: Bool
    /// Test hook: θ′ = θ (no inner step), so nothing is meta-learned about adaptation.
    var skipInnerStep = false

    func innerLoss(_ p: Parameters, _ b: PolicyGradientBatch) -> Tensor {
        -((net.distribution(p, b.observations).logProb(b.actions) * b.advantages * b.weights).sum())
    }

    /// θ′ after `steps` inner steps on `b` (each on the same episodes).
    func adapted(_ theta: Parameters, on b: PolicyGradientBatch, steps: Int = 1, createGraph: Bool) -> Parameters {
        guard !skipInnerStep else { return theta }
        var p = theta
        for _ in 0..<steps {
            let g = gradient(at: p, createGraph: createGraph) { innerLoss($0, b) }
            p = p - innerLearningRate * g
        }
        return p
    }

    /// The post-update distributions at θ (untracked): the reference π_old′ of a step.
    func referenceDistributions(_ theta: Parameters) -> [DiagonalGaussian] {
        tasks.map { t in
            let d = net.distribution(adapted(theta.detached, on: t.adaptation, createGraph: false), t.validation.observations)
            return DiagonalGaussian(mean: d.mean.detached, logStd: d.logStd.detached)
        }
    }

    /// (mean surrogate loss, mean KL) at θ against the references; differentiable in θ when
    /// `createGraph` (the inner gradient is then recorded, unless first order).
    func lossAndKL(_ theta: Parameters, reference: [DiagonalGaussian], differentiable: Bool) -> (loss: Tensor, kl: Tensor) {
        var loss: Tensor?, kl: Tensor?
        for (t, old) in zip(tasks, reference) {
            let d = net.distribution(adapted(theta, on: t.adaptation, createGraph: differentiable && !firstOrder), t.validation.observations)
            let v = t.validation
            let ratio = (d.logProb(v.actions) - old.logProb(v.actions)).exp()
            let l = -((ratio * v.advantages * v.weights).sum())
            let k = (d.kl(to: old) * v.weights).sum()
            loss = loss.map { $0 + l } ?? l
            kl = kl.map { $0 + k } ?? k
        }
        let n = 1 / Double(tasks.count)
        return (loss! * n, kl! * n)
    }

    /// The meta-gradient ∇θ of the mean post-update surrogate, and its value.
    func metaGradient(_ theta: Parameters, reference: [DiagonalGaussian]) -> (loss: Double, gradient: Parameters) {
        let (v, g) = valueWithGradient(at: theta) { lossAndKL($0, reference: reference, differentiable: true).loss }
        return (v.scalarValue, g)
    }

    /// v ↦ ∇²KL(θ) v at θ: the KL's gradient is recorded once and differentiated along each v.
    func fisherVectorProduct(at theta: Parameters, reference: [DiagonalGaussian]) -> (Parameters) -> Parameters {
        let vars = theta.mapTensors { $0.tracked() }
        let kl = lossAndKL(vars, reference: reference, differentiable: true).kl
        let gradKL = gradients(of: kl, at: vars.tensors, createGraph: true)
        return { v in
            let dot = Parameters(names: theta.names, tensors: gradKL).dot(v.detached)
            return Parameters(names: theta.names, tensors: gradients(of: dot, at: vars.tensors))
        }
    }

    /// One TRPO step from θ: returns the new parameters and what the step did.
    func trustRegionUpdate(_ theta: Parameters, settings: TrustRegionSettings) -> (parameters: Parameters, step: TrustRegionStep) {
        let reference = referenceDistributions(theta)
        let (loss, g) = metaGradient(theta, reference: reference)
        let fvp = fisherVectorProduct(at: theta, reference: reference)
        return trustRegionStep(from: theta, lossBefore: loss, gradient: g, settings: settings, fisherVectorProduct: fvp) { candidate in
            let (l, k) = lossAndKL(candidate, reference: reference, differentiable: false)
            return (l.scalarValue, k.scalarValue)
        }
    }
}
