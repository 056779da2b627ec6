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

        /// The header members of the entry (`results`, `provenance.environmentSteps` and shard
        /// members are added by `make`).
        public var json: [String: JSONValue] {
            func opt(_ s: String?) -> JSONValue { s.map { .string($0) } ?? .null }
            let e = plan.evaluation
            var agent: [String: JSONValue] = [
                "name": .string(agentName), "version": .string(agentVersion), "kind": .string(agentKind), "privileged": .bool(privileged),
                "checkpointDigest": opt(checkpointDigest),
                "trainingSteps": trainingSteps.map { .number(Double($0)) } ?? .null,
                "trainingSeed": trainingSeed.map { .string(String($0)) } ?? .null,
            ]
            if let sandbox { agent["sandbox"] = .string(sandbox) }
            var benchmark: [String: JSONValue] = [
                "id": .string(benchmarkID), "version": .string(Self.version(of: benchmarkID)), "split": .string(split),
                "digest": .string(digest), "metric": .string(metric.rawValue), "hidesGoal": .bool(hidesGoal),
            ]
            if let c = hiddenGoalsCommitment { benchmark["goals"] = .object(["kind": .string("hidden"), "seedSHA256": .string(c)]) }
            let format = LeaderboardEntry.schemaVersion
            return [
                "schema": .object(["name": .string(LeaderboardEntry.schemaName), "version": .number(Double(format))]),
                "benchmark": .object(benchmark),
                "agent": .object(agent),
                "protocol": .object([
                    "adaptationEpisodes": .number(Double(e.adaptationEpisodes)),
                    "evaluationEpisodes": .number(Double(e.evaluationEpisodes)),
                    "horizon": .number(Double(e.horizon)),
                    "goalsPerTask": .object(plan.goalsPerTask.mapValues { .number(Double($0)) }),
                    "entries": .array(plan.tasks.map { .string($0) }),
                    "seeds": .number(Double(plan.seeds)),
                    "rootSeed": .string(String(plan.rootSeed)),
                    "seedRule": .string("trial (s, e): derive(derive(rootSeed, \"seed/s\"), \"entry/e\"); episode j resets with derive(trialSeed, \"reset/j\"); the agent gets derive(trialSeed, \"agent\")"),
                    "clipActions": .bool(clipActions),
                ]),
                "provenance": .object(["mrbench": .string(mrbenchVersion), "revision": .string(revision)]),
            ]
        }
    }

    /// The entry for `records`. A full entry when they cover every trial; otherwise (a shard, or a
    /// run stopped by an error) `complete` is false and the trial records are included so shards
    /// can be merged exactly.
    public static func make(header: [String: JSONValue], records: [TrialRecord], shard: Shard? = nil, error: String? = nil) throws -> JSONValue {
        let info = try Info(header)
        let sorted = records.sorted { $0.index < $1.index }
        let complete = sorted.count == info.trialCount && Set(sorted.map(\.index)).count == info.trialCount && shard == nil && error == nil
        var o = header
        var prov = header["provenance"]?.objectValue ?? [:]
        prov["environmentSteps"] = .number(Double(sorted.reduce(0) { $0 + $1.steps }))
        prov["clippedActions"] = .number(Double(sorted.reduce(0) { $0 + $1.clippedActions }))
        o["provenance"] = .object(prov)
        var res = results(sorted, info)
        if complete, (header["schema"]?["version"]?.intValue ?? 1) >= 3, case var .object(r) = res {
            r["trials"] = trialRows(sorted)
            res = .object(r)
        }
        o["results"] = res
        o["complete"] = .bool(complete)
        o["trialsCompleted"] = .number(Double(sorted.count))
        o["trialsTotal"] = .number(Double(info.trialCount))
        if !complete {
            o["trials"] = .array(sorted.map(\.json))
        }
        if let shard { o["shard"] = .object(["index": .number(Double(shard.index)), "count": .number(Double(shard.count))]) }
        if let error { o["error"] = .string(error) }
        return .object(o)
    }

    /// `results.trials` of a complete format-3 entry: the fields, and one row per trial in index order.
    static func trialRows(_ sorted: [TrialRecord]) -> JSONValue {
        .object([
            "fields": .array(trialFields.map { .string($0) }),
            "rows": .array(sorted.map { row($0) }),
        ])
    }

    /// The `results.trials` row of a trial record: [return, success, steps].
    public static func row(_ t: TrialRecord) -> JSONValue {
        .array([num(t.score(.return)), num(t.score(.success)), .number(Double(t.steps))])
    }

    /// The rows of `results.trials` (nil when the entry has none: formats 1 and 2, incomplete entries).
    public static func trialRows(of entry: JSONValue) -> [[Double]]? {
        guard let rows = entry["results"]?["trials"]?["rows"]?.arrayValue else { return nil }
        return rows.map { $0.arrayValue?.compactMap(\.doubleValue) ?? [] }
    }

    /// The header members of an existing entry (everything `make` does not compute).
    public static func header(of entry: JSONValue) -> [String: JSONValue] {
        var o = entry.objectValue ?? [:]
        for k in ["results", "complete", "trialsCompleted", "trialsTotal", "trials", "shard", "error"] { o[k] = nil }
        if var p = o["provenance"]?.objectValue { p["environmentSteps"] = nil; p["clippedActions"] = nil; o["provenance"] = .object(p) }
        return o
    }

    /// The trial records of a partial entry.
    public static func trials(of entry: JSONValue) throws -> [TrialRecord] {
        try (entry["trials"]?.arrayValue ?? []).map(TrialRecord.init(json:))
    }

    /// Combines the shard entries of one evaluation into the entry an unsharded run gives.
    /// - Throws: if the shards ran different benchmarks (digest), agents or protocols, do not
    ///   cover every trial exactly once, or hold a trial record the protocol cannot produce (seed or
    ///   goal not the trial's under the seed rule, a trial outside its shard, wrong episode count or
    ///   phases, an episode longer than the horizon…).
    public static func merge(_ shards: [JSONValue]) throws -> JSONValue {
        guard let first = shards.first else { throw EvaluationError.invalid("nothing to merge") }
        let h = header(of: first)
        let info = try Info(h)
        let clip = h["protocol"]?["clipActions"]?.boolValue ?? false
        var records: [Int: TrialRecord] = [:]
        var seen = Set<Int>()
        var count: Int?
        for (n, s) in shards.enumerated() {
            let hs = header(of: s)
            for key in ["benchmark", "agent", "protocol", "schema", "provenance"] where hs[key] != h[key] {
                let what = key == "benchmark" ? "benchmark (id or digest)" : key
                throw EvaluationError.invalid("shard \(n + 1) differs from shard 1 in its \(what): \(JSONText.compact(hs[key] ?? .null)) vs \(JSONText.compact(h[key] ?? .null))")
            }
            guard s["error"] == nil else { throw EvaluationError.invalid("shard \(n + 1) stopped with an error: \(s["error"]!.stringValue ?? "")") }
            guard let sh = s["shard"], let k = sh["index"]?.intValue, let c = sh["count"]?.intValue else {
                throw EvaluationError.invalid("input \(n + 1) is not a shard entry (no \"shard\")")
            }
            if let count, count != c { throw EvaluationError.invalid("shard counts differ: \(count) and \(c)") }
            count = c
            guard seen.insert(k).inserted else { throw EvaluationError.invalid("shard \(k)/\(c) given twice") }
            let shard = try Shard(index: k, count: c)
            for r in try trials(of: s) {
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
        return try make(header: h, records: Array(records.values))
    }

    /// The protocol facts the scorer reads back from a header.
    struct Info {
        let metric: EvaluationProtocol.Metric
        let k: Int, e: Int, seeds: Int, horizon: Int
        let entries: [String]
        let rootSeed: UInt64
        var trialCount: Int { entries.count * seeds }

        init(_ h: [String: JSONValue]) throws {
            guard let m = h["benchmark"]?["metric"]?.stringValue.flatMap(EvaluationProtocol.Metric.init(rawValue:)),
                  let p = h["protocol"], let k = p["adaptationEpisodes"]?.intValue, let e = p["evaluationEpisodes"]?.intValue,
                  let s = p["seeds"]?.intValue, let horizon = p["horizon"]?.intValue, let entries = p["entries"]?.arrayValue?.compactMap(\.stringValue),
                  let r = p["rootSeed"]?.stringValue.flatMap({ UInt64($0) })
            else { throw EvaluationError.invalid("entry header lacks benchmark.metric or protocol fields") }
            metric = m; self.k = k; self.e = e; seeds = s; self.horizon = horizon; self.entries = entries; rootSeed = r
        }
    }

    static func num(_ x: Double) -> JSONValue { .number(JSONText.round6(x)) }
    static func interval(_ ci: (low: Double, high: Double)) -> JSONValue { .array([num(ci.low), num(ci.high)]) }

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
                               bootstrap b: BootstrapSettings) -> [String: JSONValue] {
        func ci(_ statistic: ([Double]) -> Double, _ label: String) -> JSONValue {
            interval(Statistics.stratifiedBootstrap(matrix, statistic: statistic, resamples: b.resamples, confidence: b.confidence,
                                                    seed: SeededGenerator.derive(b.seed, label)))
        }
        let meanOfTasks: ([[Double]]) -> Double = { m in Statistics.mean(m.map(Statistics.mean)) }
        let flat = matrix.flatMap { $0 }
        var overall: [String: JSONValue] = [:]
        overall["mean"] = num(meanOfTasks(matrix))
        overall["meanCI"] = interval(Statistics.stratifiedBootstrap(matrix, matrixStatistic: meanOfTasks, resamples: b.resamples,
                                                                    confidence: b.confidence, seed: SeededGenerator.derive(b.seed, "mean")))
        overall["iqm"] = num(Statistics.interquartileMean(flat))
        overall["iqmCI"] = ci(Statistics.interquartileMean, "iqm")
        if metric == .success {
            overall["optimalityGap"] = num(Statistics.optimalityGap(flat))
            overall["optimalityGapCI"] = ci(Statistics.optimalityGap, "gap")
        } else {
            overall["optimalityGap"] = .null
            overall["optimalityGapCI"] = .null
        }
        overall["successRate"] = num(Statistics.mean(taskSuccessRates))
        overall["meanReturn"] = num(Statistics.mean(taskReturns))
        return overall
    }

    static func results(_ records: [TrialRecord], _ info: Info) -> JSONValue {
        let bseed = bootstrapSeed(rootSeed: info.rootSeed)
        let episodes = info.k + info.e
        let names = Array(Set(records.map(\.task))).sorted()
        var tasks: [String: JSONValue] = [:]
        var matrix: [[Double]] = []        // task × seed scores (seeds with at least one trial)
        var scores: [String: JSONValue] = [:]
        var taskScores: [Double] = [], taskCurves: [(success: [Double], ret: [Double])] = []
        var successRates: [Double] = [], returns: [Double] = []
        for name in names {
            let ts = records.filter { $0.task == name }
            let trialScores = ts.map { $0.score(info.metric) }
            var perSeed: [Double] = []
            var perSeedJSON: [JSONValue] = []
            for s in 0..<info.seeds {
                let x = ts.filter { $0.seedIndex == s }.map { $0.score(info.metric) }
                if x.isEmpty { perSeedJSON.append(.null); continue }
                perSeed.append(Statistics.mean(x))
                perSeedJSON.append(num(Statistics.mean(x)))
            }
            matrix.append(perSeed)
            scores[name] = .array(perSeedJSON)
            let score = Statistics.mean(perSeed)
            let ci = Statistics.bootstrap(trialScores, statistic: Statistics.mean, resamples: bootstrapResamples,
                                          confidence: confidence, seed: SeededGenerator.derive(bseed, "task/\(name)"))
            let rate = Statistics.mean(ts.map { $0.score(.success) })
            let ret = Statistics.mean(ts.map { $0.score(.return) })
            let c = curve(ts, episodes: episodes)
            taskScores.append(score); taskCurves.append(c); successRates.append(rate); returns.append(ret)
            tasks[name] = .object([
                "score": num(score), "ci": interval(ci), "successRate": num(rate), "meanReturn": num(ret),
                "trials": .number(Double(ts.count)), "goals": .number(Double(Set(ts.map(\.entry)).count)),
                "curve": .object(["success": .array(c.success.map(num)), "return": .array(c.ret.map(num))]),
            ])
        }
        let settings = BootstrapSettings(resamples: bootstrapResamples, confidence: confidence, seed: bseed)
        let overall = matrix.isEmpty ? [:] : overallResults(matrix: matrix, metric: info.metric, taskSuccessRates: successRates,
                                                            taskReturns: returns, bootstrap: settings)
        let curveS = (0..<episodes).map { j in Statistics.mean(taskCurves.map { $0.success[j] }) }
        let curveR = (0..<episodes).map { j in Statistics.mean(taskCurves.map { $0.ret[j] }) }
        let phases: [JSONValue] = Array(repeating: .string("adaptation"), count: info.k) + Array(repeating: .string("evaluation"), count: info.e)
        return .object([
            "metric": .string(info.metric.rawValue),
            "overall": .object(overall),
            "tasks": .object(tasks),
            "scores": .object(scores),
            "curve": .object(["phases": .array(phases),
                              "success": .array(taskCurves.isEmpty ? [] : curveS.map(num)),
                              "return": .array(taskCurves.isEmpty ? [] : curveR.map(num))]),
            "bootstrap": .object([
                "method": .string("percentile bootstrap; overall intervals resample seeds within each task (stratified), per-task intervals resample the task's trials"),
                "resamples": .number(Double(bootstrapResamples)), "confidence": .number(confidence),
                "seed": .string(String(bseed)),
            ]),
        ])
    }
}
