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
