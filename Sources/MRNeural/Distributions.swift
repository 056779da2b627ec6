import MRCore

/// log(2π)/2.
let halfLog2Pi = 0.91893853320467274178

/// A Gaussian with diagonal covariance over the last axis: independent N(μᵢ, σᵢ²) per component.
///
/// `mean` is [..., D]; `logStd` is log σ, of the same shape or broadcastable to it (e.g. a state-
/// independent [D] vector). Log-densities, entropies and KL divergences sum over the last axis, so
/// for a batch [B, D] they are [B]. All are differentiable in `mean` and `logStd`.
public struct DiagonalGaussian: Sendable {
    /// μ, shape [..., D].
    public let mean: Tensor
    /// log σ, broadcastable to the mean's shape.
    public let logStd: Tensor

    /// A Gaussian N(mean, diag(exp(logStd))²).
    public init(mean: Tensor, logStd: Tensor) {
        precondition(Tensor.broadcastShape(mean.shape, logStd.shape) == mean.shape,
                     "DiagonalGaussian: logStd \(logStd.shape) does not broadcast to mean \(mean.shape)")
        self.mean = mean
        self.logStd = logStd
    }

    /// σ = exp(log σ).
    public var std: Tensor { logStd.exp() }

    /// A reparameterised sample μ + σ ⊙ ε with ε ~ N(0, I) drawn from `generator` (differentiable in μ, log σ).
    public func sample(using generator: inout SeededGenerator) -> Tensor {
        sample(noise: Tensor.randomNormal(mean.shape, dtype: mean.dtype, using: &generator))
    }

    /// μ + σ ⊙ ε for given standard-normal noise ε of the mean's shape.
    public func sample(noise: Tensor) -> Tensor {
        precondition(noise.shape == mean.shape, "DiagonalGaussian.sample(noise:): \(noise.shape) vs \(mean.shape)")
        return mean + std * noise
    }

    /// log p(x) = Σ [−((x − μ)/σ)²/2 − log σ − log(2π)/2] over the last axis.
    public func logProb(_ x: Tensor) -> Tensor {
        let z = (x - mean) / std
        return (z.squared() * -0.5 - logStd - halfLog2Pi).sum(alongAxis: -1)
    }

    /// H = Σ [log σ + (1 + log 2π)/2] over the last axis.
    public func entropy() -> Tensor {
        (logStd.broadcast(to: mean.shape) + (0.5 + halfLog2Pi)).sum(alongAxis: -1)
    }

    /// KL(self ‖ q) = Σ [log σq − log σp + (σp² + (μp − μq)²)/(2σq²) − 1/2] over the last axis.
    public func kl(to q: DiagonalGaussian) -> Tensor {
        let varP = (logStd * 2.0).exp(), varQ = (q.logStd * 2.0).exp()
        let t = q.logStd - logStd + (varP + (mean - q.mean).squared()) / (varQ * 2.0) - 0.5
        return t.broadcast(to: Tensor.broadcastShape(mean.shape, q.mean.shape)!).sum(alongAxis: -1)
    }
}

/// The distribution of a = tanh(u) for u ~ `base` (SAC's squashed Gaussian policy), on (−1, 1)^D.
///
/// log p(a) = log p_base(u) − Σ log(1 − tanh²u), with log(1 − tanh²u) = 2(log 2 − u − softplus(−2u))
/// for numerical stability. KL is that of the base (KL is invariant under a bijection).
public struct TanhGaussian: Sendable {
    /// The distribution of the pre-squash value u.
    public let base: DiagonalGaussian

    /// tanh of N(mean, diag(exp(logStd))²).
    public init(mean: Tensor, logStd: Tensor) { base = DiagonalGaussian(mean: mean, logStd: logStd) }
    /// tanh of `base`.
    public init(base: DiagonalGaussian) { self.base = base }

    /// tanh(μ): the deterministic action.
    public var mode: Tensor { base.mean.tanh() }

    /// A reparameterised action and its log-density.
    public func sample(using generator: inout SeededGenerator) -> (action: Tensor, logProb: Tensor) {
        sample(noise: Tensor.randomNormal(base.mean.shape, dtype: base.mean.dtype, using: &generator))
    }

    /// The action tanh(μ + σε) for given noise ε, and its log-density.
    public func sample(noise: Tensor) -> (action: Tensor, logProb: Tensor) {
        let u = base.sample(noise: noise)
        return (u.tanh(), logProb(preTanh: u))
    }

    /// log p(tanh u) from the pre-squash value u.
    public func logProb(preTanh u: Tensor) -> Tensor {
        let logDet = ((-u + 0.69314718055994530942) - (u * -2.0).softplus()) * 2.0
        return base.logProb(u) - logDet.sum(alongAxis: -1)
    }

    /// log p(a) for an action a in (−1, 1), through u = atanh(a) (a is clamped to ±(1 − 1e-6) first).
    public func logProb(action a: Tensor) -> Tensor {
        let c = a.clamped(min: -1 + 1e-6, max: 1 - 1e-6)
        let u = ((1.0 + c) / (1.0 - c)).log() * 0.5
        return logProb(preTanh: u)
    }

    /// A one-sample Monte Carlo estimate of the entropy, −log p(a) for a ~ self (differentiable).
    public func entropyEstimate(using generator: inout SeededGenerator) -> Tensor { -sample(using: &generator).logProb }

    /// KL(self ‖ q) = KL(base ‖ q.base).
    public func kl(to q: TanhGaussian) -> Tensor { base.kl(to: q.base) }
}

extension DiagonalGaussian {
    /// The normalised product of Gaussian factors along `axis` (PEARL's posterior over the context
    /// variable from per-transition factors): σ² = 1/Σᵢ σᵢ⁻², μ = σ²·Σᵢ μᵢ σᵢ⁻².
    ///
    /// `means` and `variances` have the same shape [..., N, ..., D] with the factors along `axis`
    /// (not the last); variances are clamped below at `minVariance` first. Differentiable.
    public static func product(means: Tensor, variances: Tensor, alongAxis axis: Int,
                               minVariance: Double = 1e-7) -> DiagonalGaussian {
        precondition(means.shape == variances.shape, "product: means \(means.shape) vs variances \(variances.shape)")
        let precision = 1.0 / variances.clamped(min: minVariance, max: .greatestFiniteMagnitude)
        let variance = 1.0 / precision.sum(alongAxis: axis)
        let mean = variance * (means * precision).sum(alongAxis: axis)
        return DiagonalGaussian(mean: mean, logStd: variance.log() * 0.5)
    }
}
