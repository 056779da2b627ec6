import Foundation
import MRCore
import MRNeural
import Testing
@testable import MRAgents

extension Learners {
    /// The SAC core of `Common/` on its own.
    @Suite("SAC", .serialized)
    struct SACTests {
        /// A point on a line: x₀ = 0, x ← clamp(x + 0.2a, −2, 2), reward −|x − 0.5|, 20 steps.
        /// Walking to 0.5 and staying scores about −0.5; a uniformly random policy about −12.
        static let horizon = 20
        static func step(_ x: Float, _ a: Float) -> (next: Float, reward: Double) {
            let n = min(max(x + 0.2 * a, -2), 2)
            return (n, -Double(abs(n - 0.5)))
        }

        static func transition(_ x: Float, _ a: Float, last: Bool) -> Transition {
            let (n, r) = step(x, a)
            return Transition(observation: [x], action: [a], reward: r, nextObservation: [n],
                              status: last ? .truncated(.timeLimit) : .running, success: false)
        }

        /// The return of the policy's mode (or of uniform actions) from x₀ = 0.
        static func episodeReturn(_ sac: SAC?, using g: inout SeededGenerator) -> Double {
            var x: Float = 0, total = 0.0
            for _ in 0..<horizon {
                let a = sac.map { $0.act(Tensor(floats: [x], shape: [1, 1]), deterministic: true, using: &g)[0][0] } ?? Float(g.uniform(-1, 1))
                let (n, r) = step(x, a)
                x = n; total += r
            }
            return total
        }

        @Test func learnsAOneDimensionalToyInSeconds() throws {
            let start = Date()
            var g = SeededGenerator(seed: 5)
            let settings = SACSettings(hiddenSizes: [32, 32], learningRate: 3e-3, gamma: 0.9, tau: 0.01, rewardScale: 1,
                                       autoTemperature: true, temperature: 1, policyRegularization: 1e-3,
                                       batchSize: 64, replayCapacity: 10_000)
            var sac = SAC(observationSize: 1, actionSize: 1, conditionSize: 0, settings: settings, using: &g)
            var buffer = ReplayBuffer(observationSize: 1, actionSize: 1, capacity: 10_000)
            let before = Self.episodeReturn(sac, using: &g)
            var x: Float = 0, t = 0, updates = 0
            var last = SACStatistics()
            for stepIndex in 0..<1500 {
                let a = stepIndex < 200 ? Float(g.uniform(-1, 1)) : sac.act(Tensor(floats: [x], shape: [1, 1]), deterministic: false, using: &g)[0][0]
                t += 1
                let tr = Self.transition(x, a, last: t == Self.horizon)
                buffer.add(tr)
                x = t == Self.horizon ? 0 : tr.nextObservation[0]
                if t == Self.horizon { t = 0 }
                if stepIndex >= 200 {
                    last = sac.update(buffer.batch(buffer.sample(64, using: &g)), using: &g)
                    updates += 1
                }
            }
            let after = Self.episodeReturn(sac, using: &g)
            var r = SeededGenerator(seed: 9)
            let random = (0..<20).map { _ in Self.episodeReturn(nil, using: &r) }.reduce(0, +) / 20
            let seconds = Date().timeIntervalSince(start)
            print("SAC on the 1-D toy: \(updates) updates in \(String(format: "%.1f", seconds)) s; return of the mode before \(String(format: "%.2f", before)), after \(String(format: "%.2f", after)), uniform random \(String(format: "%.2f", random)); α \(String(format: "%.3f", last.alpha)), Q loss \(String(format: "%.4f", last.qLoss))")
            // The optimum is about −0.5; the untrained mode stays near x = 0 (about −10).
            #expect(after > -1.5)
            #expect(after > before + 3)
            #expect(last.alpha != settings.temperature, "the learned temperature moved")
        }

        @Test func replayBufferIsARingAndRoundTripsThroughACheckpoint() throws {
            var b = ReplayBuffer(observationSize: 1, actionSize: 1, capacity: 3)
            for i in 0..<5 { b.add(Self.transition(Float(i), 0, last: false)) }
            #expect(b.count == 3)
            #expect(b.observations == [3, 4, 2], "rows 0 and 1 overwritten by the 4th and 5th transitions")
            var c = ReplayBuffer(observationSize: 1, actionSize: 1, capacity: 3)
            try c.restore(b.parameters(prefix: "r/"), prefix: "r/")
            c.add(Self.transition(9, 0, last: false))
            b.add(Self.transition(9, 0, last: false))
            #expect(c.observations == b.observations && c.observations == [3, 4, 9])
        }
    }
}
