import Foundation
import MRCore
import MRNeural
import Testing
@testable import MRAgents

/// The shared training pieces: GAE, the linear baseline, normalisers, the PPO loss, configs, curves.
@Suite("MRAgents common pieces")
struct CommonTests {
    /// Every 10th task of each stratum is held out; a split too small for that (half-cheetah-dir's
    /// two directions) keeps every task in training and meta-tests on them, rather than losing one.
    @Test func heldOutSplitNeverTakesAKindOfTaskAwayFromTraining() {
        let ml = heldOutSplit(Array(repeating: "reach", count: 20) + Array(repeating: "push", count: 10), every: 10)
        #expect(ml.heldOut == [9, 19, 29])
        #expect(ml.train.count == 27 && Set(ml.train).isDisjoint(with: ml.heldOut))
        let dir = heldOutSplit(["half-cheetah-dir", "half-cheetah-dir"], every: 10)
        #expect(dir.train == [0, 1], "both directions must train")
        #expect(dir.heldOut == [0, 1])
    }

    @Test func gaeMatchesHandComputation() {
        // Two steps, the episode ends after the second: δ1 = 2 − 0.5 = 1.5 (no bootstrap);
        // δ0 = 1 + 0.9·0.5 − 1 = 0.45; A0 = δ0 + 0.9·0.8·A1 = 0.45 + 0.72·1.5 = 1.53.
        let (a, r) = generalizedAdvantages(rewards: [1, 2], values: [1, 0.5], dones: [false, true], lastValue: 99, gamma: 0.9, lambda: 0.8)
        #expect(abs(a[0] - 1.53) < 1e-12 && abs(a[1] - 1.5) < 1e-12)
        #expect(abs(r[0] - 2.53) < 1e-12 && abs(r[1] - 2.0) < 1e-12)
        // Cut without ending: the last value is bootstrapped.
        let (b, _) = generalizedAdvantages(rewards: [1], values: [0], dones: [false], lastValue: 10, gamma: 0.5, lambda: 1)
        #expect(abs(b[0] - 6) < 1e-12)
        // λ = 1 gives returns-to-go minus values.
        let g = discountedReturns([1, 1, 1], gamma: 0.5)
        #expect(g == [1.75, 1.5, 1])
        let (c, _) = generalizedAdvantages(rewards: [1, 1, 1], values: [0.25, 0.5, 0], dones: [false, false, true], lastValue: 0, gamma: 0.5, lambda: 1)
        #expect(zip(c, [1.5, 1.0, 1.0]).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    @Test func standardizedHasZeroMeanUnitVariance() {
        let s = standardized([1, 2, 3, 4, 100], mask: [true, true, true, true, false])
        let m = s[0..<4].reduce(0, +) / 4
        let v = s[0..<4].reduce(0) { $0 + ($1 - m) * ($1 - m) } / 4
        #expect(abs(m) < 1e-12 && abs(v - 1) < 1e-6 && s[4] == 0)
    }

    @Test func linearBaselineRecoversALinearFunctionOfItsFeatures() {
        var base = LinearFeatureBaseline(observationSize: 2)
        var g = SeededGenerator(seed: 3)
        var episodes: [(observations: [[Float]], returns: [Double])] = []
        for _ in 0..<5 {
            let obs = (0..<30).map { _ in [Float(g.uniform(-1, 1)), Float(g.uniform(-1, 1))] }
            // y = 2·o0 − o1² + 3·s + 0.5 with s = t/100.
            let ys = obs.enumerated().map { t, o in 2 * Double(o[0]) - Double(o[1] * o[1]) + 3 * Double(t) / 100 + 0.5 }
            episodes.append((obs, ys))
        }
        base.fit(episodes: episodes)
        let pred = base.predict(episodes[2].observations)
        let err = zip(pred, episodes[2].returns).map { abs($0 - $1) }.max()!
        #expect(err < 1e-3, "max error \(err)")
    }

