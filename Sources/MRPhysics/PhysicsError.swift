import MRCore

/// Errors of the physics layer. Bad arguments are caught here, before they reach ODE.
public enum PhysicsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An argument that ODE would reject (non-finite, non-positive size or mass, unknown id…).
    case invalidArgument(String)
    /// The state left its sanity bounds or became non-finite.
    case diverged(String)
    /// ODE raised an error or a debug assertion inside a step. The simulation is unusable afterwards.
    case engine(String)
    /// A step was attempted on a simulation that an engine error left unusable.
    case unusable
    /// A snapshot from a different simulation layout.
    case snapshotMismatch(String)

    public var description: String {
        switch self {
        case let .invalidArgument(m): return "invalid physics argument: \(m)"
        case let .diverged(m): return "simulation diverged: \(m)"
        case let .engine(m): return "physics engine error: \(m)"
        case .unusable: return "the simulation is unusable after an engine error; rebuild it"
        case let .snapshotMismatch(m): return "snapshot does not fit this simulation: \(m)"
        }
    }
}
