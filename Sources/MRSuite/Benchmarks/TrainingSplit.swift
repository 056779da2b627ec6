import MRCore

extension BenchmarkSpec {
    /// The benchmark's train split as learners may use it (MRCore's `TrainingTasks`): environments
    /// of train entries behind `LearnerEnvironment`, their strata as labels, the reward scale and,
    /// for goal-conditioned environments (Fetch, cube navigation), the goal-reward function. The test split is not reachable from it.
    public func trainingTasks(assets: String? = nil) throws -> TrainingTasks {
        let train = try taskSet(assets: assets).train
        guard !train.isEmpty else { throw EnvironmentError.invalidTask("\(id) has an empty train split") }
        let probe = try makeEnvironment(train[0], assets: assets)
        let context = AgentContext(observationSpace: probe.observationSpace, actionSpace: probe.actionSpace,
                                   observationLayout: probe.observationLayout, horizon: evaluation.horizon)
        return TrainingTasks(benchmark: id, labels: train.map(\.stratum), context: context, evaluation: evaluation,
                             rewardScale: rewardScale, goalReward: Self.goalReward(envID: train[0].env, layout: probe.observationLayout),
                             make: { i in try self.makeEnvironment(train[i], assets: assets) })
    }

    /// The reward of achieved and desired goals of a goal-conditioned environment whose observation
    /// carries both (Fetch, sparse or dense; cube navigation), the same function its `step` pays
    /// with; nil for every other environment.
    public static func goalReward(envID: String, layout: ObservationLayout) -> GoalRewardFunction? {
        guard let a = layout.range(of: "achieved_goal"), let d = layout.range(of: "desired_goal"), a.count == 3, d.count == 3 else { return nil }
        if envID.hasPrefix("fetch-") {
            let dense = envID.contains("-dense")
            return GoalRewardFunction(achievedGoal: a, desiredGoal: d) { x, y in
                FetchEnvironment.computeReward(achieved: x[...], desired: y[...], dense: dense)
            }
        }
        if envID.hasPrefix("cube-nav") {
            return GoalRewardFunction(achievedGoal: a, desiredGoal: d) { x, y in CubeNavigationEnvironment.computeReward(achieved: x, desired: y) }
        }
        return nil
    }
}

extension EnvironmentSpec {
    /// A goal-conditioned environment (Fetch) as a one-task train split, for single-task
    /// goal-conditioned training (HER's own setting): the environment's default task draws a fresh
    /// goal (and object start) from every reset seed, so no episode repeats a goal unless its seed
    /// does. Its protocol, for the trainer's test: no adaptation episode, 10 evaluation episodes
    /// per trial, success. There is no frozen test split; the trainer tests on reset seeds that
    /// training does not use.
    /// - Throws: `EnvironmentError.invalidTask` when the environment is not goal-conditioned.
    public func singleTaskTraining(assets: String? = nil) throws -> TrainingTasks {
        let probe = try make(assets: assets)
        guard let reward = BenchmarkSpec.goalReward(envID: id, layout: probe.observationLayout) else {
            throw EnvironmentError.invalidTask("\(id) is not a goal-conditioned environment (no achieved and desired goal), so it cannot be trained as one task")
        }
        let evaluation = EvaluationProtocol(adaptationEpisodes: 0, evaluationEpisodes: 10, horizon: horizon, metric: .success)
        let context = AgentContext(observationSpace: probe.observationSpace, actionSpace: probe.actionSpace,
                                   observationLayout: probe.observationLayout, horizon: horizon)
        return TrainingTasks(benchmark: id, labels: [id], context: context, evaluation: evaluation, rewardScale: 1, goalReward: reward,
                             make: { _ in try self.make(assets: assets) })
    }
}
