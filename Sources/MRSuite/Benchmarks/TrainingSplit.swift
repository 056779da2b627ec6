import MRCore

extension BenchmarkSpec {
    /// The benchmark's train split as learners may use it (MRCore's `TrainingTasks`): environments
    /// of train entries behind `LearnerEnvironment`, their strata as labels, the reward scale and,
    /// for Fetch, the goal-reward function. The test split is not reachable from it.
    public func trainingTasks(assets: String? = nil) throws -> TrainingTasks {
        let train = try taskSet(assets: assets).train
        guard !train.isEmpty else { throw EnvironmentError.invalidTask("\(id) has an empty train split") }
        let probe = try makeEnvironment(train[0], assets: assets)
        let context = AgentContext(observationSpace: probe.observationSpace, actionSpace: probe.actionSpace,
                                   observationLayout: probe.observationLayout, horizon: evaluation.horizon)
        return TrainingTasks(benchmark: id, labels: train.map(\.task), context: context, evaluation: evaluation,
                             rewardScale: rewardScale, goalReward: Self.goalReward(envID: train[0].env, layout: probe.observationLayout),
                             make: { i in try self.makeEnvironment(train[i], assets: assets) })
    }

    /// Fetch's reward of achieved and desired goals, where the observation carries both.
    static func goalReward(envID: String, layout: ObservationLayout) -> GoalRewardFunction? {
        guard envID.hasPrefix("fetch-"), let a = layout.range(of: "achieved_goal"), let d = layout.range(of: "desired_goal") else { return nil }
        let dense = envID.contains("-dense")
        return GoalRewardFunction(achievedGoal: a, desiredGoal: d) { x, y in
            FetchEnvironment.computeReward(achieved: x[...], desired: y[...], dense: dense)
        }
    }
}
