/// A task parameter: a typed, comparable, serialisable value (target velocity, goal position…),
/// never an untyped dictionary.
public protocol TaskDescriptor: Codable, Hashable, Sendable {
    /// A stable name of the descriptor's kind, used in task-set files ("half-cheetah-vel").
    static var kind: String { get }
}

/// The empty task, for environments with a single fixed task.
public struct NoTask: TaskDescriptor {
    public static let kind = "none"
    public init() {}
}

/// An opaque copy of an environment's full state (simulation, step counter, generator, memory of
/// the previous observation). Only the environment that made it can restore it.
public struct EnvironmentSnapshot: @unchecked Sendable {
    /// The owning environment's state value; it is immutable and value-typed by contract.
    public let payload: Any
    public init(_ payload: Any) { self.payload = payload }
}

/// Errors an environment raises for bad use (bad actions arrive as `ActionError`).
public enum EnvironmentError: Error, Equatable, Sendable, CustomStringConvertible {
    case stepAfterDone
    case stepBeforeReset
    case foreignSnapshot
    case invalidTask(String)
    /// An episode still running when its horizon (the argument) was reached: the environment did
    /// not end it. Registry environments are wrapped in `TimeLimit`, which truncates at the horizon;
    /// the episode loop (`EpisodeCursor`) never truncates, it refuses to go on.
    case pastHorizon(Int)

    public var description: String {
        switch self {
        case .stepAfterDone: return "step called after the episode ended; call reset first"
        case .stepBeforeReset: return "step called before reset"
        case .foreignSnapshot: return "the snapshot was made by another kind of environment"
        case let .invalidTask(why): return "invalid task: \(why)"
        case let .pastHorizon(h): return "the episode is still running after \(h) steps, its horizon: the environment must end it (registry environments are wrapped in TimeLimit, the one owner of the horizon)"
        }
    }
}

/// An environment: declared spaces and timing, `reset(seed:)`, `step(_:)`.
///
/// Class-bound: one instance per thread, it owns its simulation. Actions always live in
/// [-1, 1]^n and are scaled inside; a wrong length or a non-finite value throws `ActionError` and
/// leaves the state untouched; out-of-range values are clipped. The horizon is enforced once, by
/// the registry's `TimeLimit` wrapper, not by each task.
public protocol Environment<Task>: EpisodicEnvironment {
    associatedtype Task: TaskDescriptor

    /// The versioned id, e.g. `ml10/drawer-open-v2`.
    var id: String { get }
    var observationSpace: BoxSpace { get }
    var observationLayout: ObservationLayout { get }
    /// Always [-1, 1]^n.
    var actionSpace: BoxSpace { get }
    /// Episode length in control steps.
    var horizon: Int { get }
    /// Seconds of simulated time per control step.
    var controlTimestep: Double { get }

    /// The current task.
    var task: Task { get }
    /// Replaces the task; takes effect at the next `reset`.
    func setTask(_ task: Task) throws

    /// Starts an episode; everything random about it comes from `seed` and the task.
    func reset(seed: UInt64) -> [Float]
    /// Advances one control step.
    func step(_ action: [Float]) throws -> StepResult

    /// The full state as a value.
    func snapshot() -> EnvironmentSnapshot
    /// Restores a state made by `snapshot()` of this kind of environment.
    func restore(_ snapshot: EnvironmentSnapshot) throws

    /// The fastest body's speed in the current state (m/s), for sanity checks; 0 without physics.
    var maxBodySpeed: Double { get }
}

extension Environment {
    public var maxBodySpeed: Double { 0 }
}

/// Facts about this build of mrbench.
public enum MRBenchInfo {
    /// The mrbench version (semantic versioning).
    public static let version = "0.1.0"
}
