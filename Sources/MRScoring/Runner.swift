import Foundation
import MRCore

/// One trial of the meta-test protocol: a test-split entry (a task and goal) under one seed.
public struct Trial: Sendable, Hashable {
    /// Position in the evaluation's fixed order (seed-major: all entries of seed 0, then seed 1…).
    public let index: Int
    /// The seed number s (0 ..< seeds).
    public let seedIndex: Int
    /// Index of the entry in the benchmark's test split.
    public let entry: Int
    /// The stratum the entry is scored under (the Sawyer task, the locomotion family…).
    public let task: String
    /// The trial's seed (see `EvaluationPlan` for the rule).
    public let seed: UInt64

    /// The seed of the environment reset of episode `number` (0-based over both phases).
    public func resetSeed(episode number: Int) -> UInt64 { SeededGenerator.derive(seed, "reset/\(number)") }
    /// The seed handed to the agent for this trial.
    public var agentSeed: UInt64 { SeededGenerator.derive(seed, "agent") }
    /// "trial 12 (seed 1, entry 3, task 'reach')".
    public var label: String { "trial \(index) (seed \(seedIndex), entry \(entry), task '\(task)')" }
}

/// Which part of a sharded evaluation to run: trial i belongs to shard (i mod count) + 1.
public struct Shard: Sendable, Hashable, CustomStringConvertible {
    public let index: Int
    public let count: Int
    public init(index: Int, count: Int) throws {
        guard count >= 1, (1...count).contains(index) else { throw EvaluationError.invalid("shard \(index)/\(count): need 1 ≤ K ≤ N") }
        self.index = index; self.count = count
    }
    /// Parses "K/N".
    public init(parsing s: String) throws {
        let p = s.split(separator: "/")
        guard p.count == 2, let k = Int(p[0]), let n = Int(p[1]) else { throw EvaluationError.invalid("shard '\(s)': expected K/N, e.g. 1/4") }
        try self.init(index: k, count: n)
    }
    public func contains(_ trialIndex: Int) -> Bool { trialIndex % count == index - 1 }
    public var description: String { "\(index)/\(count)" }
}

/// The trial indices an evaluation runs: all of 0 ..< total, or those of one shard, in order.
/// Computed, never stored, so that planning costs the same for 10 trials or 10 billion.
public struct TrialSelection: RandomAccessCollection, Sendable, Hashable {
    public let total: Int
    public let shard: Shard?
    public init(total: Int, shard: Shard? = nil) { self.total = Swift.max(0, total); self.shard = shard }

    public var startIndex: Int { 0 }
    public var endIndex: Int {
        guard let shard else { return total }
        return total > shard.index - 1 ? (total - shard.index + shard.count) / shard.count : 0
    }
    public subscript(position: Int) -> Int { shard.map { position * $0.count + $0.index - 1 } ?? position }

    /// Whether trial `index` is selected (constant time).
    public func contains(trial index: Int) -> Bool { index >= 0 && index < total && (shard?.contains(index) ?? true) }
}

/// The trials of an evaluation, in their fixed order.
///
/// Seed rule (documented in EVALUATION.md and the entry): with root seed R, trial (s, e) — seed
/// number s, test entry e — has seed `derive(derive(R, "seed/s"), "entry/e")`; episode j of the
/// trial (0-based over adaptation then evaluation) resets the environment with
/// `derive(trialSeed, "reset/j")`; the agent receives `derive(trialSeed, "agent")`.
/// `derive(x, label)` is `SeededGenerator.derive` (SplitMix64 of x xor the FNV-1a hash of label).
public struct EvaluationPlan: Sendable {
    public let tasks: [String]
    public let seeds: Int
    public let rootSeed: UInt64
    public let evaluation: EvaluationProtocol

    /// - Parameter tasks: the stratum name of each test-split entry, in the split's order.
    public init(tasks: [String], seeds: Int, rootSeed: UInt64 = 0, evaluation: EvaluationProtocol) throws {
        guard !tasks.isEmpty else { throw EvaluationError.invalid("the test split has no entries") }
        guard seeds >= 1 else { throw EvaluationError.invalid("need at least one seed") }
        guard seeds <= Self.maxSeeds else {
            throw EvaluationError.invalid("\(seeds) seeds: at most \(Self.maxSeeds) (an entry keeps every per-seed score)")
        }
        guard evaluation.evaluationEpisodes >= 1, evaluation.adaptationEpisodes >= 0, evaluation.horizon >= 1 else {
            throw EvaluationError.invalid("protocol needs E ≥ 1, K ≥ 0, horizon ≥ 1")
        }
        self.tasks = tasks; self.seeds = seeds; self.rootSeed = rootSeed; self.evaluation = evaluation
    }

