import Foundation
import MRCore
import MRSuite

/// Status codes of the C ABI (mrbench.h).
enum Code {
    static let ok: Int32 = 0
    static let unknownID: Int32 = 1
    static let argument: Int32 = 2
    static let action: Int32 = 3
    static let state: Int32 = 4
    static let `internal`: Int32 = 5
}

/// Episode status codes of the C ABI.
enum StatusCode {
    static let running: Int8 = 0
    static let terminated: Int8 = 1
    static let truncated: Int8 = 2
    static let diverged: Int8 = 3
    static let autoreset: Int8 = 4

    static func of(_ s: EpisodeStatus) -> Int8 {
        switch s {
        case .running: return running
        case .terminated: return terminated
        case .truncated(.timeLimit): return truncated
        case .truncated(.diverged): return diverged
        }
    }
}

/// An error that crosses the boundary as a code and a message.
struct ABIError: Error {
    let code: Int32
    let message: String
    init(_ code: Int32, _ message: String) { self.code = code; self.message = message }
}

/// A NUL-terminated copy of a string that lives as long as its owner.
final class CString: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<CChar>
    init(_ s: String) { pointer = strdup(s)! }
    deinit { free(pointer) }
}

/// Process-wide state of the library: the assets directory, the benchmarks' train splits and
/// their descriptions, the catalogue. Guarded by one lock.
final class LibraryState: @unchecked Sendable {
    static let shared = LibraryState()
    private let lock = NSLock()
    private var assetsPath: String?
    private var training: [String: TrainingTasks] = [:]
    private var benchmarkInfos: [String: CString] = [:]
    private var catalogueText: CString?

    var assets: String? {
        get { lock.withLock { assetsPath } }
        set { lock.withLock { assetsPath = newValue; training = [:] } }
    }

    /// The train split of a benchmark, loaded once.
    func trainingTasks(_ id: String) throws(ABIError) -> TrainingTasks {
        let assets = self.assets
        if let t = lock.withLock({ training[id] }) { return t }
        let spec: BenchmarkSpec
        do throws(RegistryError) { spec = try Registry.benchmark(id) } catch { throw ABIError(Code.unknownID, error.description) }
        let t: TrainingTasks
        do { t = try spec.trainingTasks(assets: assets) } catch { throw ABIError(Code.internal, "\(id): \(error)") }
        lock.withLock { training[id] = t }
        return t
    }

    func benchmarkInfo(_ id: String) throws(ABIError) -> UnsafePointer<CChar> {
        if let s = lock.withLock({ benchmarkInfos[id] }) { return UnsafePointer(s.pointer) }
        let t = try trainingTasks(id)
        let spec = try! Registry.benchmark(id)
        let c = t.context
        let bound: (Float) -> Double? = { $0.isFinite ? Double($0) : nil }
        let info = BenchmarkInfo(id: id, train_tasks: t.count, labels: t.labels, hides_goal: spec.hidesGoal, reward_scale: t.rewardScale,
                                 protocol: ProtocolInfo(t.evaluation), observation_size: c.observationSpace.dimension,
                                 action_size: c.actionSpace.dimension,
                                 observation_low: c.observationSpace.low.map(bound), observation_high: c.observationSpace.high.map(bound),
                                 layout: c.observationLayout.segments.map { LayoutInfo(name: $0.name, start: $0.start, count: $0.count) })
        let s = CString(jsonText(info))
        lock.withLock { benchmarkInfos[id] = s }
        return UnsafePointer(s.pointer)
    }

    var catalogue: UnsafePointer<CChar> {
        lock.withLock {
            if catalogueText == nil { catalogueText = CString(jsonText(Catalogue.current)) }
            return UnsafePointer(catalogueText!.pointer)
        }
    }
}

/// The calling thread's last error message.
enum LastError {
    private static let key = "mrbench.last-error"
    static func set(_ message: String) { Thread.current.threadDictionary[key] = CString(message) }
    static var pointer: UnsafePointer<CChar>? {
        (Thread.current.threadDictionary[key] as? CString).map { UnsafePointer($0.pointer) }
    }
}