    @Test func choleskySolvesAndRefusesIndefiniteMatrices() {
        let x = choleskySolve([4, 2, 2, 3], [2, 1], 2)!
        #expect(abs(x[0] - 0.5) < 1e-12 && abs(x[1]) < 1e-12)
        #expect(choleskySolve([1, 2, 2, 1], [1, 1], 2) == nil)
    }

    @Test func normalizerMatchesBatchStatisticsAndRoundTrips() throws {
        var n = RunningNormalizer(dimension: 2)
        let rows: [[Float]] = (0..<100).map { i in [Float(i), Float(i % 7) * 2] }
        n.update(Array(rows[0..<40])); n.update(Array(rows[40...]))
        let m0 = rows.map { Double($0[0]) }.reduce(0, +) / 100
        let v0 = rows.map { (Double($0[0]) - m0) * (Double($0[0]) - m0) }.reduce(0, +) / 100
        #expect(abs(n.mean[0] - m0) < 1e-3 && abs(n.variance[0] - v0) / v0 < 1e-3)
        var m = RunningNormalizer(dimension: 2)
        try m.restore(n.parameters(prefix: "n/"), prefix: "n/")
        #expect(m == n)
        #expect(throws: TrainingError.self) { var k = RunningNormalizer(dimension: 3); try k.restore(n.parameters(prefix: "n/"), prefix: "n/") }
    }

    @Test func ppoSurrogateValuesAndGradientSign() {
        // ratio e^0.5 ≈ 1.65 with A = 1 is clipped at 1.2; ratio 1 with A = −1 gives −1; masked entry ignored.
        let logp = Tensor(doubles: [0.5, 0, 7], shape: [3]), old = Tensor(doubles: [0, 0, 0], shape: [3])
        let adv = Tensor(doubles: [1, -1, 100], shape: [3]), mask = Tensor(doubles: [1, 1, 0], shape: [3])
        let loss = ppoSurrogateLoss(logProb: logp, oldLogProb: old, advantages: adv, mask: mask, clip: 0.2)
        #expect(abs(loss.scalarValue - (-(1.2 - 1) / 2)) < 1e-12)
        // Minimising the loss raises the log-probability of a positive-advantage action (unclipped).
        let (_, grad) = valueWithGradient(at: Tensor(doubles: [0.0], shape: [1])) { lp in
            ppoSurrogateLoss(logProb: lp, oldLogProb: Tensor(doubles: [0], shape: [1]), advantages: Tensor(doubles: [2], shape: [1]),
                             mask: Tensor(doubles: [1], shape: [1]), clip: 0.2)
        }
        #expect(grad.doubles[0] < 0)
    }

    @Test func configOverlayReplacesKeysAndRefusesUnknownOnes() throws {
        let c = try ConfigCoding.overlay(RL2Config.paper, with: Data(#"{"gruSize": 64, "truncation": 50}"#.utf8))
        #expect(c.gruSize == 64 && c.truncation == 50 && c.epochs == RL2Config.paper.epochs)
        #expect(throws: TrainingError.self) { _ = try ConfigCoding.overlay(RL2Config.paper, with: Data(#"{"gruSzie": 64}"#.utf8)) }
        #expect(throws: TrainingError.self) { _ = try ConfigCoding.overlay(RL2Config.paper, with: Data("[1]".utf8)) }
        let text = String(decoding: try ConfigCoding.encode(c), as: UTF8.self)
        #expect(try ConfigCoding.decode(RL2Config.self, from: text) == c)
    }

    @Test func curveTableRoundTripsThroughCSV() throws {
        let t = CurveTable(columns: ["iteration", "a", "b"], rows: [[1, 0.5, nil], [2, -1e-7, 3]])
        let back = try CurveTable(csv: t.csv)
        #expect(back.columns == t.columns && back.column("a")[0] == 0.5 && back.column("b")[0] == nil && back.column("a")[1] == -1e-7)
        #expect(throws: TrainingError.self) { _ = try CurveTable(csv: "a,b\n1\n") }
    }
}
