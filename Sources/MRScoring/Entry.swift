import Foundation
import MRCore

/// The leaderboard entry (EVALUATION.md): a deterministic JSON document with the benchmark and its
/// digest, the agent, the protocol, the results and the provenance. Everything that varies from run
/// to run (time, host, threads, memory) goes in the run record instead.
public enum LeaderboardEntry {
    public static let schemaName = "mrbench-leaderboard-entry"
    /// Format 2 adds `agent.sandbox` (external agents) and `benchmark.goals` (hidden-goal runs).
    /// Format 3 (what `evaluate` writes now) adds `results.trials`, a row per trial of a complete
    /// entry, so that `leaderboard verify` can re-run sampled trials and compare them one by one.
    /// Entries of formats 1 and 2 stay valid (they are checked from their per-seed scores).
    public static let schemaVersion = 3
    /// The columns of a `results.trials` row: the trial's mean evaluation-episode return, its
    /// fraction of successful evaluation episodes, its environment steps (all episodes).
    public static let trialFields = ["return", "success", "steps"]
    /// Bootstrap resamples of every interval in an entry.
    public static let bootstrapResamples = 2000
    public static let confidence = 0.95

    /// The seed of the bootstrap intervals: `derive(rootSeed, "bootstrap")`; per-task intervals use
    /// `derive(that, "task/<name>")`.
    public static func bootstrapSeed(rootSeed: UInt64) -> UInt64 { SeededGenerator.derive(rootSeed, "bootstrap") }

    /// What is fixed before the run: benchmark, agent, protocol, provenance.
    public struct Header: Sendable {
        public var benchmarkID: String
        public var split: String
        public var digest: String
        public var metric: EvaluationProtocol.Metric
        public var hidesGoal: Bool
        public var agentName: String
        public var agentVersion: String
        /// "builtin" or "external".
        public var agentKind: String
        /// True for agents that see the task (the scripted experts): an upper reference, not a competitor.
        public var privileged: Bool
        public var checkpointDigest: String?
        public var trainingSteps: Int?
        public var trainingSeed: UInt64?
        public var plan: EvaluationPlan
        public var clipActions: Bool
        public var mrbenchVersion: String
        public var revision: String
        /// How an external agent was confined: "bwrap", or "none" (`--no-sandbox`). Nil for built-in agents.
        public var sandbox: String?
        /// For a hidden-goal run (`--hidden-goals`): the SHA-256 (hex) of the decimal goal seed, a
        /// commitment the run record's seed reveals. Nil: the frozen test goals.
        public var hiddenGoalsCommitment: String?

        public init(benchmarkID: String, split: String = "test", digest: String, metric: EvaluationProtocol.Metric, hidesGoal: Bool,
                    agentName: String, agentVersion: String, agentKind: String, privileged: Bool,
                    checkpointDigest: String? = nil, trainingSteps: Int? = nil, trainingSeed: UInt64? = nil,
                    plan: EvaluationPlan, clipActions: Bool, mrbenchVersion: String, revision: String, sandbox: String? = nil,
                    hiddenGoalsCommitment: String? = nil) {
            self.benchmarkID = benchmarkID; self.split = split; self.digest = digest; self.metric = metric; self.hidesGoal = hidesGoal
            self.agentName = agentName; self.agentVersion = agentVersion; self.agentKind = agentKind; self.privileged = privileged
            self.checkpointDigest = checkpointDigest; self.trainingSteps = trainingSteps; self.trainingSeed = trainingSeed
            self.plan = plan; self.clipActions = clipActions; self.mrbenchVersion = mrbenchVersion; self.revision = revision
            self.sandbox = sandbox; self.hiddenGoalsCommitment = hiddenGoalsCommitment
        }

        /// The version suffix of an id ("point-nav-v1" → "v1"; "unversioned" if none).
        public static func version(of id: String) -> String {
            guard let r = id.range(of: "-v", options: .backwards), Int(id[r.upperBound...]) != nil else { return "unversioned" }
            return "v" + id[r.upperBound...]
        }

