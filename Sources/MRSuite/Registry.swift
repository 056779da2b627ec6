import MRCore
import MRPhysics

/// What `mrbench list` and the conformance checker know about an environment without running it,
/// and how to make it with a given task and (where one exists) its scripted expert.
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
    let taskedFactory: @Sendable (_ assets: String?, _ params: JSONValue) throws -> any Environment
    let goalHiddenFactory: (@Sendable (_ assets: String?, _ params: JSONValue) throws -> any Environment)?
    let expertFactory: (@Sendable (_ params: JSONValue) throws -> any Policy)?

    /// - Parameters:
    ///   - factory: a new, unwrapped environment with its default task.
    ///   - goalHidden: a new, unwrapped environment set to a task with its goal hidden from the
    ///     observation, for environments whose observation shows the goal (the Sawyer tasks; ML1
    ///     and ML10 run this variant).
    ///   - expert: the scripted expert for a task, if the family has one. It is privileged: it may
    ///     use the task's parameters (the goal), so its scores are an upper reference.
    public init<E: Environment>(id: String, observationSize: Int, actionSize: Int, horizon: Int, controlTimestep: Double, tags: [String],
                                factory: @escaping @Sendable (_ assets: String?) throws -> E,
                                goalHidden: (@Sendable (_ assets: String?, _ task: E.Task) throws -> E)? = nil,
                                expert: (@Sendable (_ task: E.Task) -> any Policy)? = nil) {
        self.id = id; self.observationSize = observationSize; self.actionSize = actionSize
        self.horizon = horizon; self.controlTimestep = controlTimestep; self.tags = tags
        self.factory = { try factory($0) }
        self.taskedFactory = { assets, params in
            let e = try factory(assets)
            try e.setTask(try EnvironmentSpec.decodeTask(E.Task.self, params, id: id))
            return e
        }
        if let goalHidden {
            self.goalHiddenFactory = { assets, params in try goalHidden(assets, try EnvironmentSpec.decodeTask(E.Task.self, params, id: id)) }
        } else {
            self.goalHiddenFactory = nil
        }
        if let expert {
            self.expertFactory = { params in expert(try EnvironmentSpec.decodeTask(E.Task.self, params, id: id)) }
        } else {
            self.expertFactory = nil
        }
    }

    static func decodeTask<T: TaskDescriptor>(_ type: T.Type, _ params: JSONValue, id: String) throws -> T {
        do { return try JSONCoding.decode(T.self, from: params) } catch {
            throw EnvironmentError.invalidTask("\(id): task parameters \(params) do not decode as \(T.kind): \(error)")
        }
    }

    /// A new instance, wrapped in the registry's `TimeLimit` (the one owner of the horizon).
    /// - Parameter assets: the assets directory (nil: `AssetLocator`'s default search).
    public func make(assets: String? = nil) throws -> any Environment {
        try wrap(factory(assets))
    }

    /// A new instance set to the task `params` (a task-set entry's parameters), time-limited.
    public func make(assets: String? = nil, task params: JSONValue) throws -> any Environment {
        try wrap(taskedFactory(assets, params))
    }

    /// A new instance set to the task `params` with its goal hidden from the observation, time-limited.
    /// - Throws: `RegistryError.noHiddenGoal` for environments without that variant.
    public func makeGoalHidden(assets: String? = nil, task params: JSONValue) throws -> any Environment {
        guard let goalHiddenFactory else { throw RegistryError.noHiddenGoal(id) }
        return try wrap(goalHiddenFactory(assets, params))
    }

    /// Whether the family has a scripted expert.
    public var hasExpert: Bool { expertFactory != nil }

    /// The scripted expert for the task `params` (privileged: it knows the task).
    public func makeExpert(task params: JSONValue) throws -> (any Policy)? {
        try expertFactory?(params)
    }

    /// The unwrapped physics environment (for benchmarks of raw physics and for rendering).
    /// - Throws: `RegistryError.noPhysics` for environments without a simulation.
    public func makePhysics(assets: String? = nil) throws -> any PhysicsEnvironment {
        guard let p = try factory(assets) as? any PhysicsEnvironment else { throw RegistryError.noPhysics(id) }
        return p
    }

    private func wrap<E: Environment>(_ e: E) -> any Environment { TimeLimit(e) }
}

/// A benchmark: frozen train and test task sets, the environments that run them, and the
/// meta-test protocol. Its digest (SHA-256 over its models, task set and protocol) identifies the
/// exact definition a leaderboard entry ran on.
public struct BenchmarkSpec: Sendable {
    public let id: String
    public let summary: String
    public let evaluation: EvaluationProtocol
    /// Asset-relative model files the benchmark's environments load (part of the digest).
    public let models: [String]
    /// The seed the frozen task set was generated with (documented in the file itself too).
    public let defaultSeed: UInt64
    /// Whether the task's goal is hidden from the agent (ML benchmarks).
    public let hidesGoal: Bool
    /// The factor learners multiply rewards by (RL²'s reward input, PPO's returns): ML10's 0–10
    /// per-step rewards use 0.1, as Meta-World+ does; 1 elsewhere. Not part of the task definition.
    public let rewardScale: Double
    /// Samples the train and test task sets from a seed (`mrbench tasksets generate`).
    public let generate: @Sendable (_ seed: UInt64) throws -> TaskSet
    /// How an entry's environment is made from the registered one.
    public let entryEnvironment: EntryEnvironment

