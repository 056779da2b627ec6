import MRCore

/// The aggregate statistics of EVALUATION.md (after rliable, Agarwal et al. 2021).
public enum Statistics {
    /// Arithmetic mean (NaN for an empty input).
    public static func mean(_ x: [Double]) -> Double {
        x.isEmpty ? .nan : x.reduce(0, +) / Double(x.count)
    }

    /// The interquartile mean: the mean after dropping ⌊0.25·n⌋ scores from each end of the sorted
    /// scores (`scipy.stats.trim_mean(x, 0.25)`, as rliable computes it).
    public static func interquartileMean(_ x: [Double]) -> Double { trimmedMean(x, proportion: 0.25) }

    /// Symmetric trimmed mean, cutting ⌊proportion·n⌋ from each end.
    public static func trimmedMean(_ x: [Double], proportion: Double) -> Double {
        precondition((0..<0.5).contains(proportion))
        let s = x.sorted()
        let k = Int((proportion * Double(s.count)).rounded(.down))
        return mean(Array(s[k..<(s.count - k)]))
    }

    /// The q-th percentile (0…100) with linear interpolation between order statistics (numpy's default).
    public static func percentile(_ x: [Double], _ q: Double) -> Double {
        precondition(!x.isEmpty && (0...100).contains(q))
        let s = x.sorted()
        let pos = q / 100 * Double(s.count - 1)
        let lo = Int(pos.rounded(.down)), hi = min(lo + 1, s.count - 1)
        return s[lo] + (s[hi] - s[lo]) * (pos - Double(lo))
    }

    /// Optimality gap: the mean of max(1 − x, 0), for success rates.
    public static func optimalityGap(_ x: [Double]) -> Double { mean(x.map { max(1 - $0, 0) }) }

    /// A 95% (by default) stratified percentile-bootstrap interval of `statistic` over
    /// `scores[task][seed]`: each resample draws seeds with replacement within every task, then
    /// applies `statistic` to all resampled scores. Seeded, so the interval is reproducible.
    public static func stratifiedBootstrap(
        _ scores: [[Double]], statistic: ([Double]) -> Double, resamples: Int = 2000, confidence: Double = 0.95, seed: UInt64
    ) -> (low: Double, high: Double) {
        stratifiedBootstrap(scores, matrixStatistic: { statistic($0.flatMap { $0 }) }, resamples: resamples, confidence: confidence, seed: seed)
    }

    /// The same, with a statistic of the resampled matrix (task by task), e.g. the mean of the
    /// per-task means when tasks have different numbers of scores.
    public static func stratifiedBootstrap(
        _ scores: [[Double]], matrixStatistic statistic: ([[Double]]) -> Double, resamples: Int = 2000, confidence: Double = 0.95, seed: UInt64
    ) -> (low: Double, high: Double) {
        precondition(resamples > 0 && scores.allSatisfy { !$0.isEmpty })
        var g = SeededGenerator(seed: seed)
        var stats: [Double] = []
        stats.reserveCapacity(resamples)
        var sample = scores
        for _ in 0..<resamples {
            for (t, task) in scores.enumerated() { for i in task.indices { sample[t][i] = task[g.index(below: task.count)] } }
            stats.append(statistic(sample))
        }
        let tail = (1 - confidence) / 2 * 100
        return (percentile(stats, tail), percentile(stats, 100 - tail))
    }

    /// A percentile-bootstrap interval of `statistic` over one sample (resampling its values).
    public static func bootstrap(
        _ x: [Double], statistic: ([Double]) -> Double, resamples: Int = 2000, confidence: Double = 0.95, seed: UInt64
    ) -> (low: Double, high: Double) {
        stratifiedBootstrap([x], statistic: statistic, resamples: resamples, confidence: confidence, seed: seed)
    }
}
