import Dispatch
import MRCore

/// Scripted-expert and random-policy success per task of a benchmark (`mrbench experts`): one
/// episode per goal for each, seeds derived from `seed` and the entry's split and index.
public struct ExpertReport: Codable, Sendable, Equatable {
    public struct Row: Codable, Sendable, Equatable {
        public var task: String
        public var split: Split
        public var goals: Int
        /// Fraction of goals whose episode had a successful step (nil if the family has no success criterion).
        public var expertSuccess: Double?
        public var randomSuccess: Double?
        public var expertReturn: Double
        public var randomReturn: Double
    }
    public var benchmark: String
    public var tasks: [Row]

    /// Runs the expert and a random policy on up to `goalsPerTask` goals of each task (all if nil).
    /// - Throws: if an entry's family has no expert, or an environment cannot be made.
    public static func run(_ benchmark: BenchmarkSpec, goalsPerTask: Int? = nil, seed: UInt64 = 0, threads: Int = 1, assets: String? = nil) throws -> ExpertReport {
        let set = try benchmark.taskSet(assets: assets)
        struct Job: Sendable { let split: Split; let index: Int; let entry: TaskSetEntry }
        var jobs: [Job] = []
        for split in Split.allCases {
            var taken: [String: Int] = [:]
            for (i, e) in set.entries(split).enumerated() where taken[e.stratum, default: 0] < (goalsPerTask ?? .max) {
                taken[e.stratum, default: 0] += 1
                jobs.append(Job(split: split, index: i, entry: e))
            }
        }
        for j in jobs where !(try Registry.environment(j.entry.env)).hasExpert {
            throw RegistryError.noExpert(j.entry.env)
        }
        let work = UncheckedBox(jobs)
        let box = ResultBox<Result<(EpisodeOutcome, EpisodeOutcome), any Error>>(count: jobs.count)
        let queue = WorkQueue(count: jobs.count)
        DispatchQueue.concurrentPerform(iterations: max(1, min(threads, jobs.count))) { _ in
            while let k = queue.take() {
                let j = work.value[k]
                box.set(k, Result<(EpisodeOutcome, EpisodeOutcome), any Error> {
                    let s = SeededGenerator.derive(seed, "experts/\(j.split.rawValue)/\(j.index)")
                    guard let expert = try benchmark.makeExpert(j.entry) else { throw RegistryError.noExpert(j.entry.env) }
                    let env = try benchmark.makeEnvironment(j.entry, assets: assets)
                    let e = try EpisodeCursor.playEvaluationEpisode(env, expert, seed: s)
                    let r = try EpisodeCursor.playEvaluationEpisode(env, RandomPolicy(actionSpace: env.actionSpace, seed: s), seed: s)
                    return (e, r)
                })
            }
        }
        // One row per (split, task), in the order the tasks first appear in the task set.
        struct Stratum: Hashable { let split: Split; let name: String }
        var order: [Stratum] = []
        var grouped: [Stratum: [(expert: EpisodeOutcome, random: EpisodeOutcome)]] = [:]
        for (j, result) in zip(jobs, box.values) {
            let key = Stratum(split: j.split, name: j.entry.stratum)
            if grouped[key] == nil { order.append(key) }
            guard let result else { continue }
            grouped[key, default: []].append(try result.get())
        }
        func rate(_ xs: [EpisodeOutcome]) -> Double? {
            xs.contains { $0.success == nil } ? nil : Double(xs.filter { $0.success == true }.count) / Double(max(1, xs.count))
        }
        func mean(_ xs: [EpisodeOutcome]) -> Double { xs.reduce(0) { $0 + $1.episodeReturn } / Double(max(1, xs.count)) }
        let rows = order.map { key in
            let o = grouped[key] ?? []
            return Row(task: key.name, split: key.split, goals: o.count,
                       expertSuccess: rate(o.map(\.expert)), randomSuccess: rate(o.map(\.random)),
                       expertReturn: mean(o.map(\.expert)), randomReturn: mean(o.map(\.random)))
        }
        return ExpertReport(benchmark: benchmark.id, tasks: rows)
    }
}

/// Per-index result slots written by concurrent workers (each index by exactly one).
final class ResultBox<T>: @unchecked Sendable {
    private(set) var values: [T?]
    private let lock = DispatchQueue(label: "mrbench.result-box")
    init(count: Int) { values = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: T) { lock.sync { values[i] = v } }
}
