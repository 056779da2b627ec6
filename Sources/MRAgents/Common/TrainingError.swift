/// Errors of training: bad configuration, an unusable checkpoint, a diverged learner.
public enum TrainingError: Error, CustomStringConvertible, Sendable, Equatable {
    case configuration(String)
    case checkpoint(String)
    case diverged(String)
    case environment(String)

    public var description: String {
        switch self {
        case let .configuration(m): return "configuration: \(m)"
        case let .checkpoint(m): return "checkpoint: \(m)"
        case let .diverged(m): return "training diverged: \(m)"
        case let .environment(m): return "environment: \(m)"
        }
    }
}