    /// The most seeds an evaluation may have: entries keep every per-seed score, and trial counts stay far from overflow.
    public static let maxSeeds = 100_000

    public var trialCount: Int { tasks.count * seeds }

    public func trial(_ index: Int) -> Trial {
        let s = index / tasks.count, e = index % tasks.count
        let seed = SeededGenerator.derive(SeededGenerator.derive(rootSeed, "seed/\(s)"), "entry/\(e)")
        return Trial(index: index, seedIndex: s, entry: e, task: tasks[e], seed: seed)
    }

    /// Every trial, computed on demand (nothing proportional to the trial count is stored).
    public var trials: LazyMapSequence<Range<Int>, Trial> { (0..<trialCount).lazy.map(trial) }

    /// Stratum name → number of test entries (goals) under it.
    public var goalsPerTask: [String: Int] { tasks.reduce(into: [:]) { $0[$1, default: 0] += 1 } }
}

/// One episode's figures, computed by the harness from the environment. The return is kept to
/// 6 decimals (the entry's rounding), so journals, shard files and direct runs aggregate the same numbers.
public struct EpisodeRecord: Sendable, Hashable {
    public var phase: EpisodePhase
    public var totalReward: Double
    public var success: Bool
    public var length: Int
    public init(phase: EpisodePhase, totalReward: Double, success: Bool, length: Int) {
        self.phase = phase; self.totalReward = totalReward; self.success = success; self.length = length
    }
}

/// Everything recorded about a completed trial.
public struct TrialRecord: Sendable, Hashable {
    public var index: Int
    public var seedIndex: Int
    public var entry: Int
    public var task: String
    /// Adaptation episodes, then evaluation episodes.
    public var episodes: [EpisodeRecord]
    /// Actions that were out of range and clipped (only with clip-actions).
    public var clippedActions: Int
    public init(index: Int, seedIndex: Int, entry: Int, task: String, episodes: [EpisodeRecord], clippedActions: Int) {
        self.index = index; self.seedIndex = seedIndex; self.entry = entry; self.task = task
        self.episodes = episodes; self.clippedActions = clippedActions
    }

    public var steps: Int { episodes.reduce(0) { $0 + $1.length } }
    public var evaluationEpisodes: [EpisodeRecord] { episodes.filter { $0.phase == .evaluation } }

    /// The trial's score: the fraction of successful evaluation episodes, or their mean return.
    public func score(_ metric: EvaluationProtocol.Metric) -> Double {
        let ev = evaluationEpisodes
        switch metric {
        case .success: return Double(ev.filter(\.success).count) / Double(ev.count)
        case .return: return ev.reduce(0) { $0 + $1.totalReward } / Double(ev.count)
        }
    }

    /// Compact JSON with exact numbers (journals and shard files).
    public var json: JSONValue {
        .object([
            "index": .number(Double(index)), "seed": .number(Double(seedIndex)), "entry": .number(Double(entry)),
            "task": .string(task), "clipped": .number(Double(clippedActions)),
            "episodes": .array(episodes.map {
                .array([.string($0.phase.rawValue), .number($0.totalReward), .bool($0.success), .number(Double($0.length))])
            }),
        ])
    }

    public init(json v: JSONValue) throws {
        guard let index = v["index"]?.intValue, let seed = v["seed"]?.intValue, let entry = v["entry"]?.intValue,
              let task = v["task"]?.stringValue, let clipped = v["clipped"]?.intValue, let eps = v["episodes"]?.arrayValue
        else { throw EvaluationError.invalid("malformed trial record") }
        var episodes: [EpisodeRecord] = []
        for e in eps {
            guard let a = e.arrayValue, a.count == 4, let p = a[0].stringValue.flatMap(EpisodePhase.init(rawValue:)),
                  let r = a[1].doubleValue, let s = a[2].boolValue, let l = a[3].intValue
            else { throw EvaluationError.invalid("malformed episode in trial record \(index)") }
            episodes.append(EpisodeRecord(phase: p, totalReward: r, success: s, length: l))
        }
        self.init(index: index, seedIndex: seed, entry: entry, task: task, episodes: episodes, clippedActions: clipped)
    }
}

