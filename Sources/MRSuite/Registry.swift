import MRCore
import MRPhysics

/// What `mrbench list` and the conformance checker know about an environment without running it.
public struct EnvironmentSpec: Sendable {
    public let id: String
    public let observationSize: Int
    public let actionSize: Int
    /// Control steps per episode.
    public let horizon: Int
    /// Seconds per control step.
    public let controlTimestep: Double
    public let tags: [String]
    let factory: @Sendable (_ assets: String?) throws -> any Environment

    public init(id: String, observationSize: Int, actionSize: Int, horizon: Int, controlTimestep: Double, tags: [String],
                factory: @escaping @Sendable (_ assets: String?) throws -> any Environment) {
        self.id = id; self.observationSize = observationSize; self.actionSize = actionSize
        self.horizon = horizon; self.controlTimestep = controlTimestep; self.tags = tags; self.factory = factory
    }

    /// A new instance, wrapped in the registry's `TimeLimit` (the one owner of the horizon).
    /// - Parameter assets: the assets directory (nil: `AssetLocator`'s default search).
    public func make(assets: String? = nil) throws -> any Environment {
        try wrap(factory(assets))
    }

    /// The unwrapped physics environment (for benchmarks of raw physics and for rendering).
    /// - Throws: `RegistryError.noPhysics` for environments without a simulation.
    public func makePhysics(assets: String? = nil) throws -> any PhysicsEnvironment {
        guard let p = try factory(assets) as? any PhysicsEnvironment else { throw RegistryError.noPhysics(id) }
        return p
    }

    private func wrap<E: Environment>(_ e: E) -> any Environment { TimeLimit(e) }
}

/// A benchmark: train and test environment families and their frozen task sets.
public struct BenchmarkSpec: Sendable {
    public let id: String
    /// Environment ids of the train and test splits.
    public let train: [String]
    public let test: [String]
}

/// Every registered environment and benchmark, by versioned id. Ids are never reused for changed
/// behaviour: a change to dynamics, reward, observation, horizon or task set is a new version.
public enum Registry {
    public static let environments: [EnvironmentSpec] = [
        PendulumEnvironment.spec,
    ]

    public static let benchmarks: [BenchmarkSpec] = []

    /// The spec of a registered environment.
    /// - Throws: `RegistryError.unknownEnvironment` listing the known ids.
    public static func environment(_ id: String) throws(RegistryError) -> EnvironmentSpec {
        guard let s = environments.first(where: { $0.id == id }) else {
            throw .unknownEnvironment(id, known: environments.map(\.id))
        }
        return s
    }
}

public enum RegistryError: Error, Equatable, CustomStringConvertible {
    case unknownEnvironment(String, known: [String])
    case noPhysics(String)
    public var description: String {
        switch self {
        case let .noPhysics(id): return "environment '\(id)' has no physics simulation"
        case let .unknownEnvironment(id, known): return "unknown environment '\(id)'; registered: \(known.joined(separator: ", "))"
        }
    }
}

/// An environment backed by an ODE simulation, for raw-physics benchmarks and rendering.
public protocol PhysicsEnvironment: Environment {
    /// The simulation the environment steps.
    var simulation: Simulation { get }
    /// Physics substeps per control step.
    var substeps: Int { get }
}