/// Runs `body`, turning any error into a status code and the thread's last error.
func guarded(_ body: () throws(ABIError) -> Void) -> Int32 {
    do { try body(); return Code.ok } catch {
        LastError.set(error.message)
        return error.code
    }
}

/// A string argument, refusing NULL and invalid UTF-8.
func string(_ p: UnsafePointer<CChar>?, _ what: String) throws(ABIError) -> String {
    guard let p else { throw ABIError(Code.argument, "\(what) is NULL") }
    guard let s = String(validatingCString: p) else { throw ABIError(Code.argument, "\(what) is not valid UTF-8") }
    return s
}

/// Checks a caller buffer: non-NULL and of the expected element count.
func checkBuffer<T>(_ p: UnsafePointer<T>?, _ count: Int, expected: Int, _ what: String) throws(ABIError) -> UnsafePointer<T> {
    guard let p else { throw ABIError(Code.argument, "\(what) is NULL") }
    guard count == expected else { throw ABIError(Code.argument, "\(what) has \(count) elements, expected \(expected)") }
    return p
}

func checkBuffer<T>(_ p: UnsafeMutablePointer<T>?, _ count: Int, expected: Int, _ what: String) throws(ABIError) -> UnsafeMutablePointer<T> {
    guard let p else { throw ABIError(Code.argument, "\(what) is NULL") }
    guard count == expected else { throw ABIError(Code.argument, "\(what) has \(count) elements, expected \(expected)") }
    return p
}

func nonNull<T>(_ p: UnsafeMutablePointer<T>?, _ what: String) throws(ABIError) -> UnsafeMutablePointer<T> {
    guard let p else { throw ABIError(Code.argument, "\(what) is NULL") }
    return p
}


/// One environment behind the ABI: the environment (a registry environment, or a benchmark's
/// train task behind `LearnerEnvironment`), its episode bookkeeping and seed chain.
final class EnvHandle {
    let environment: any EpisodicEnvironment
    let id: String
    let observationSize: Int
    let actionSize: Int
    let horizon: Int
    /// The goal-reward function (MRSuite's `BenchmarkSpec.goalReward`, the one `step` pays with); nil unless goal-conditioned.
    let goal: GoalRewardFunction?
    let info: CString

    private(set) var baseSeed: UInt64 = 0
    private(set) var episode: UInt64 = 0
    /// The episode in progress (nil before the first reset): `EpisodeCursor`, the one episode
    /// loop, steps it and owns the horizon check.
    private var cursor: EpisodeCursor?
    /// The episode ran past the horizon (the cursor refused the step): it must be reset.
    private var pastHorizon = false

    init(environment: any EpisodicEnvironment, id: String, horizon: Int, goal: GoalRewardFunction?, benchmark: BenchmarkBinding?) {
        self.environment = environment
        self.id = id
        observationSize = environment.observationSpace.dimension
        actionSize = environment.actionSpace.dimension
        self.horizon = horizon
        self.goal = goal
        let space = environment.observationSpace
        let bound: (Float) -> Double? = { $0.isFinite ? Double($0) : nil }
        let info = EnvInfo(id: id, observation_size: observationSize, action_size: actionSize, horizon: horizon,
                           observation_low: space.low.map(bound), observation_high: space.high.map(bound),
                           layout: environment.observationLayout.segments.map { LayoutInfo(name: $0.name, start: $0.start, count: $0.count) },
                           goal: goal.map { GoalInfo(achieved: [$0.achievedGoal.lowerBound, $0.achievedGoal.count], desired: [$0.desiredGoal.lowerBound, $0.desiredGoal.count]) },
                           benchmark: benchmark)
        self.info = CString(jsonText(info))
    }

    /// A registered environment with its default task.
    static func make(id: String) throws(ABIError) -> EnvHandle {
        let spec: EnvironmentSpec
        do throws(RegistryError) { spec = try Registry.environment(id) } catch { throw ABIError(Code.unknownID, error.description) }
        let env: any Environment
        do { env = try spec.make(assets: LibraryState.shared.assets) } catch { throw ABIError(Code.internal, "\(id): \(error)") }
        return EnvHandle(environment: env, id: id, horizon: env.horizon, goal: BenchmarkSpec.goalReward(envID: id, layout: env.observationLayout), benchmark: nil)
    }

