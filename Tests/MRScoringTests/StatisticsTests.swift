import MRCore
import MRScoring
import Testing

@Suite("Statistics against independent values")
struct StatisticsTests {
    // Reference values computed with scipy 1.17 / numpy 2.4 on this machine:
    //   trim_mean(x, 0.25) = 0.47500000000000003, mean(x) = 0.48750000000000004
    //   trim_mean(y, 0.25) = 4.5
    //   percentile(x, [2.5, 97.5, 50]) = 0.013750000000000002, 0.98625, 0.475
    let x = [0.1, 0.9, 0.35, 0.0, 1.0, 0.6, 0.75, 0.2, 0.5, 0.45, 0.05, 0.95]
    let y = [3.0, 1.0, 2.0, 10.0, 4.0, 5.0, 6.0, 7.0, 8.0, -20.0]

    @Test func interquartileMeanMatchesScipyTrimMean() {
        #expect(abs(Statistics.interquartileMean(x) - 0.47500000000000003) < 1e-15)
        #expect(abs(Statistics.interquartileMean(y) - 4.5) < 1e-15)
        #expect(abs(Statistics.mean(x) - 0.48750000000000004) < 1e-15)
    }

    @Test func percentileMatchesNumpy() {
        #expect(abs(Statistics.percentile(x, 2.5) - 0.013750000000000002) < 1e-15)
        #expect(abs(Statistics.percentile(x, 97.5) - 0.98625) < 1e-15)
        #expect(abs(Statistics.percentile(x, 50) - 0.475) < 1e-15)
    }

    @Test func optimalityGapByHand() {
        // max(1 − x, 0) over [0.2, 1.0, 1.3] = [0.8, 0, 0] → 0.8 / 3
        #expect(abs(Statistics.optimalityGap([0.2, 1.0, 1.3]) - 0.8 / 3) < 1e-15)
    }

    @Test func stratifiedBootstrapIsSeededAndBracketsTheEstimate() {
        let scores = [[0.1, 0.3, 0.2, 0.4], [0.9, 0.8, 1.0, 0.7], [0.5, 0.6, 0.4, 0.5]]
        let a = Statistics.stratifiedBootstrap(scores, statistic: Statistics.interquartileMean, resamples: 500, seed: 7)
        let b = Statistics.stratifiedBootstrap(scores, statistic: Statistics.interquartileMean, resamples: 500, seed: 7)
        #expect(a == b)
        let point = Statistics.interquartileMean(scores.flatMap { $0 })
        #expect(a.low <= point && point <= a.high)
        #expect(a.low < a.high)
        // Constant scores give a degenerate interval.
        let c = Statistics.stratifiedBootstrap([[0.5, 0.5], [0.5, 0.5]], statistic: Statistics.mean, resamples: 100, seed: 1)
        #expect(c.low == 0.5 && c.high == 0.5)
    }
}

/// The bootstrap intervals against an independent implementation: the same resamples drawn by a
/// Python re-implementation of xoshiro256** (SplitMix64 seeding) and Swift's bounded draw
/// (Lemire's multiply-shift with rejection), the statistics computed by scipy 1.17.1 /
/// numpy 2.4.6 (`trim_mean(x, 0.25)`, `np.mean`, `np.percentile`) on this machine:
///   IQM, seed 7, 500 resamples   → (0.4666666666666666, 0.5833333333333334)
///   mean, seed 7, 500 resamples  → (0.47500000000000003, 0.5916666666666667)
///   gap, seed 3, 1000 resamples  → (0.4083333333333334, 0.5249999999999999)
///   one stratum x, mean, seed 11, 2000 resamples → (0.2957291666666669, 0.6791666666666667)
@Suite("Bootstrap against a Python/scipy re-implementation")
struct BootstrapReferenceTests {
    let scores = [[0.1, 0.3, 0.2, 0.4], [0.9, 0.8, 1.0, 0.7], [0.5, 0.6, 0.4, 0.5]]
    let x = [0.1, 0.9, 0.35, 0.0, 1.0, 0.6, 0.75, 0.2, 0.5, 0.45, 0.05, 0.95]

    func close(_ a: (low: Double, high: Double), _ b: (Double, Double)) -> Bool { abs(a.low - b.0) < 1e-12 && abs(a.high - b.1) < 1e-12 }

    @Test func stratifiedIntervalsMatchTheReference() {
        #expect(close(Statistics.stratifiedBootstrap(scores, statistic: Statistics.interquartileMean, resamples: 500, seed: 7),
                      (0.4666666666666666, 0.5833333333333334)))
        #expect(close(Statistics.stratifiedBootstrap(scores, statistic: Statistics.mean, resamples: 500, seed: 7),
                      (0.47500000000000003, 0.5916666666666667)))
        #expect(close(Statistics.stratifiedBootstrap(scores, statistic: Statistics.optimalityGap, resamples: 1000, seed: 3),
                      (0.4083333333333334, 0.5249999999999999)))
        #expect(close(Statistics.bootstrap(x, statistic: Statistics.mean, resamples: 2000, seed: 11), (0.2957291666666669, 0.6791666666666667)))
    }

    @Test func trimmedMeanOfThirteenByHand() {
        // 0², 1², …, 12²: ⌊0.25·13⌋ = 3 cut from each end → mean of 3²…9² = 280 / 7 = 40 (scipy agrees).
        #expect(Statistics.interquartileMean((0..<13).map { Double($0 * $0) }) == 40)
    }

    @Test func bootstrapOfTheMeanApproachesTheNormalInterval() {
        // 400 values with known mean and spread: the percentile interval of the mean should be close
        // to mean ± 1.96·s/√n (by hand), within a few percent of its width.
        var g = SeededGenerator(seed: 5)
        let v = (0..<400).map { _ in g.uniform(0, 1) }
        let m = Statistics.mean(v)
        let squares: [Double] = v.map { ($0 - m) * ($0 - m) }
        let variance: Double = squares.reduce(0, +) / Double(v.count - 1)
        let sd = variance.squareRoot()
        let half = 1.96 * sd / Double(v.count).squareRoot()
        let ci = Statistics.bootstrap(v, statistic: Statistics.mean, resamples: 4000, seed: 9)
        #expect(abs(ci.low - (m - half)) < 0.08 * half)
        #expect(abs(ci.high - (m + half)) < 0.08 * half)
    }
}
