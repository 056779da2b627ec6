import Foundation
import MRCore
import MRNeural
import MRSuite
import Testing
@testable import MRAgents

/// Hindsight relabelling, normalisation and multi-task replay against hand-made episodes.
@Suite("Hindsight replay")
struct HindsightTests {
    /// Observation layout of the hand-made episodes: [step t, episode id, achieved goal (3), desired goal (3)].
    static let reward = GoalRewardFunction(achievedGoal: 2..<5, desiredGoal: 5..<8) { a, d in
        let dist = zip(a, d).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +).squareRoot()
        return dist > 0.05 ? -1 : 0
    }

    /// Episode `id` of `length` steps: at step t the achieved goal is (t, id, 0) and the desired goal
    /// (−1, −1, −1) (never reached); the recorded rewards are −7, a value `reward` never returns.
    static func episode(id: Int, length: Int, terminated: Bool = false) -> HindsightEpisode {
        let ts = (0..<length).map { t in
            func obs(_ s: Int) -> [Float] { [Float(s), Float(id), Float(s), Float(id), 0, -1, -1, -1] }
            return Transition(observation: obs(t), action: [Float(t), Float(id)], reward: -7, nextObservation: obs(t + 1),
                              status: terminated && t == length - 1 ? .terminated : (t == length - 1 ? .truncated(.timeLimit) : .running),
                              success: false)
        }
        return HindsightEpisode(ts)
    }

    @Test func futureGoalsComeFromLaterStepsOfTheSameEpisodeAndRewardsAreRecomputed() {
        let episodes = [Self.episode(id: 1, length: 6), Self.episode(id: 2, length: 9, terminated: true), Self.episode(id: 3, length: 1)]
        let sampler = HindsightSampler(goalReward: Self.reward, replayK: 4)
        #expect(abs(sampler.relabelProbability - 0.8) < 1e-12)
        var g = SeededGenerator(seed: 5)
        let n = 4000
        let (b, picks) = sampler.sample(n, from: episodes, using: &g)
        #expect(b.count == n && picks.count == n)
        var relabelled = 0, zeroRewards = 0
        var futureOffsets = Set<Int>()
        for (r, pick) in picks.enumerated() {
            let o = Array(b.observations[(r * 8)..<((r + 1) * 8)]), next = Array(b.nextObservations[(r * 8)..<((r + 1) * 8)])
            let ep = episodes[pick.episode]
            // The row is step `pick.step` of episode `pick.episode`, and its successor.
            #expect(Int(o[0]) == pick.step && Int(o[1]) == pick.episode + 1)
            #expect(Int(next[0]) == pick.step + 1 && Int(next[1]) == pick.episode + 1)
            #expect(b.actions[r * 2] == Float(pick.step) && b.actions[r * 2 + 1] == Float(pick.episode + 1))
            // The goal: both observations carry the same one.
            #expect(Array(o[5..<8]) == Array(next[5..<8]))
            if let f = pick.future {
                relabelled += 1
                // Drawn from a later observation (t + 1 … T) of the same episode: its achieved goal is (f, id, 0).
                #expect(f > pick.step && f <= ep.length)
                #expect(Array(o[5..<8]) == [Float(f), Float(pick.episode + 1), 0])
                futureOffsets.insert(f - pick.step)
            } else {
                #expect(Array(o[5..<8]) == [-1, -1, -1])
            }
            // The reward is recomputed from the next observation's achieved goal and the (new) goal.
            let expected = Self.reward(achieved: Array(next[2..<5]), desired: Array(next[5..<8]))
            #expect(Double(b.rewards[r]) == expected)
            if b.rewards[r] == 0 { zeroRewards += 1; #expect(pick.future == pick.step + 1) }
            // Terminal only on the last step of the terminated episode.
            #expect(b.terminals[r] == (pick.episode == 1 && pick.step == ep.length - 1 ? 1 : 0))
        }
        let fraction = Double(relabelled) / Double(n)
        print("HER future (k = 4): \(relabelled) of \(n) relabelled (\(fraction)), \(zeroRewards) with the goal reached, offsets seen \(futureOffsets.sorted())")
        #expect(abs(fraction - 0.8) < 0.03)
        #expect(zeroRewards > 0)
        // Every offset 1…8 of the 9-step episode is drawn.
        #expect(Set(1...8).isSubset(of: futureOffsets))
        #expect(!b.rewards.contains(-7))
    }

    @Test func withoutAGoalRewardNothingIsRelabelled() {
        let episodes = [Self.episode(id: 1, length: 4)]
        let sampler = HindsightSampler(goalReward: nil, replayK: 4)
        var g = SeededGenerator(seed: 2)
        let (b, picks) = sampler.sample(200, from: episodes, using: &g)
        #expect(picks.allSatisfy { $0.future == nil })
        #expect(b.rewards.allSatisfy { $0 == -7 })
    }

    @Test func replayDropsTheOldestEpisodesAndMultiTaskBatchesKeepTasksApart() {
        var r = EpisodeReplay(capacity: 10)
        for id in 1...4 { r.add(Self.episode(id: id, length: 4)) }
        #expect(r.episodes.map { Int($0.observations[1]) } == [3, 4])
        #expect(r.transitions == 8)
        var m = MultiTaskReplay(tasks: 3, capacityPerTask: 100)
        m.add(Self.episode(id: 10, length: 5), task: 0)
        m.add(Self.episode(id: 20, length: 5), task: 2)
        #expect(m.filled == [0, 2])
        var g = SeededGenerator(seed: 3)
        let b = m.sample(tasks: [2, 0], rowsPerTask: 50, sampler: HindsightSampler(goalReward: Self.reward, replayK: 4), using: &g)
        #expect(b.count == 100)
        for row in 0..<100 { #expect(b.observations[row * 8 + 1] == (row < 50 ? 20 : 10)) }
    }

    @Test func normalisersClipAtFiveAndTreatTheGoalApart() {
        var n = GoalInputNormalizer(observationSize: 8, goalReward: Self.reward, clip: 5)
        n.update([Self.episode(id: 1, length: 20), Self.episode(id: 2, length: 20)])
        // Step index: mean 10, sd ≈ 6.06 over 42 rows; 1000 is clipped at 5, −1000 at −5.
        let y = n.normalize([1000, 1.5, 0, 0, 0, 0, 0, 0][...])
        #expect(y[0] == 5)
        #expect(abs(y[1]) < 0.01)
        #expect(n.normalize([-1000, 1.5, 0, 0, 0, 0, 0, 0][...])[0] == -5)
        // The desired goal goes through the goal statistics (achieved and desired goals pooled):
        // its first coordinate's mean is 4.5, the observation's desired-goal mean is −1.
        let goalMean = n.goal!.mean[0]
        #expect(abs(goalMean - 4.5) < 0.01)
        let z = n.normalize([0, 0, 0, 0, 0, -1, 0, 0][...])
        #expect(abs(Double(z[5]) - (-1 - goalMean) / n.goal!.variance[0].squareRoot()) < 1e-3)
        #expect(z[5] != 0)
        // The checkpoint round trip keeps the statistics.
        var m = GoalInputNormalizer(observationSize: 8, goalReward: Self.reward, clip: 5)
        try? m.restore(n.parameters(prefix: "n/"), prefix: "n/")
        #expect(m == n)
    }
}