        /// The head of the entry (`make` adds the results, the provenance counts and the shard members).
        public var head: Head {
            let e = plan.evaluation
            return Head(
                schema: SchemaTag(name: LeaderboardEntry.schemaName, version: LeaderboardEntry.schemaVersion),
                benchmark: Benchmark(id: benchmarkID, version: Self.version(of: benchmarkID), split: split, digest: digest, metric: metric,
                                     hidesGoal: hidesGoal, goals: hiddenGoalsCommitment.map { HiddenGoals(kind: "hidden", seedSHA256: $0) }),
                agent: Agent(name: agentName, version: agentVersion, kind: agentKind, privileged: privileged, checkpointDigest: checkpointDigest,
                             trainingSteps: trainingSteps, trainingSeed: trainingSeed.map { String($0) }, sandbox: sandbox),
                protocolSettings: ProtocolSettings(
                    adaptationEpisodes: e.adaptationEpisodes, evaluationEpisodes: e.evaluationEpisodes, horizon: e.horizon,
                    goalsPerTask: plan.goalsPerTask, entries: plan.tasks, seeds: plan.seeds, rootSeed: String(plan.rootSeed),
                    seedRule: "trial (s, e): derive(derive(rootSeed, \"seed/s\"), \"entry/e\"); episode j resets with derive(trialSeed, \"reset/j\"); the agent gets derive(trialSeed, \"agent\")",
                    clipActions: clipActions),
                provenance: Provenance(mrbench: mrbenchVersion, revision: revision))
        }
    }

    /// The entry for `records`. A full entry when they cover every trial; otherwise (a shard, or a
    /// run stopped by an error) `complete` is false and the trial records are included so shards
    /// can be merged exactly.
    public static func make(head: Head, records: [TrialRecord], shard: Shard? = nil, error: String? = nil) throws -> Document {
        let info = try Info(head)
        let sorted = records.sorted { $0.index < $1.index }
        let complete = sorted.count == info.trialCount && Set(sorted.map(\.index)).count == info.trialCount && shard == nil && error == nil
        var h = head
        h.provenance.environmentSteps = sorted.reduce(0) { $0 + $1.steps }
        h.provenance.clippedActions = sorted.reduce(0) { $0 + $1.clippedActions }
        var res = results(sorted, info)
        if complete, head.schema.version >= 3 { res.trials = trialRows(sorted) }
        return Document(head: h, results: res, complete: complete, trialsCompleted: sorted.count, trialsTotal: info.trialCount,
                        trials: complete ? nil : sorted, shard: shard.map { ShardTag(index: $0.index, count: $0.count) }, error: error)
    }

    /// `results.trials` of a complete format-3 entry: the fields, and one row per trial in index order.
    static func trialRows(_ sorted: [TrialRecord]) -> TrialRows {
        TrialRows(fields: trialFields, rows: sorted.map(row))
    }

    /// The `results.trials` row of a trial record: [return, success, steps].
    public static func row(_ t: TrialRecord) -> [Double] {
        [JSONText.round6(t.score(.return)), JSONText.round6(t.score(.success)), Double(t.steps)]
    }

