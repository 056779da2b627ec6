/// What can be stepped through an episode: spaces, `reset(seed:)`, `step(_:)`. Every
/// `Environment` is one, and so is the learner's `LearnerEnvironment`, which is nothing more.
public protocol EpisodicEnvironment: AnyObject {
    var observationSpace: BoxSpace { get }
    var observationLayout: ObservationLayout { get }
    /// Always [-1, 1]^n.
    var actionSpace: BoxSpace { get }
    /// Starts an episode; everything random about it comes from `seed` and the (hidden) task.
    func reset(seed: UInt64) -> [Float]
    /// Advances one control step.
    func step(_ action: [Float]) throws -> StepResult
}

/// An environment as a learner sees it while training: spaces, horizon, `reset(seed:)` and
/// `step(_:)`, and nothing else.
///
/// It is a final class that wraps the environment in a private property and does not conform to
/// `Environment`, so no code outside this file can reach the task (the hidden goal), `setTask`,
/// `snapshot`/`restore` or physics readouts: not by a property, not by a cast (`view as? any
/// Environment` is nil), and not by reflection (its mirror has no children). This is a
/// compile-time fact of the type, tested in `TrainingSeamTests`.
public final class LearnerEnvironment: EpisodicEnvironment, CustomReflectable {
    private let hidden: any EpisodicEnvironment
    public let observationSpace: BoxSpace
    public let observationLayout: ObservationLayout
    public let actionSpace: BoxSpace
    /// Control steps per episode under the benchmark's protocol.
    public let horizon: Int

    /// Wraps `environment` (a time-limited registry environment) for a learner.
    public init(_ environment: any Environment, horizon: Int) {
        hidden = environment
        observationSpace = environment.observationSpace
        observationLayout = environment.observationLayout
        actionSpace = environment.actionSpace
        self.horizon = horizon
    }

    public func reset(seed: UInt64) -> [Float] { hidden.reset(seed: seed) }
    public func step(_ action: [Float]) throws -> StepResult { try hidden.step(action) }

    /// An empty mirror: reflection shows no stored properties.
    public var customMirror: Mirror { Mirror(self, children: [] as [(label: String?, value: Any)]) }
}

/// For goal-conditioned benchmarks (Fetch): the reward of an achieved and a desired goal, and
/// where both sit in the observation. Hindsight relabelling needs exactly this; it reveals nothing
/// the observation does not already show.
public struct GoalRewardFunction: Sendable {
    /// The observation's achieved-goal range.
    public let achievedGoal: Range<Int>
    /// The observation's desired-goal range.
    public let desiredGoal: Range<Int>
    private let reward: @Sendable ([Float], [Float]) -> Double
    public init(achievedGoal: Range<Int>, desiredGoal: Range<Int>, reward: @escaping @Sendable ([Float], [Float]) -> Double) {
        self.achievedGoal = achievedGoal; self.desiredGoal = desiredGoal; self.reward = reward
    }
    /// The reward the environment pays when `achieved` is reached with goal `desired`.
    public func callAsFunction(achieved: [Float], desired: [Float]) -> Double { reward(achieved, desired) }
}

/// A benchmark's train split as a learner may use it: how many train tasks there are, a label per
/// task for per-task curves ("reach", "push"… the stratum, never the goal), and an environment for
/// task i. The tasks' parameters stay inside the closure; the test split is not reachable from here.
public struct TrainingTasks: Sendable {
    /// The benchmark id.
    public let benchmark: String
    /// The stratum of each train task, in the split's order.
    public let labels: [String]
    /// Spaces and horizon, as the evaluation hands them to agents.
    public let context: AgentContext
    /// The meta-test protocol the learner will be scored under (K, E, horizon, metric).
    public let evaluation: EvaluationProtocol
    /// The factor a learner multiplies rewards by (ML10's 0–10 rewards: 0.1), declared per benchmark.
    public let rewardScale: Double
    /// The goal-reward function, for goal-conditioned benchmarks.
    public let goalReward: GoalRewardFunction?
    private let make: @Sendable (Int) throws -> any Environment

    public init(benchmark: String, labels: [String], context: AgentContext, evaluation: EvaluationProtocol,
                rewardScale: Double, goalReward: GoalRewardFunction? = nil, make: @escaping @Sendable (Int) throws -> any Environment) {
        self.benchmark = benchmark; self.labels = labels; self.context = context; self.evaluation = evaluation
        self.rewardScale = rewardScale; self.goalReward = goalReward; self.make = make
    }

    /// Number of train tasks.
    public var count: Int { labels.count }

    /// The distinct labels, sorted.
    public var strata: [String] { Array(Set(labels)).sorted() }

    /// A fresh environment running train task `index`.
    public func environment(_ index: Int) throws -> LearnerEnvironment {
        precondition(labels.indices.contains(index), "train task \(index) out of 0..<\(count)")
        return LearnerEnvironment(try make(index), horizon: evaluation.horizon)
    }
}

