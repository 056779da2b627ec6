import MRCore
import MRSuite
import Testing

/// Hindsight relabelling recomputes rewards with the train split's goal-reward function, so every
/// goal-conditioned benchmark must hand one out, and it must pay exactly what `step` pays.
@Suite("goal-reward functions of goal-conditioned train splits")
struct GoalRewardTests {
    @Test(arguments: ["fetch-zones-v1", "fetch-tasks-v2", "cube-nav-zones-v1"])
    func trainSplitPaysWhatStepPays(benchmark: String) throws {
        let tasks = try Registry.benchmark(benchmark).trainingTasks()
        let reward = try #require(tasks.goalReward, "\(benchmark) hands learners no goal-reward function")
        var g = SeededGenerator(seed: 7)
        var checked = 0, paid = 0
        // The first train task of every stratum (reach, push… or the one cube task).
        let firsts = Dictionary(grouping: tasks.labels.indices, by: { tasks.labels[$0] }).values.map { $0[0] }.sorted()
        for index in firsts {
            let env = try tasks.environment(index)
            var o = env.reset(seed: UInt64(index))
            // Toward the goal by a proportional step on the first three action components
            // (both Fetch's gripper and the cube's point move by x, y, z), so some steps pay.
            for _ in 0..<env.horizon {
                var a = [Float](repeating: 0, count: env.actionSpace.dimension)
                for k in 0..<3 {
                    let d = o[reward.desiredGoal.lowerBound + k] - o[reward.achievedGoal.lowerBound + k]
                    a[k] = max(-1, min(1, 20 * d + Float(Double.random(in: -0.1...0.1, using: &g))))
                }
                let r = try env.step(a)
                o = r.observation
                let again = reward(achieved: Array(o[reward.achievedGoal]), desired: Array(o[reward.desiredGoal]))
                #expect(again == r.reward, "\(benchmark) task \(index) \(tasks.labels[index]) a=\(Array(o[reward.achievedGoal])) d=\(Array(o[reward.desiredGoal])): step paid \(r.reward), the goal-reward function \(again)")
                checked += 1
                if again != (benchmark.hasPrefix("fetch") ? -1 : 0) { paid += 1 }
                if r.status.isDone { break }
            }
        }
        #expect(checked > 0)
        // The check above must have compared both kinds of reward, not only failures.
        #expect(paid > 0, "\(benchmark): no step reached its goal, so the reward of success was never compared")
    }
}
