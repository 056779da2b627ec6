import Foundation
import MRCore

/// The meta-test runner: runs trials over worker threads (one environment and one agent session
/// per thread) and returns their records in the plan's fixed order, so that the results do not
/// depend on the number of threads.
public struct Runner: Sendable {
    public let plan: EvaluationPlan
    /// Makes the time-limited environment of a trial (called on the worker thread): it must end
    /// every episode by the protocol's horizon itself (the runner never truncates; an episode still
    /// running at the horizon fails the trial with `EnvironmentError.pastHorizon`).
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
        let queue = WorkQueue(count: count)
        // The next trial index not done yet: positions of `indices` come from the queue, each once.
        let nextTrial: @Sendable () -> Int? = {
            while let k = queue.take() {
                let i = indices[indices.index(indices.startIndex, offsetBy: k)]
                if !done.contains(i) { return i }
            }
            return nil
        }
        let state = SharedState(records: completed, total: count)
        let workers = max(1, min(threads, count - done.count))
        let work: @Sendable (Int) -> Void = { w in
            var session: (any AgentSession)?
            defer { session?.close() }
            while true {
                guard !state.stopped, !shouldStop(), let next = nextTrial() else { return }
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
        // The environment ends its episodes at its horizon (TimeLimit); the runner only checks it is the protocol's.
        guard env.horizon == p.horizon else {
            throw EvaluationError.environment("\(trial.label): the environment's horizon is \(env.horizon) steps, the protocol's \(p.horizon)")
        }
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

/// Results shared by the worker threads (the trials come from a `WorkQueue`).
final class SharedState: @unchecked Sendable {
    private let lock = NSLock()
    private var records: [TrialRecord]
    private var error: EvaluationError?
    private var steps: Int
    private let total: Int

    init(records: [TrialRecord], total: Int) {
        self.records = records; self.total = total
        steps = records.reduce(0) { $0 + $1.steps }
    }

    var stopped: Bool { lock.withLock { error != nil } }

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