/// Errors of an evaluation. Agent failures name the trial, phase, episode and step.
public enum EvaluationError: Error, CustomStringConvertible, Sendable {
    case invalid(String)
    case agent(String)
    case environment(String)
    case interrupted

    public var description: String {
        switch self {
        case let .invalid(m): return m
        case let .agent(m): return "agent error: \(m)"
        case let .environment(m): return "environment error: \(m)"
        case .interrupted: return "interrupted"
        }
    }
}

/// An error raised by an agent session; the runner adds where it happened.
public struct AgentFailure: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// The runner's view of an agent for one worker thread: trials, episodes, one action per step.
/// Built-in meta-learners, privileged experts and external processes all meet it.
public protocol AgentSession: AnyObject {
    /// A new trial begins: the agent must forget the previous task.
    func beginTrial(_ trial: Trial, seed: UInt64) throws
    /// An episode begins with `observation`; returns the first action.
    func beginEpisode(phase: EpisodePhase, index: Int, observation: [Float]) throws -> [Float]
    /// The result of the last action. Returns the next action while the episode runs, nil once it is over.
    func observe(_ transition: Transition, step: Int) throws -> [Float]?
    /// The adaptation episodes are over.
    func adapt() throws
    /// The trial is over.
    func endTrial() throws
    /// The evaluation is over (or stopped): release processes and files.
    func close()
}

/// A `MetaLearner` as a session: exploration policy for the adaptation episodes, `adapt`, then
/// the adapted policy for the evaluation episodes.
public final class MetaLearnerSession: AgentSession {
    let learner: any MetaLearner
    let context: AgentContext
    var policy: (any Policy)?
    var episodes: [Episode] = []
    var current = Episode()
    var recording = false

    public init(_ learner: any MetaLearner, context: AgentContext) { self.learner = learner; self.context = context }

    public func beginTrial(_ trial: Trial, seed: UInt64) throws {
        let p = try learner.explorationPolicy(context: context, seed: seed)
        p.beginTrial(seed: seed)
        policy = p
        episodes = []
    }

    public func beginEpisode(phase: EpisodePhase, index: Int, observation: [Float]) throws -> [Float] {
        current = Episode()
        recording = phase == .adaptation
        policy!.beginEpisode(phase: phase)
        return policy!.act(observation)
    }

    public func observe(_ t: Transition, step: Int) throws -> [Float]? {
        policy!.observe(t)
        // Only the adaptation episodes are handed to `adapt`; evaluation transitions are not kept.
        if recording { current.transitions.append(t) }
        if t.status.isDone { if recording { episodes.append(current) }; return nil }
        return policy!.act(t.nextObservation)
    }

    public func adapt() throws { policy = try learner.adapt(policy!, episodes: episodes) }
    public func endTrial() throws { policy = nil; episodes = [] }
    public func close() {}
}

/// A privileged policy made per trial (the scripted experts: they know the goal).
public final class PrivilegedSession: AgentSession {
    let make: (Trial) throws -> any Policy
    var policy: (any Policy)?

    public init(_ make: @escaping (Trial) throws -> any Policy) { self.make = make }

    public func beginTrial(_ trial: Trial, seed: UInt64) throws {
        let p = try make(trial)
        p.beginTrial(seed: seed)
        policy = p
    }
    public func beginEpisode(phase: EpisodePhase, index: Int, observation: [Float]) throws -> [Float] {
        policy!.beginEpisode(phase: phase)
        return policy!.act(observation)
    }
    public func observe(_ t: Transition, step: Int) throws -> [Float]? {
        policy!.observe(t)
        return t.status.isDone ? nil : policy!.act(t.nextObservation)
    }
    public func adapt() throws {}
    public func endTrial() throws { policy = nil }
    public func close() {}
}

