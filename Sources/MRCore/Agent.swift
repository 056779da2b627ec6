/// The phase of an episode within a meta-test trial.
public enum EpisodePhase: String, Hashable, Codable, Sendable {
    /// Episodes the agent uses to identify and adapt to the task.
    case adaptation
    /// Episodes scored after adaptation.
    case evaluation
}

/// What an agent may know about the environments it will meet: spaces and timing, never the task.
public struct AgentContext: Hashable, Codable, Sendable {
    public var observationSpace: BoxSpace
    public var actionSpace: BoxSpace
    public var observationLayout: ObservationLayout
    public var horizon: Int
    public init(observationSpace: BoxSpace, actionSpace: BoxSpace, observationLayout: ObservationLayout, horizon: Int) {
        self.observationSpace = observationSpace
        self.actionSpace = actionSpace
        self.observationLayout = observationLayout
        self.horizon = horizon
    }
}

/// A policy as the runner drives it: trial, episodes, acting and observing.
public protocol Policy: AnyObject {
    /// A new trial begins: forget everything about the previous task. `seed` fixes the policy's
    /// own randomness for this trial.
    func beginTrial(seed: UInt64)
    /// A new episode begins.
    func beginEpisode(phase: EpisodePhase)
    /// The action for an observation, in the action space.
    func act(_ observation: [Float]) -> [Float]
    /// The transition that followed the last action (RL² and PEARL adapt online from these).
    func observe(_ transition: Transition)
}

/// A meta-learner as the scorer sees it: an exploration policy for a new task, then an adapted
/// policy built from the episodes it collected.
public protocol MetaLearner: AnyObject {
    /// A short stable name ("random", "maml").
    var name: String { get }
    /// The policy used for the adaptation episodes of a new trial.
    func explorationPolicy(context: AgentContext, seed: UInt64) throws -> any Policy
    /// The policy used for the evaluation episodes, given the adaptation episodes.
    /// Online adapters (RL², PEARL) may return `policy` itself.
    func adapt(_ policy: any Policy, episodes: [Episode]) throws -> any Policy
}

/// The uniformly random policy (the floor of every leaderboard).
public final class RandomPolicy: Policy {
    private let space: BoxSpace
    private var generator: SeededGenerator
    public init(actionSpace: BoxSpace, seed: UInt64) {
        space = actionSpace
        generator = SeededGenerator(seed: seed)
    }
    public func beginTrial(seed: UInt64) { generator = SeededGenerator(seed: seed) }
    public func beginEpisode(phase: EpisodePhase) {}
    public func act(_ observation: [Float]) -> [Float] { space.sample(using: &generator) }
    public func observe(_ transition: Transition) {}
}

/// The random agent: explores at random and "adapts" to the same random policy.
public final class RandomMetaLearner: MetaLearner {
    public let name = "random"
    public init() {}
    public func explorationPolicy(context: AgentContext, seed: UInt64) throws -> any Policy {
        RandomPolicy(actionSpace: context.actionSpace, seed: seed)
    }
    public func adapt(_ policy: any Policy, episodes: [Episode]) throws -> any Policy { policy }
}

/// A benchmark's meta-test protocol (EVALUATION.md): K adaptation episodes, adapt, E evaluation
/// episodes, each up to `horizon` steps, scored by `metric`.
public struct EvaluationProtocol: Codable, Hashable, Sendable {
    public enum Metric: String, Codable, Hashable, Sendable {
        /// Fraction of evaluation episodes with a successful step.
        case success
        /// Mean undiscounted return of the evaluation episodes.
        case `return`
    }
    public var adaptationEpisodes: Int
    public var evaluationEpisodes: Int
    public var horizon: Int
    public var metric: Metric
    public init(adaptationEpisodes: Int, evaluationEpisodes: Int, horizon: Int, metric: Metric) {
        self.adaptationEpisodes = adaptationEpisodes; self.evaluationEpisodes = evaluationEpisodes
        self.horizon = horizon; self.metric = metric
    }
}