    /// Combines the shard entries of one evaluation into the entry an unsharded run gives.
    /// - Throws: if the shards ran different benchmarks (digest), agents or protocols, do not
    ///   cover every trial exactly once, or hold a trial record the protocol cannot produce (seed or
    ///   goal not the trial's under the seed rule, a trial outside its shard, wrong episode count or
    ///   phases, an episode longer than the horizon…).
    public static func merge(_ shards: [Document]) throws -> Document {
        guard let first = shards.first else { throw EvaluationError.invalid("nothing to merge") }
        let h = first.head.withoutCounts
        let info = try Info(h)
        let clip = h.protocolSettings.clipActions
        var records: [Int: TrialRecord] = [:]
        var seen = Set<Int>()
        var count: Int?
        for (n, s) in shards.enumerated() {
            let hs = s.head.withoutCounts
            func differs<T: Encodable & Equatable>(_ a: T, _ b: T, _ what: String) throws {
                guard a != b else { return }
                let show = { (v: T) in JSONText.compact((try? JSONCoding.value(of: v)) ?? .null) }
                throw EvaluationError.invalid("shard \(n + 1) differs from shard 1 in its \(what): \(show(a)) vs \(show(b))")
            }
            try differs(hs.benchmark, h.benchmark, "benchmark (id or digest)")
            try differs(hs.agent, h.agent, "agent")
            try differs(hs.protocolSettings, h.protocolSettings, "protocol")
            try differs(hs.schema, h.schema, "schema")
            try differs(hs.provenance, h.provenance, "provenance")
            if let error = s.error { throw EvaluationError.invalid("shard \(n + 1) stopped with an error: \(error)") }
            guard let sh = s.shard else { throw EvaluationError.invalid("input \(n + 1) is not a shard entry (no \"shard\")") }
            let k = sh.index, c = sh.count
            if let count, count != c { throw EvaluationError.invalid("shard counts differ: \(count) and \(c)") }
            count = c
            guard seen.insert(k).inserted else { throw EvaluationError.invalid("shard \(k)/\(c) given twice") }
            let shard = try Shard(index: k, count: c)
            for r in s.trials ?? [] {
                let problems = EntryCheck.trialProblems(r, info, clipActions: clip)
                guard problems.isEmpty else {
                    throw EvaluationError.invalid("shard \(k)/\(c) holds an impossible trial record: \(problems.joined(separator: "; "))")
                }
                guard shard.contains(r.index) else { throw EvaluationError.invalid("shard \(k)/\(c) holds trial \(r.index), which belongs to another shard") }
                guard records[r.index] == nil else { throw EvaluationError.invalid("trial \(r.index) appears in two shards") }
                records[r.index] = r
            }
        }
        if let count, seen.count != count {
            let missing = (1...count).filter { !seen.contains($0) }.map { "\($0)/\(count)" }
            throw EvaluationError.invalid("missing shards: \(missing.joined(separator: ", "))")
        }
        guard records.count == info.trialCount else {
            throw EvaluationError.invalid("the shards hold \(records.count) of \(info.trialCount) trials")
        }
        return try make(head: h, records: Array(records.values))
    }

    /// The protocol facts the scorer reads back from a head.
    struct Info {
        let metric: EvaluationProtocol.Metric
        let k: Int, e: Int, seeds: Int, horizon: Int
        let entries: [String]
        let rootSeed: UInt64
        var trialCount: Int { entries.count * seeds }

        init(_ h: Head) throws {
            let p = h.protocolSettings
            guard let r = UInt64(p.rootSeed) else { throw EvaluationError.invalid("entry header: protocol.rootSeed is not a decimal seed") }
            metric = h.benchmark.metric; k = p.adaptationEpisodes; e = p.evaluationEpisodes; seeds = p.seeds; horizon = p.horizon
            entries = p.entries; rootSeed = r
        }
    }

    static func num(_ x: Double) -> Double { JSONText.round6(x) }
    static func interval(_ ci: (low: Double, high: Double)) -> [Double] { [num(ci.low), num(ci.high)] }

    /// Adaptation curve of some trials: per episode index (adaptation, then evaluation), the
    /// success fraction and the mean return.
    static func curve(_ trials: [TrialRecord], episodes: Int) -> (success: [Double], ret: [Double]) {
        var s = [Double](repeating: 0, count: episodes), r = [Double](repeating: 0, count: episodes)
        for t in trials {
            for (j, ep) in t.episodes.enumerated() where j < episodes {
                s[j] += ep.success ? 1 : 0
                r[j] += ep.totalReward
            }
        }
        let n = Double(max(trials.count, 1))
        return (s.map { $0 / n }, r.map { $0 / n })
    }

    /// The settings of the bootstrap intervals (an entry records them in `results.bootstrap`).
    struct BootstrapSettings {
        let resamples: Int, confidence: Double, seed: UInt64
    }

