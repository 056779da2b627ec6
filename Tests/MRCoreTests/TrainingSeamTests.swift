import MRCore
import Testing

/// A tiny environment with a hidden task, for the training seam. It ends its own episodes,
/// truncated at its horizon (MRCore has no `TimeLimit`; the cursor never truncates);
/// `endsEpisodes: false` plants the defect the cursor must refuse.
final class HiddenGoalEnvironment: Environment {
    struct Goal: TaskDescriptor { static let kind = "hidden-goal"; var x: Double }
    let id = "hidden-goal-v1"
    let observationSpace = BoxSpace(dimension: 1, bound: 10)
    let observationLayout = ObservationLayout([("x", 1)])
    let actionSpace = BoxSpace.unit(1)
    let horizon: Int
    let controlTimestep = 1.0
    private(set) var task = Goal(x: 0.75)
    let endsEpisodes: Bool
    var x = 0.0, steps = 0
    init(horizon: Int = 5, endsEpisodes: Bool = true) { self.horizon = horizon; self.endsEpisodes = endsEpisodes }
    func setTask(_ t: Goal) throws { task = t }
    func reset(seed: UInt64) -> [Float] { x = 0; steps = 0; return [0] }
    func step(_ action: [Float]) throws -> StepResult {
        x += Double(action[0]) * 0.5
        steps += 1
        let d = abs(x - task.x)
        return StepResult(observation: [Float(x)], reward: -d, status: endsEpisodes && steps >= horizon ? .truncated(.timeLimit) : .running,
                          info: StepInfo(success: d < 0.3))
    }
    func snapshot() -> EnvironmentSnapshot { EnvironmentSnapshot([x, Double(steps)]) }
    func restore(_ s: EnvironmentSnapshot) throws {
        guard let v = s.payload as? [Double], v.count == 2 else { throw EnvironmentError.foreignSnapshot }
        x = v[0]; steps = Int(v[1])
    }
}

/// The learner's view of an environment: the task stays out of reach (TrainingSeam in MRCore).
@Suite("training seam")
struct TrainingSeamTests {
    @Test func learnerEnvironmentHidesTheTask() {
        let env = HiddenGoalEnvironment()
        let view = LearnerEnvironment(env, horizon: 5)
        // Not an Environment, so no `task`, `setTask`, `snapshot` or `restore` through a cast.
        #expect((view as AnyObject) as? any Environment == nil)
        // Reflection shows no stored properties (the wrapped environment is not listed).
        #expect(Mirror(reflecting: view).children.isEmpty)
        // What it does offer works.
        #expect(view.reset(seed: 1) == [0])
        #expect(view.observationSpace == env.observationSpace && view.horizon == 5)
        // (The compile-time half: `view.task`, `view.restore(_:)` and `view.snapshot()` do not
        // compile; LearnerEnvironment's members are the EpisodicEnvironment requirements and `horizon`.)
    }

    @Test func trainingTasksHandOutViewsOnly() throws {
        let goals = [0.5, -0.5, 1.0]
        let tasks = TrainingTasks(benchmark: "b", labels: ["a", "a", "b"],
                                  context: AgentContext(observationSpace: BoxSpace(dimension: 1, bound: 10), actionSpace: .unit(1),
                                                        observationLayout: ObservationLayout([("x", 1)]), horizon: 5),
                                  evaluation: EvaluationProtocol(adaptationEpisodes: 1, evaluationEpisodes: 1, horizon: 5, metric: .success),
                                  rewardScale: 1, make: { i in let e = HiddenGoalEnvironment(); try e.setTask(.init(x: goals[i])); return e })
        #expect(tasks.count == 3 && tasks.strata == ["a", "b"])
        let v = try tasks.environment(1)
        _ = v.reset(seed: 0)
        let r = try v.step([1])
        #expect(r.reward == -1.0)  // x = 0.5, goal −0.5: the goal shows only through the reward
    }

    @Test func episodeCursorFollowsTheEnvironmentToItsEndAndSumsTheEpisode() throws {
        let env = HiddenGoalEnvironment(horizon: 3)
        var c = EpisodeCursor(env, seed: 0, horizon: 3)
        var ts: [Transition] = []
        while !c.isDone { ts.append(try c.step([1])) }
        #expect(ts.count == 3 && c.length == 3)
        #expect(ts.map(\.status) == [.running, .running, .truncated(.timeLimit)])
        #expect(ts[0].observation == [0] && ts[0].nextObservation == [0.5] && ts[1].observation == [0.5])
        #expect(abs(c.totalReward - (-(0.25) - 0.25 - 0.75)) < 1e-12)
        #expect(c.succeeded && c.reportsSuccess && c.lastSuccess == false)
        #expect(c.lastInfo == StepInfo(success: false))  // the last step's own info, for callers that read its terms
    }

    /// The cursor never truncates: an episode the environment has not ended by the horizon is an
    /// error, whether the environment never ends episodes or ends them later than the horizon.
    @Test func episodeCursorRefusesAnEpisodeStillRunningAtTheHorizon() throws {
        for env in [HiddenGoalEnvironment(horizon: 3, endsEpisodes: false), HiddenGoalEnvironment(horizon: 5)] {
            var c = EpisodeCursor(env, seed: 0, horizon: 3)
            _ = try c.step([1])
            _ = try c.step([1])
            #expect(throws: EnvironmentError.pastHorizon(3)) { try c.step([1]) }
            #expect(c.length == 2 && !c.isDone)
        }
        #expect(EnvironmentError.pastHorizon(3).description.contains("still running after 3 steps"))
    }
}