    /// Train task `index` of a benchmark; its task stays inside `LearnerEnvironment`.
    static func makeTrain(benchmark: String, index: Int) throws(ABIError) -> EnvHandle {
        let tasks = try LibraryState.shared.trainingTasks(benchmark)
        guard index >= 0 && index < tasks.count else {
            throw ABIError(Code.argument, "train task \(index) is out of range: \(benchmark) has \(tasks.count) train tasks (0..<\(tasks.count))")
        }
        let env: LearnerEnvironment
        do { env = try tasks.environment(index) } catch { throw ABIError(Code.internal, "\(benchmark) train task \(index): \(error)") }
        let spec = try! Registry.benchmark(benchmark)
        let binding = BenchmarkBinding(id: benchmark, task_index: index, label: tasks.labels[index], hides_goal: spec.hidesGoal, reward_scale: tasks.rewardScale)
        return EnvHandle(environment: env, id: "\(benchmark)/train/\(index)", horizon: tasks.evaluation.horizon, goal: tasks.goalReward, benchmark: binding)
    }

    /// The seed the next unseeded reset uses.
    var nextChainedSeed: UInt64 { SeededGenerator.derive(baseSeed, episode + 1) }

    /// Starts an episode with `seed`, or the next seed of the chain.
    func reset(seed: UInt64?) -> [Float] {
        let s: UInt64
        if let seed { baseSeed = seed; episode = 0; s = seed } else { s = nextChainedSeed; episode += 1 }
        let c = EpisodeCursor(environment, seed: s, horizon: horizon)
        cursor = c
        pastHorizon = false
        return c.observation
    }

    /// Refuses a wrong-length or non-finite action before anything moves.
    func checkAction(_ a: UnsafeBufferPointer<Float>) throws(ABIError) {
        guard a.count == actionSize else { throw ABIError(Code.argument, "action has \(a.count) components, the action space of \(id) has \(actionSize)") }
        for i in 0..<a.count where !a[i].isFinite {
            throw ABIError(Code.action, "action component \(i) is \(a[i]), not a finite number")
        }
    }

    func checkCanStep() throws(ABIError) {
        guard let cursor else { throw ABIError(Code.state, "step called before reset on \(id); call reset first") }
        guard !cursor.isDone && !pastHorizon else { throw ABIError(Code.state, "step called after the episode ended on \(id); call reset first") }
    }

    /// One step, through the episode's `EpisodeCursor`. The environment ends its episodes
    /// (registry environments are time-limited); an episode still running at the horizon is an
    /// error (the cursor's `EnvironmentError.pastHorizon`), never cut here. The action must have
    /// passed `checkAction`.
    func step(_ action: [Float]) throws(ABIError) -> StepResult {
        try checkCanStep()
        let t: Transition
        do { t = try cursor!.step(action) } catch {
            if let e = error as? ActionError { throw ABIError(Code.action, e.description) }
            if let e = error as? EnvironmentError {
                if case .pastHorizon = e { pastHorizon = true; throw ABIError(Code.internal, "\(id): \(e)") }
                if e == .stepAfterDone || e == .stepBeforeReset { throw ABIError(Code.state, "\(id): \(e)") }
            }
            throw ABIError(Code.internal, "\(id): \(error)")
        }
        return StepResult(observation: t.nextObservation, reward: t.reward, status: t.status, info: cursor!.lastInfo!)
    }
}

/// N environments stepped together (next-step auto-reset) on the threads of a `SlotRunner`.
final class VecHandle {
    let envs: [EnvHandle]
    let threads: Int
    let observationSize: Int
    let actionSize: Int
    private(set) var needsReset: [Bool]
    private(set) var started = false
    let runner: SlotRunner
    /// Held for the length of a call: a second thread calling the same vector is refused.
    private let inUse = NSLock()

