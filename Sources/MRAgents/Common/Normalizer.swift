import MRCore
import MRNeural

/// A running mean and variance per feature (Chan et al.'s parallel update), for observation
/// normalisation: y = clip((x − μ) / sqrt(σ² + ε), ±clip). Its state goes into checkpoints.
public struct RunningNormalizer: Sendable, Equatable {
    public private(set) var mean: [Double]
    public private(set) var variance: [Double]
    public private(set) var count: Double
    public let clip: Double

    public init(dimension: Int, clip: Double = 10) {
        mean = Array(repeating: 0, count: dimension)
        variance = Array(repeating: 1, count: dimension)
        count = 1e-4
        self.clip = clip
    }

    public var dimension: Int { mean.count }

    /// Folds a batch of rows into the statistics.
    public mutating func update(_ rows: [[Float]]) {
        guard !rows.isEmpty else { return }
        let n = Double(rows.count)
        for j in 0..<dimension {
            var m = 0.0
            for r in rows { m += Double(r[j]) }
            m /= n
            var v = 0.0
            for r in rows { let d = Double(r[j]) - m; v += d * d }
            v /= n
            let delta = m - mean[j], total = count + n
            let newMean = mean[j] + delta * n / total
            let m2 = variance[j] * count + v * n + delta * delta * count * n / total
            mean[j] = newMean
            variance[j] = m2 / total
        }
        count += n
    }

    /// The normalised row.
    public func normalize(_ x: [Float]) -> [Float] {
        (0..<dimension).map { j in
            Float(min(max((Double(x[j]) - mean[j]) / (variance[j] + 1e-8).squareRoot(), -clip), clip))
        }
    }

    /// The state as tensors under `prefix` (for checkpoints).
    public func parameters(prefix: String) -> Parameters {
        Parameters([(prefix + "mean", Tensor(doubles: mean, shape: [dimension])),
                    (prefix + "variance", Tensor(doubles: variance, shape: [dimension])),
                    (prefix + "count", Tensor(doubles: [count], shape: [1]))])
    }

    /// Restores a state written by `parameters(prefix:)`.
    public mutating func restore(_ p: Parameters, prefix: String) throws {
        let m = p[prefix + "mean"].doubles, v = p[prefix + "variance"].doubles
        guard m.count == dimension, v.count == dimension else {
            throw TrainingError.checkpoint("normaliser \(prefix) has \(m.count) features, expected \(dimension)")
        }
        mean = m; variance = v; count = p[prefix + "count"].doubles[0]
    }
}
