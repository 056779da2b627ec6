/// Why an episode was cut short rather than ended by the task.
public enum TruncationReason: String, Hashable, Codable, Sendable {
    /// The horizon was reached (enforced once, by the registry's time-limit wrapper).
    case timeLimit
    /// The simulation diverged (non-finite state, a body beyond its sanity bound, an ODE error).
    case diverged
}

/// The status of an episode after a step.
public enum EpisodeStatus: Hashable, Codable, Sendable {
    case running
    /// The task ended the episode (e.g. the ant's health check).
    case terminated
    case truncated(TruncationReason)

    /// True for `terminated` and `truncated`: the episode is over and the next call must be `reset`.
    public var isDone: Bool { self != .running }

    /// A short stable name ("running", "terminated", "truncated:timeLimit", "truncated:diverged").
    public var name: String {
        switch self {
        case .running: return "running"
        case .terminated: return "terminated"
        case let .truncated(r): return "truncated:\(r.rawValue)"
        }
    }
}

/// One named term of a reward, reported next to the reward.
public struct RewardTerm: Hashable, Codable, Sendable {
    public let name: String
    public let value: Double
    public init(_ name: String, _ value: Double) { self.name = name; self.value = value }
}

/// Per-step information beside the reward.
public struct StepInfo: Hashable, Codable, Sendable {
    /// Whether the task's success condition holds at this step (nil where the task has none).
    public var success: Bool?
    /// The reward's named terms, in a fixed order.
    public var terms: [RewardTerm]
    public init(success: Bool? = nil, terms: [RewardTerm] = []) { self.success = success; self.terms = terms }
}

/// What `Environment.step` returns.
public struct StepResult: Hashable, Sendable {
    public var observation: [Float]
    public var reward: Double
    public var status: EpisodeStatus
    public var info: StepInfo
    public init(observation: [Float], reward: Double, status: EpisodeStatus, info: StepInfo = StepInfo()) {
        self.observation = observation
        self.reward = reward
        self.status = status
        self.info = info
    }
}

/// One transition (s, a, r, s′) with the status after it.
public struct Transition: Hashable, Sendable {
    public var observation: [Float]
    public var action: [Float]
    public var reward: Double
    public var nextObservation: [Float]
    public var status: EpisodeStatus
    public var success: Bool
    public init(observation: [Float], action: [Float], reward: Double, nextObservation: [Float], status: EpisodeStatus, success: Bool) {
        self.observation = observation
        self.action = action
        self.reward = reward
        self.nextObservation = nextObservation
        self.status = status
        self.success = success
    }
}

/// One episode's transitions, with its summary figures.
public struct Episode: Hashable, Sendable {
    public var transitions: [Transition]
    public init(transitions: [Transition] = []) { self.transitions = transitions }
    /// Undiscounted return.
    public var totalReward: Double { transitions.reduce(0) { $0 + $1.reward } }
    /// True if any step reported success.
    public var succeeded: Bool { transitions.contains { $0.success } }
    public var length: Int { transitions.count }
    /// The final status (running if the episode is empty).
    public var finalStatus: EpisodeStatus { transitions.last?.status ?? .running }
}
