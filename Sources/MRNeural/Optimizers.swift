/// Plain stochastic gradient descent, with optional heavy-ball momentum and global-norm clipping:
/// v ← μv + g, θ ← θ − lr·v (μ = 0: θ ← θ − lr·g).
///
/// The optimiser is a value; its state (the velocity) is `Parameters` with the names of θ.
public struct SGD: Sendable {
    /// Step size lr.
    public var learningRate: Double
    /// Momentum coefficient μ (0: plain SGD).
    public var momentum: Double
    /// When set, gradients are scaled to this global norm if larger.
    public var maxGradNorm: Double?
    /// The momentum buffer (nil before the first step or without momentum).
    public private(set) var velocity: Parameters?

    /// An optimiser with the given settings and no state yet.
    public init(learningRate: Double, momentum: Double = 0, maxGradNorm: Double? = nil) {
        self.learningRate = learningRate
        self.momentum = momentum
        self.maxGradNorm = maxGradNorm
    }

    /// One step on `parameters` (in place, untracked) along `gradient`; returns the gradient's global
    /// norm before clipping.
    @discardableResult
    public mutating func update(_ parameters: inout Parameters, along gradient: Parameters) -> Double {
        var g = gradient.detached
        let norm: Double
        if let m = maxGradNorm { (g, norm) = g.clippedByGlobalNorm(m) } else { norm = g.globalNorm() }
        if momentum != 0 {
            if velocity == nil { velocity = g.zerosLike() }
            velocity!.combine(scale: momentum, with: g, scale: 1)
            g = velocity!
        }
        parameters = parameters.detached
        parameters.combine(scale: 1, with: g, scale: -learningRate)
        return norm
    }
}

/// Adam (Kingma & Ba 2015) with bias correction, optional decoupled weight decay (AdamW) and global-
/// norm gradient clipping:
///
///     m ← β₁m + (1−β₁)g,  v ← β₂v + (1−β₂)g²,
///     θ ← θ − lr·(m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + ε) − lr·λ·θ
///
/// This is PyTorch's `torch.optim.Adam` update (AdamW when λ > 0). The state is `Parameters`
/// (`firstMoment`, `secondMoment`) plus the step count, so it can be checkpointed.
public struct Adam: Sendable {
    /// Step size lr.
    public var learningRate: Double
    /// Decay β₁ of the first-moment average.
    public var beta1: Double
    /// Decay β₂ of the second-moment average.
    public var beta2: Double
    /// ε added to √v̂.
    public var epsilon: Double
    /// Decoupled weight decay λ.
    public var weightDecay: Double
    /// When set, gradients are scaled to this global norm if larger.
    public var maxGradNorm: Double?
    /// Number of updates taken.
    public private(set) var step: Int = 0
    /// m, the running mean of gradients (nil before the first step).
    public private(set) var firstMoment: Parameters?
    /// v, the running mean of squared gradients.
    public private(set) var secondMoment: Parameters?

    /// An optimiser with the given settings and no state yet (PyTorch's defaults, lr 3e-4).
    public init(learningRate: Double = 3e-4, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0, maxGradNorm: Double? = nil) {
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.maxGradNorm = maxGradNorm
    }

    /// One step on `parameters` (in place, untracked) along `gradient` (same names and shapes);
    /// returns the gradient's global norm before clipping.
    @discardableResult
    public mutating func update(_ parameters: inout Parameters, along gradient: Parameters) -> Double {
        precondition(parameters.names == gradient.names, "Adam: gradient names differ from the parameters'")
        let norm = gradient.globalNorm()
        var scale = 1.0
        if let m = maxGradNorm, norm > m, norm.isFinite { scale = m / norm }
        if firstMoment == nil || firstMoment!.names != parameters.names {
            firstMoment = parameters.zerosLike().detached
            secondMoment = firstMoment
            step = 0
        }
        step += 1
        let c1 = 1 - Foundationless.pow(beta1, step), c2 = 1 - Foundationless.pow(beta2, step)
        var m = firstMoment!, v = secondMoment!
        firstMoment = nil; secondMoment = nil   // release so m and v are uniquely referenced
        for i in 0..<parameters.count {
            let g = gradient.tensors[i]
            precondition(parameters.tensors[i].shape == g.shape && parameters.tensors[i].dtype == g.dtype,
                         "Adam: gradient of \(parameters.names[i]) has shape \(g.shape), parameter \(parameters.tensors[i].shape)")
            parameters.tensors[i].makeUnique(); m.tensors[i].makeUnique(); v.tensors[i].makeUnique()
            let p = parameters.tensors[i].storage, ms = m.tensors[i].storage, vs = v.tensors[i].storage
            switch g.dtype {
            case .float32:
                adamKernelFloat(p.floats, g.storage.floats, ms.floats, vs.floats, g.count,
                           lr: Float(learningRate), b1: Float(beta1), b2: Float(beta2), eps: Float(epsilon),
                           c1: Float(c1), c2: Float(c2), gscale: Float(scale), decay: Float(weightDecay))
            case .float64:
                adamKernel(p.doubles, g.storage.doubles, ms.doubles, vs.doubles, g.count,
                           lr: learningRate, b1: beta1, b2: beta2, eps: epsilon, c1: c1, c2: c2, gscale: scale, decay: weightDecay)
            }
        }
        firstMoment = m
        secondMoment = v
        return norm
    }

    /// The optimiser state as one parameter set (`"m/<name>"`, `"v/<name>"`, and `"step"`), for checkpoints.
    public var state: Parameters {
        guard let m = firstMoment, let v = secondMoment else { return Parameters([("step", Tensor(scalar: 0, dtype: .float64))]) }
        return m.prefixed("m/").merging(v.prefixed("v/")).merging(Parameters([("step", Tensor(scalar: Double(step), dtype: .float64))]))
    }

    /// Restores a state produced by `state`.
    public mutating func restore(_ s: Parameters) {
        step = Int(s["step"].scalarValue)
        let m = s.filtered(prefix: "m/", droppingPrefix: true), v = s.filtered(prefix: "v/", droppingPrefix: true)
        firstMoment = m.count > 0 ? m : nil
        secondMoment = v.count > 0 ? v : nil
    }
}

/// Small numeric helpers without Foundation.
enum Foundationless {
    static func pow(_ x: Double, _ n: Int) -> Double {
        var r = 1.0, b = x, k = n
        while k > 0 { if k & 1 == 1 { r *= b }; b *= b; k >>= 1 }
        return r
    }
}