    init(envs: [EnvHandle], threads: Int) {
        self.envs = envs
        runner = makeSlotRunner(slots: envs.count, threads: threads)
        self.threads = runner.participants
        observationSize = envs[0].observationSize
        actionSize = envs[0].actionSize
        needsReset = Array(repeating: false, count: envs.count)
    }

    deinit { runner.shutdown() }

    /// Runs `call` unless another thread is inside a call on this vector.
    private func exclusive(_ call: () throws(ABIError) -> Void) throws(ABIError) {
        guard inUse.try() else {
            throw ABIError(Code.state, "the vector environment is already in a call from another thread; one thread at a time")
        }
        defer { inUse.unlock() }
        try call()
    }

    func reset(seeds: [UInt64]?, obs: UnsafeMutablePointer<Float>) throws(ABIError) {
        try exclusive { () throws(ABIError) in resetAll(seeds: seeds, obs: obs) }
    }

    func step(actions: UnsafePointer<Float>, obs: UnsafeMutablePointer<Float>, reward: UnsafeMutablePointer<Double>,
              status: UnsafeMutablePointer<Int8>, success: UnsafeMutablePointer<Int8>) throws(ABIError) {
        try exclusive { () throws(ABIError) in try stepAll(actions: actions, obs: obs, reward: reward, status: status, success: success) }
    }

    private func resetAll(seeds: [UInt64]?, obs: UnsafeMutablePointer<Float>) {
        let o = UncheckedPointer(obs)
        parallel { i in
            let v = self.envs[i].reset(seed: seeds?[i])
            for k in 0..<self.observationSize { o.p[i * self.observationSize + k] = v[k] }
        }
        needsReset = Array(repeating: false, count: envs.count)
        started = true
    }

    private func stepAll(actions: UnsafePointer<Float>, obs: UnsafeMutablePointer<Float>, reward: UnsafeMutablePointer<Double>,
                         status: UnsafeMutablePointer<Int8>, success: UnsafeMutablePointer<Int8>) throws(ABIError) {
        guard started else { throw ABIError(Code.state, "step called before reset on the vector environment; call reset first") }
        for i in envs.indices where !needsReset[i] {
            do throws(ABIError) { try envs[i].checkAction(UnsafeBufferPointer(start: actions + i * actionSize, count: actionSize)) } catch {
                throw ABIError(error.code, "environment \(i): \(error.message)")
            }
        }
        let a = UncheckedPointer(UnsafeMutablePointer(mutating: actions)), o = UncheckedPointer(obs), r = UncheckedPointer(reward)
        let st = UncheckedPointer(status), su = UncheckedPointer(success)
        let failures = UncheckedBox<[ABIError?]>(Array(repeating: nil, count: envs.count))
        let resets = needsReset
        parallel { i in
            let env = self.envs[i]
            let v: [Float]
            if resets[i] {
                v = env.reset(seed: nil)
                r.p[i] = 0; st.p[i] = StatusCode.autoreset; su.p[i] = -1
            } else {
                do throws(ABIError) {
                    let res = try env.step(Array(UnsafeBufferPointer(start: a.p + i * self.actionSize, count: self.actionSize)))
                    v = res.observation
                    r.p[i] = res.reward; st.p[i] = StatusCode.of(res.status)
                    su.p[i] = res.info.success.map { $0 ? 1 : 0 } ?? -1
                } catch {
                    failures.value[i] = error
                    return
                }
            }
            for k in 0..<self.observationSize { o.p[i * self.observationSize + k] = v[k] }
        }
        for i in envs.indices { needsReset[i] = resets[i] ? false : status[i] != StatusCode.running }
        if let (i, e) = failures.value.enumerated().first(where: { $0.1 != nil }).map({ ($0.0, $0.1!) }) {
            throw ABIError(e.code, "environment \(i): \(e.message)")
        }
    }

    /// Runs `body` once for every slot on the vector's threads (each slot on one thread).
    private func parallel(_ body: @escaping (Int) -> Void) { runner.run(body) }
}