/// One episode in progress: the one place where an episode is reset, stepped, recorded as
/// transitions and summed up. The evaluation runner, the experts, rendering, benchmarks and
/// training all step episodes through it.
///
/// It does not truncate: the environment ends its episodes (registry environments through the
/// `TimeLimit` wrapper, the one owner of the horizon). An episode still running after `horizon`
/// steps is an error (`EnvironmentError.pastHorizon`), never cut silently.
public struct EpisodeCursor {
    public let environment: any EpisodicEnvironment
    /// The steps by which the environment must have ended the episode (the protocol's horizon).
    public let horizon: Int
    /// The observation the next action answers.
    public private(set) var observation: [Float]
    public private(set) var length = 0
    public private(set) var totalReward = 0.0
    /// Whether any step reported success.
    public private(set) var succeeded = false
    /// Whether any step reported a success flag at all (nil-success tasks have none).
    public private(set) var reportsSuccess = false
    public private(set) var status: EpisodeStatus = .running
    /// The last step's info (reward terms, success), for callers that check more than the transition.
    public private(set) var lastInfo: StepInfo?
    /// The last step's own success flag (nil where the task reports none).
    public var lastSuccess: Bool? { lastInfo?.success }

    /// Resets `environment` with `seed` and starts the episode.
    public init(_ environment: any EpisodicEnvironment, seed: UInt64, horizon: Int) {
        precondition(horizon >= 1, "horizon must be positive")
        self.environment = environment
        self.horizon = horizon
        observation = environment.reset(seed: seed)
    }

    public var isDone: Bool { status.isDone }

    /// Takes one step with `action` (already checked by the caller) and returns its transition.
    /// - Throws: the environment's error, or `EnvironmentError.pastHorizon` when the environment
    ///   is still running after `horizon` steps.
    public mutating func step(_ action: [Float]) throws -> Transition {
        precondition(!isDone, "step after the episode ended")
        let r = try environment.step(action)
        if r.status == .running && length + 1 >= horizon { throw EnvironmentError.pastHorizon(horizon) }
        length += 1
        totalReward += r.reward
        let ok = r.info.success ?? false
        lastInfo = r.info
        if r.info.success != nil { reportsSuccess = true }
        succeeded = succeeded || ok
        status = r.status
        let t = Transition(observation: observation, action: action, reward: r.reward, nextObservation: r.observation, status: r.status, success: ok)
        observation = r.observation
        return t
    }

    /// Runs a whole episode with `policy` (its episode is begun by the caller), calling `onStep`
    /// after each step with the transition. Returns the transitions' count.
    @discardableResult
    public mutating func run(_ policy: any Policy, onStep: (Transition) throws -> Void = { _ in }) throws -> Int {
        try run(policy, watching: { _, t in try onStep(t) })
    }

    /// `run(_:onStep:)` whose observer also sees the episode so far (length, last success) after each step.
    @discardableResult
    public mutating func run(_ policy: any Policy, watching: (_ cursor: EpisodeCursor, _ transition: Transition) throws -> Void) throws -> Int {
        while !isDone {
            let t = try step(policy.act(observation))
            policy.observe(t)
            try watching(self, t)
        }
        return length
    }

    /// What one episode came to.
    public var outcome: EpisodeOutcome {
        EpisodeOutcome(success: reportsSuccess ? succeeded : nil, episodeReturn: totalReward, steps: length)
    }

    /// Plays one evaluation episode of `policy` in a trial of its own: begins the policy's trial
    /// with `seed` and an evaluation episode, resets `environment` with `seed` and steps it to the
    /// end of the episode (its own horizon). The scripted-expert report and rendering use it.
    /// `onReset` sees the first observation, `onStep` the episode so far and each step's transition.
    public static func playEvaluationEpisode(_ environment: any Environment, _ policy: any Policy, seed: UInt64,
                                             onReset: ([Float]) throws -> Void = { _ in },
                                             onStep: (_ cursor: EpisodeCursor, _ transition: Transition) throws -> Void = { _, _ in }) throws -> EpisodeOutcome {
        policy.beginTrial(seed: seed)
        policy.beginEpisode(phase: .evaluation)
        var cursor = EpisodeCursor(environment, seed: seed, horizon: environment.horizon)
        try onReset(cursor.observation)
        try cursor.run(policy, watching: onStep)
        return cursor.outcome
    }
}

/// One episode's outcome: its success (nil when no step reported one), return and length.
public struct EpisodeOutcome: Sendable, Equatable {
    public var success: Bool?
    public var episodeReturn: Double
    public var steps: Int
    public init(success: Bool?, episodeReturn: Double, steps: Int) { self.success = success; self.episodeReturn = episodeReturn; self.steps = steps }
}
