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