    /// How a benchmark makes a task-set entry's environment from the registry's
    /// (`Registry.environment(entry.env)`); every variant is time-limited.
    public enum EntryEnvironment: Sendable, Equatable {
        /// The registered environment set to the entry's task (`EnvironmentSpec.make(task:)`).
        case registered
        /// Its goal-hidden variant (`EnvironmentSpec.makeGoalHidden(task:)`): ML1 and ML10.
        case goalHidden
        /// The registered environment with its observations padded to one layout shared by the
        /// benchmark's environments (`padObservations`): the Fetch benchmarks.
        case padded(ObservationLayout)
    }

    public init(id: String, summary: String, evaluation: EvaluationProtocol, models: [String], defaultSeed: UInt64, hidesGoal: Bool = false,
                rewardScale: Double = 1, entryEnvironment: EntryEnvironment = .registered,
                generate: @escaping @Sendable (_ seed: UInt64) throws -> TaskSet) {
        self.id = id; self.summary = summary; self.evaluation = evaluation; self.models = models
        self.defaultSeed = defaultSeed; self.hidesGoal = hidesGoal; self.rewardScale = rewardScale
        self.entryEnvironment = entryEnvironment; self.generate = generate
    }

    /// The frozen task set, verified against `Assets/MANIFEST.json`.
    public func taskSet(assets: String? = nil) throws -> TaskSet { try TaskSetStore.load(id, assets: assets) }

    /// A time-limited environment running one task-set entry.
    public func makeEnvironment(_ entry: TaskSetEntry, assets: String? = nil) throws -> any Environment {
        let registered = try Registry.environment(entry.env)
        switch entryEnvironment {
        case .registered: return try registered.make(assets: assets, task: entry.params)
        case .goalHidden: return try registered.makeGoalHidden(assets: assets, task: entry.params)
        case let .padded(layout): return try padObservations(registered.make(assets: assets, task: entry.params), to: layout)
        }
    }

    /// The scripted expert of an entry's family, if it has one.
    public func makeExpert(_ entry: TaskSetEntry) throws -> (any Policy)? {
        try Registry.environment(entry.env).makeExpert(task: entry.params)
    }

    /// SHA-256 over the benchmark's id, protocol, model checksums, task-set checksum, and the
    /// behaviour fingerprints recorded in `MANIFEST.json` for the benchmark and every environment
    /// its task set uses (so a change of code that changes behaviour changes the digest too).
    public func digest(assets: String? = nil) throws -> String {
        let root = try AssetLocator.root(explicit: assets)
        var text = "mrbench-benchmark-digest/2\nid \(id)\nhidesGoal \(hidesGoal)\n"
        text += "protocol " + String(decoding: try JSONCoding.data(evaluation), as: UTF8.self) + "\n"
        for m in (models + [TaskSetStore.relativePath(id)]).sorted() {
            text += "\(m) \(try AssetManifest.checksum(root + "/" + m))\n"
        }
        let manifest = try AssetManifest.load(assets: root)
        let set = try taskSet(assets: assets)
        for e in Set((set.train + set.test).map(\.env)).sorted() {
            text += "behaviour \(e) \(try manifest.fingerprint(environment: e))\n"
        }
        text += "behaviour benchmark \(try manifest.fingerprint(benchmark: id))\n"
        return SHA256.hex(text)
    }
}

/// Every registered environment and benchmark, by versioned id. Ids are never reused for changed
/// behaviour: a change to dynamics, reward, observation, horizon or task set is a new version.
public enum Registry {
    public static let environments: [EnvironmentSpec] = [
        PendulumEnvironment.spec,
        PointNavigationEnvironment.denseSpec,
        PointNavigationEnvironment.sparseSpec,
        CubeNavigationEnvironment.spec,
    ] + LocomotionFamilies.specs + FetchFamily.specs + ManipulationFamilies.specs

    public static let benchmarks: [BenchmarkSpec] = NavigationBenchmarks.specs + LocomotionFamilies.benchmarks + FetchFamily.benchmarks
        + ManipulationFamilies.benchmarks

    /// Id → spec, for the one-hop lookups below (the first registration of an id wins, as a search
    /// of the lists in order would find).
    private static let environmentsByID = Dictionary(environments.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    private static let benchmarksByID = Dictionary(benchmarks.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })

    /// The spec of a registered benchmark.
    /// - Throws: `RegistryError.unknownBenchmark` listing the known ids.
    public static func benchmark(_ id: String) throws(RegistryError) -> BenchmarkSpec {
        guard let b = benchmarksByID[id] else {
            throw .unknownBenchmark(id, known: benchmarks.map(\.id))
        }
        return b
    }

    /// The spec of a registered environment.
    /// - Throws: `RegistryError.unknownEnvironment` listing the known ids.
    public static func environment(_ id: String) throws(RegistryError) -> EnvironmentSpec {
        guard let s = environmentsByID[id] else {
            throw .unknownEnvironment(id, known: environments.map(\.id))
        }
        return s
    }
}

public enum RegistryError: Error, Equatable, CustomStringConvertible {
    case unknownEnvironment(String, known: [String])
    case noPhysics(String)
    case unknownBenchmark(String, known: [String])
    case noExpert(String)
    case noHiddenGoal(String)
    public var description: String {
        switch self {
        case let .noPhysics(id): return "environment '\(id)' has no physics simulation"
        case let .unknownEnvironment(id, known): return "unknown environment '\(id)'; registered: \(known.joined(separator: ", "))"
        case let .noExpert(id): return "environment '\(id)' has no scripted expert"
        case let .noHiddenGoal(id): return "environment '\(id)' has no goal-hidden variant"
        case let .unknownBenchmark(id, known): return "unknown benchmark '\(id)'; registered: \(known.isEmpty ? "none" : known.joined(separator: ", "))"
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