/// The meta-test runner: runs trials over worker threads (one environment and one agent session
/// per thread) and returns their records in the plan's fixed order, so that the results do not
/// depend on the number of threads.
public struct Runner: Sendable {
    public let plan: EvaluationPlan
    /// Makes the time-limited environment of a trial (called on the worker thread).
    public let makeEnvironment: @Sendable (Trial) throws -> any Environment
    /// Makes the agent session of a worker (argument: worker number).
    public let makeSession: @Sendable (Int) throws -> any AgentSession
    /// Out-of-range actions are an error (external agents) unless `clipActions`.
    public let strictActions: Bool
    public let clipActions: Bool

    public init(plan: EvaluationPlan, strictActions: Bool, clipActions: Bool,
                makeEnvironment: @escaping @Sendable (Trial) throws -> any Environment,
                makeSession: @escaping @Sendable (Int) throws -> any AgentSession) {
        self.plan = plan; self.strictActions = strictActions; self.clipActions = clipActions
        self.makeEnvironment = makeEnvironment; self.makeSession = makeSession
    }

    /// The outcome of `run`: records of the completed trials (sorted by index) and the first
    /// error, if the run stopped early.
    public struct Outcome: Sendable {
        public var records: [TrialRecord]
        public var error: EvaluationError?
    }

    /// Progress after each completed trial.
    public struct Progress: Sendable {
        public var done: Int
        public var total: Int
        public var steps: Int
    }

    /// Runs the trials in `indices` (skipping `completed`) over `threads` workers.
    /// - Parameters:
    ///   - onTrial: called (serialised) with each completed record, e.g. to append it to a journal.
    ///   - shouldStop: polled between trials (Ctrl-C).
    /// `indices` is walked lazily (a `TrialSelection` of any size costs nothing up front).
    public func run<C: RandomAccessCollection & Sendable>(indices: C, completed: [TrialRecord] = [], threads: Int,
                    onTrial: @escaping @Sendable (TrialRecord, Progress) -> Void = { _, _ in },
                    shouldStop: @escaping @Sendable () -> Bool = { false }) -> Outcome where C.Element == Int {
        let done = Set(completed.map(\.index))
        let count = indices.count
        let todo = TrialQueue(count: count, done: done) { indices[indices.index(indices.startIndex, offsetBy: $0)] }
        let state = SharedState(records: completed, total: count)
        let workers = max(1, min(threads, count - done.count))
        let work: @Sendable (Int) -> Void = { w in
            var session: (any AgentSession)?
            defer { session?.close() }
            while true {
                guard !state.stopped, !shouldStop(), let next = state.take(todo) else { return }
                do {
                    if session == nil { session = try makeSession(w) }
                    let rec = try runTrial(plan.trial(next), session: session!)
                    state.complete(rec, onTrial)
                } catch let e as EvaluationError {
                    state.fail(e); return
                } catch {
                    state.fail(.agent("\(error)")); return
                }
            }
        }
        if workers == 1 { work(0) } else {
            let group = DispatchGroup()
            for w in 0..<workers {
                group.enter()
                Thread.detachNewThread { work(w); group.leave() }
            }
            group.wait()
        }
        var out = state.outcome()
        if out.error == nil, shouldStop(), out.records.count < indices.count { out.error = .interrupted }
        return out
    }