/// A pointer the parallel slots write to at disjoint indices.
struct UncheckedPointer<T>: @unchecked Sendable {
    let p: UnsafeMutablePointer<T>
    init(_ p: UnsafeMutablePointer<T>) { self.p = p }
}

/// A value shared by the parallel slots, each touching its own part.
final class UncheckedBox<T>: @unchecked Sendable {
    var value: T
    init(_ value: T) { self.value = value }
}

// MARK: - JSON shapes

struct LayoutInfo: Encodable { let name: String; let start: Int; let count: Int }
struct GoalInfo: Encodable { let achieved: [Int]; let desired: [Int] }
struct BenchmarkBinding: Encodable { let id: String; let task_index: Int; let label: String; let hides_goal: Bool; let reward_scale: Double }

struct EnvInfo: Encodable {
    let id: String
    let observation_size: Int
    let action_size: Int
    let horizon: Int
    let observation_low: [Double?]
    let observation_high: [Double?]
    let layout: [LayoutInfo]
    let goal: GoalInfo?
    let benchmark: BenchmarkBinding?

    func encode(to encoder: Encoder) throws {
        enum K: String, CodingKey { case id, observation_size, action_size, horizon, observation_low, observation_high, layout, goal, benchmark }
        var c = encoder.container(keyedBy: K.self)
        try c.encode(id, forKey: .id); try c.encode(observation_size, forKey: .observation_size)
        try c.encode(action_size, forKey: .action_size); try c.encode(horizon, forKey: .horizon)
        try c.encode(observation_low, forKey: .observation_low); try c.encode(observation_high, forKey: .observation_high)
        try c.encode(layout, forKey: .layout)
        if let goal { try c.encode(goal, forKey: .goal) } else { try c.encodeNil(forKey: .goal) }
        if let benchmark { try c.encode(benchmark, forKey: .benchmark) } else { try c.encodeNil(forKey: .benchmark) }
    }
}

struct ProtocolInfo: Encodable {
    let adaptation_episodes: Int, evaluation_episodes: Int, horizon: Int, metric: String
    init(_ p: EvaluationProtocol) {
        adaptation_episodes = p.adaptationEpisodes; evaluation_episodes = p.evaluationEpisodes; horizon = p.horizon; metric = p.metric.rawValue
    }
}

struct BenchmarkInfo: Encodable {
    let id: String; let train_tasks: Int; let labels: [String]; let hides_goal: Bool; let reward_scale: Double; let `protocol`: ProtocolInfo
    let observation_size: Int; let action_size: Int; let observation_low: [Double?]; let observation_high: [Double?]; let layout: [LayoutInfo]
}

struct Catalogue: Encodable {
    struct Env: Encodable { let id: String; let observation_size: Int; let action_size: Int; let horizon: Int; let control_timestep: Double; let tags: [String] }
    struct Bench: Encodable {
        let id: String; let summary: String; let metric: String; let adaptation_episodes: Int; let evaluation_episodes: Int
        let horizon: Int; let hides_goal: Bool; let reward_scale: Double
    }
    let abi: Int32
    let version: String
    let environments: [Env]
    let benchmarks: [Bench]

    static var current: Catalogue {
        Catalogue(abi: abiVersion, version: MRBenchInfo.version,
                  environments: Registry.environments.map {
                      Env(id: $0.id, observation_size: $0.observationSize, action_size: $0.actionSize, horizon: $0.horizon,
                          control_timestep: $0.controlTimestep, tags: $0.tags)
                  },
                  benchmarks: Registry.benchmarks.map {
                      Bench(id: $0.id, summary: $0.summary, metric: $0.evaluation.metric.rawValue, adaptation_episodes: $0.evaluation.adaptationEpisodes,
                            evaluation_episodes: $0.evaluation.evaluationEpisodes, horizon: $0.evaluation.horizon, hides_goal: $0.hidesGoal,
                            reward_scale: $0.rewardScale)
                  })
    }
}

let abiVersion: Int32 = 1

func jsonText<T: Encodable>(_ v: T) -> String {
    (try? JSONCoding.text(v)) ?? "{}"
}
