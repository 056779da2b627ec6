import MRNeural

/// PPO's clipped surrogate (Schulman et al. 2017) as a loss to minimise:
/// −mean_m[min(ρA, clip(ρ, 1 − ε, 1 + ε)A)] with ρ = exp(log π − log π_old), averaged over the
/// entries where `mask` is 1. All tensors have the same shape; `mask` is 0/1.
public func ppoSurrogateLoss(logProb: Tensor, oldLogProb: Tensor, advantages: Tensor, mask: Tensor, clip: Double) -> Tensor {
    let ratio = (logProb - oldLogProb).exp()
    let unclipped = ratio * advantages
    let clipped = ratio.clamped(min: 1 - clip, max: 1 + clip) * advantages
    return -(maskedMean(minimum(unclipped, clipped), mask))
}

/// Σ(x · mask) / max(Σ mask, 1).
public func maskedMean(_ x: Tensor, _ mask: Tensor) -> Tensor {
    let n = max(mask.sum().scalarValue, 1)
    return (x * mask).sum() * (1 / n)
}

/// What one PPO update did, for the curve.
public struct PPOStatistics: Sendable {
    public var policyLoss = 0.0
    public var valueLoss = 0.0
    public var entropy = 0.0
    /// Mean of (ρ − 1) − log ρ over the last epoch: an estimate of KL(π_old ‖ π).
    public var approximateKL = 0.0
    /// Fraction of entries whose ratio was clipped in the last epoch.
    public var clipFraction = 0.0
    public var gradientNorm = 0.0
    public var gradientSteps = 0
    public init() {}
}