    /// Runs one trial: K adaptation episodes, adapt, E evaluation episodes.
    public func runTrial(_ trial: Trial, session: any AgentSession) throws -> TrialRecord {
        let env: any Environment
        do { env = try makeEnvironment(trial) } catch { throw EvaluationError.environment("\(trial.label): \(error)") }
        let p = plan.evaluation
        var episodes: [EpisodeRecord] = []
        var clipped = 0
        func where_(_ phase: EpisodePhase, _ k: Int, _ step: Int?) -> String {
            "\(trial.label), \(phase.rawValue) episode \(k)" + (step.map { ", step \($0)" } ?? "")
        }
        do { try session.beginTrial(trial, seed: trial.agentSeed) } catch { throw Self.agentError("\(trial.label), trial start", error) }
        var number = 0
        for (phase, count) in [(EpisodePhase.adaptation, p.adaptationEpisodes), (.evaluation, p.evaluationEpisodes)] {
            if phase == .evaluation {
                do { try session.adapt() } catch { throw Self.agentError("\(trial.label), adapt", error) }
            }
            for k in 0..<count {
                var cursor = EpisodeCursor(env, seed: trial.resetSeed(episode: number), horizon: p.horizon)
                number += 1
                var action: [Float]
                do { action = try session.beginEpisode(phase: phase, index: k, observation: cursor.observation) } catch {
                    throw Self.agentError("\(where_(phase, k, 0))", error)
                }
                while true {
                    let a: [Float]
                    do { a = try checkAction(action, env.actionSpace, &clipped) } catch {
                        throw Self.agentError("\(where_(phase, k, cursor.length))", error)
                    }
                    let t: Transition
                    do { t = try cursor.step(a) } catch { throw EvaluationError.environment("\(where_(phase, k, cursor.length)): \(error)") }
                    let next: [Float]?
                    // An error here concerns the action of the next step (index `length`).
                    do { next = try session.observe(t, step: cursor.length - 1) } catch {
                        throw Self.agentError("\(where_(phase, k, cursor.length))", error)
                    }
                    if cursor.isDone { break }
                    guard let n = next else { throw EvaluationError.agent("\(where_(phase, k, cursor.length)): no action for a running episode") }
                    action = n
                }
                episodes.append(EpisodeRecord(phase: phase, totalReward: JSONText.round6(cursor.totalReward), success: cursor.succeeded, length: cursor.length))
            }
        }
        do { try session.endTrial() } catch { throw Self.agentError("\(trial.label), trial end", error) }
        return TrialRecord(index: trial.index, seedIndex: trial.seedIndex, entry: trial.entry, task: trial.task,
                           episodes: episodes, clippedActions: clipped)
    }

    /// An agent's error with where it happened; an interruption (Ctrl-C during the agent's turn) stays one.
    static func agentError(_ location: String, _ error: any Error) -> EvaluationError {
        if case EvaluationError.interrupted = error { return .interrupted }
        return .agent("\(location): \(error)")
    }

    /// Length and finiteness are always checked; out-of-range components are an error for strict
    /// (external) agents unless `clipActions`, when they are clipped and counted.
    func checkAction(_ a: [Float], _ space: BoxSpace, _ clipped: inout Int) throws -> [Float] {
        guard a.count == space.dimension else { throw AgentFailure("action has \(a.count) components, the action space has \(space.dimension)") }
        var out = a, wasClipped = false
        for i in a.indices {
            guard a[i].isFinite else { throw AgentFailure("action component \(i) is \(a[i]), not a finite number") }
            if a[i] < space.low[i] || a[i] > space.high[i] {
                if strictActions && !clipActions {
                    throw AgentFailure("action component \(i) is \(a[i]), outside the action space [\(space.low[i]), \(space.high[i])] (run with --clip-actions to clip instead)")
                }
                out[i] = min(max(a[i], space.low[i]), space.high[i])
                wasClipped = true
            }
        }
        if wasClipped && clipActions { clipped += 1 }
        return out
    }
}

/// The trial indices to run, read position by position (`SharedState.take`), minus those done.
struct TrialQueue: Sendable {
    let count: Int
    let done: Set<Int>
    let at: @Sendable (Int) -> Int
}

/// Work queue and results shared by the worker threads.
final class SharedState: @unchecked Sendable {
    private let lock = NSLock()
    private var records: [TrialRecord]
    private var cursor = 0
    private var error: EvaluationError?
    private var steps: Int
    private let total: Int

    init(records: [TrialRecord], total: Int) {
        self.records = records; self.total = total
        steps = records.reduce(0) { $0 + $1.steps }
    }

    var stopped: Bool { lock.withLock { error != nil } }

    /// The next index of `todo` not done yet, or nil when none is left.
    func take(_ todo: TrialQueue) -> Int? {
        lock.withLock {
            while cursor < todo.count {
                let i = todo.at(cursor)
                cursor += 1
                if !todo.done.contains(i) { return i }
            }
            return nil
        }
    }

    func complete(_ r: TrialRecord, _ notify: (TrialRecord, Runner.Progress) -> Void) {
        lock.withLock {
            records.append(r)
            steps += r.steps
            notify(r, Runner.Progress(done: records.count, total: total, steps: steps))
        }
    }

    func fail(_ e: EvaluationError) { lock.withLock { if error == nil { error = e } } }

    func outcome() -> Runner.Outcome {
        lock.withLock { Runner.Outcome(records: records.sorted { $0.index < $1.index }, error: error) }
    }
}