    /// `results.overall` from the task × seed score matrix (tasks in name order) and the per-task
    /// success rates and mean returns. `validate` recomputes a recorded entry's figures with it.
    static func overallResults(matrix: [[Double]], metric: EvaluationProtocol.Metric, taskSuccessRates: [Double], taskReturns: [Double],
                               bootstrap b: BootstrapSettings) -> Overall {
        func ci(_ statistic: ([Double]) -> Double, _ label: String) -> [Double] {
            interval(Statistics.stratifiedBootstrap(matrix, statistic: statistic, resamples: b.resamples, confidence: b.confidence,
                                                    seed: SeededGenerator.derive(b.seed, label)))
        }
        let meanOfTasks: ([[Double]]) -> Double = { m in Statistics.mean(m.map(Statistics.mean)) }
        let flat = matrix.flatMap { $0 }
        let success = metric == .success
        return Overall(
            mean: num(meanOfTasks(matrix)),
            meanCI: interval(Statistics.stratifiedBootstrap(matrix, matrixStatistic: meanOfTasks, resamples: b.resamples,
                                                            confidence: b.confidence, seed: SeededGenerator.derive(b.seed, "mean"))),
            iqm: num(Statistics.interquartileMean(flat)),
            iqmCI: ci(Statistics.interquartileMean, "iqm"),
            optimalityGap: success ? num(Statistics.optimalityGap(flat)) : nil,
            optimalityGapCI: success ? ci(Statistics.optimalityGap, "gap") : nil,
            successRate: num(Statistics.mean(taskSuccessRates)),
            meanReturn: num(Statistics.mean(taskReturns)))
    }

    static func results(_ records: [TrialRecord], _ info: Info) -> Results {
        let bseed = bootstrapSeed(rootSeed: info.rootSeed)
        let episodes = info.k + info.e
        let names = Array(Set(records.map(\.task))).sorted()
        var tasks: [String: TaskResult] = [:]
        var matrix: [[Double]] = []        // task × seed scores (seeds with at least one trial)
        var scores: [String: [Double?]] = [:]
        var taskScores: [Double] = [], taskCurves: [(success: [Double], ret: [Double])] = []
        var successRates: [Double] = [], returns: [Double] = []
        for name in names {
            let ts = records.filter { $0.task == name }
            let trialScores = ts.map { $0.score(info.metric) }
            var perSeed: [Double] = []
            var perSeedRecorded: [Double?] = []
            for s in 0..<info.seeds {
                let x = ts.filter { $0.seedIndex == s }.map { $0.score(info.metric) }
                if x.isEmpty { perSeedRecorded.append(nil); continue }
                perSeed.append(Statistics.mean(x))
                perSeedRecorded.append(num(Statistics.mean(x)))
            }
            matrix.append(perSeed)
            scores[name] = perSeedRecorded
            let score = Statistics.mean(perSeed)
            let ci = Statistics.bootstrap(trialScores, statistic: Statistics.mean, resamples: bootstrapResamples,
                                          confidence: confidence, seed: SeededGenerator.derive(bseed, "task/\(name)"))
            let rate = Statistics.mean(ts.map { $0.score(.success) })
            let ret = Statistics.mean(ts.map { $0.score(.return) })
            let c = curve(ts, episodes: episodes)
            taskScores.append(score); taskCurves.append(c); successRates.append(rate); returns.append(ret)
            tasks[name] = TaskResult(score: num(score), ci: interval(ci), successRate: num(rate), meanReturn: num(ret), trials: ts.count,
                                     goals: Set(ts.map(\.entry)).count, curve: Curve(success: c.success.map(num), returns: c.ret.map(num)))
        }
        let settings = BootstrapSettings(resamples: bootstrapResamples, confidence: confidence, seed: bseed)
        let overall = matrix.isEmpty ? nil : overallResults(matrix: matrix, metric: info.metric, taskSuccessRates: successRates,
                                                            taskReturns: returns, bootstrap: settings)
        let curveS = (0..<episodes).map { j in Statistics.mean(taskCurves.map { $0.success[j] }) }
        let curveR = (0..<episodes).map { j in Statistics.mean(taskCurves.map { $0.ret[j] }) }
        let phases = Array(repeating: EpisodePhase.adaptation, count: info.k) + Array(repeating: EpisodePhase.evaluation, count: info.e)
        return Results(
            metric: info.metric, overall: overall, tasks: tasks, scores: scores,
            curve: Curve(phases: phases, success: taskCurves.isEmpty ? [] : curveS.map(num), returns: taskCurves.isEmpty ? [] : curveR.map(num)),
            bootstrap: Bootstrap(
                method: "percentile bootstrap; overall intervals resample seeds within each task (stratified), per-task intervals resample the task's trials",
                resamples: bootstrapResamples, confidence: confidence, seed: String(bseed)))
    }
}
