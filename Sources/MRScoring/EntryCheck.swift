import Foundation
import MRCore

/// The benchmark an entry claims, as the registry defines it now: what `EntryCheck` compares the
/// entry's protocol with. (The scorer does not import the suite; the command line builds this.)
public struct BenchmarkFacts: Sendable {
    public let id: String
    /// The stratum (task) of each test-split entry, in the split's order.
    public let tasks: [String]
    public let evaluation: EvaluationProtocol
    public init(id: String, tasks: [String], evaluation: EvaluationProtocol) {
        self.id = id; self.tasks = tasks; self.evaluation = evaluation
    }
}

/// The numeric and structural checks of `mrbench leaderboard validate` (beyond the JSON Schema
/// and the benchmark digest): every aggregate the entry records is recomputed, and a mismatch is
/// reported with the field's path.
///
/// - With per-trial records (`trials`: partial and shard entries, or any entry that carries them),
///   every trial is checked (index, seed and goal consistent with the seed rule, episode count and
///   phases, lengths within the horizon) and the whole entry is recomputed from them.
/// - Without them (a complete format-1 entry keeps only the per-seed scores), the overall figures
///   and intervals are recomputed from `results.scores` with the recorded bootstrap settings, each
///   task's score from its per-seed scores, the overall success rate, mean return and curve from
///   the per-task ones; per-task intervals and curves are checked for consistency and range only.
public enum EntryCheck {
    /// The seeds of leaderboard entries (EVALUATION.md): 10 seeds from root seed 0. Entries with
    /// other seeds are valid but flagged (their trials are not the official ones).
    public static let officialSeeds = 10
    public static let officialRootSeed: UInt64 = 0

    public struct Report: Sendable {
        /// Reasons to refuse the entry.
        public var problems: [String] = []
        /// Facts worth flagging that do not make the entry invalid (unofficial seeds).
        public var notes: [String] = []
        public init() {}
    }

    /// Checks `entry` (its JSON, as read: members the typed entry does not have are reported by
    /// the recomputation of entries with trial records, and by the schema). `benchmark`: the
    /// registry's definition (nil skips the task-list checks); `folder`: the name of the folder the
    /// entry is filed in, when it is filed in an entries tree.
    public static func check(_ entry: JSONValue, benchmark: BenchmarkFacts?, folder: String? = nil) -> Report {
        let doc: LeaderboardEntry.Document
        do { doc = try LeaderboardEntry.Document(json: entry) } catch {
            var r = Report()
            r.problems.append("not an entry of formats 1 to 3: \(error)")
            return r
        }
        return check(doc, json: entry, benchmark: benchmark, folder: folder)
    }

    /// Checks an entry already read: `doc`, and `entry`, the JSON it was read from.
    public static func check(_ doc: LeaderboardEntry.Document, json entry: JSONValue, benchmark: BenchmarkFacts?, folder: String? = nil) -> Report {
        var r = Report()
        let head = doc.head
        let info: LeaderboardEntry.Info
        do { info = try LeaderboardEntry.Info(head) } catch { r.problems.append("\(error)"); return r }
        let id = head.benchmark.id
        let complete = doc.complete

        // Members that do not belong together.
        if complete {
            if doc.shard != nil { r.problems.append("shard: a complete entry cannot carry \"shard\"") }
            if doc.error != nil { r.problems.append("error: a complete entry cannot carry \"error\"") }
        } else if doc.trials == nil {
            r.problems.append("trials: an incomplete entry must carry its trial records")
        }
        if doc.trialsTotal != info.trialCount {
            r.problems.append("trialsTotal: \(doc.trialsTotal), but protocol.entries × protocol.seeds = \(info.entries.count) × \(info.seeds) = \(info.trialCount)")
        }
        if complete, doc.trialsCompleted != info.trialCount {
            r.problems.append("trialsCompleted: \(doc.trialsCompleted) in a complete entry of \(info.trialCount) trials")
        }

        // Format 2 carries agent.sandbox (always for external agents, never for built-in ones) and,
        // for hidden-goal runs, benchmark.goals; format 1 carries neither.
        let version = head.schema.version, sandbox = head.agent.sandbox
        let hidden = head.benchmark.goals != nil, external = head.agent.kind == "external"
        if version == 1 && sandbox != nil { r.problems.append("agent.sandbox: not part of format 1 (schema.version 2 carries it)") }
        if version == 1 && hidden { r.problems.append("benchmark.goals: not part of format 1 (schema.version 2 carries it)") }
        if version >= 2 && external && sandbox == nil { r.problems.append("agent.sandbox: missing in a format-\(version) entry") }
        if version == 2 && !external && !hidden { r.problems.append("benchmark.goals: a format-2 entry of a built-in agent is a hidden-goal one") }
        if sandbox != nil && !external { r.problems.append("agent.sandbox: only external agents run in a sandbox") }
        // Format 3 carries results.trials in complete entries (incomplete ones carry `trials`).
        let rows = doc.results.trials
        if version < 3 && rows != nil { r.problems.append("results.trials: not part of format \(version) (schema.version 3 carries it)") }
        if version == 3 && complete && rows == nil { r.problems.append("results.trials: missing in a complete format-3 entry") }
        if !complete && rows != nil { r.problems.append("results.trials: only complete entries carry it (incomplete ones carry \"trials\")") }

        // The benchmark: folder, task list, goals, seeds.
        if let folder, folder != id { r.problems.append("benchmark.id: '\(id)', but the entry is filed in folder '\(folder)'") }
        let recordedGoals = head.protocolSettings.goalsPerTask
        let goals = info.entries.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        if recordedGoals != goals {
            r.problems.append("protocol.goalsPerTask: \(describe(recordedGoals)), but protocol.entries has \(describe(goals))")
        }
        if let b = benchmark {
            if b.id != id { r.problems.append("benchmark.id: '\(id)' checked against '\(b.id)'") }
            if info.entries.count != b.tasks.count {
                r.problems.append("protocol.entries: \(info.entries.count) test entries, but the test split of \(b.id) has \(b.tasks.count)")
            } else if hidden {
                // Fresh goals in a shuffled order: the same tasks, as many of each.
                if info.entries.sorted() != b.tasks.sorted() {
                    r.problems.append("protocol.entries: not the tasks of the test split of \(b.id) (hidden goals keep its tasks and goal counts)")
                }
            } else if let i = info.entries.indices.first(where: { info.entries[$0] != b.tasks[$0] }) {
                r.problems.append("protocol.entries[\(i)]: '\(info.entries[i])', but the test split of \(b.id) has '\(b.tasks[i])' there")
            }
            let e = b.evaluation
            if info.k != e.adaptationEpisodes || info.e != e.evaluationEpisodes || info.horizon != e.horizon || info.metric != e.metric {
                r.problems.append("protocol: K \(info.k), E \(info.e), horizon \(info.horizon), metric \(info.metric.rawValue), but \(b.id) has K \(e.adaptationEpisodes), E \(e.evaluationEpisodes), horizon \(e.horizon), metric \(e.metric.rawValue)")
            }
        }
        if info.rootSeed != officialRootSeed && !hidden {
            r.notes.append("protocol.rootSeed: \(info.rootSeed) is not the official root seed \(officialRootSeed): the trials differ from the official ones")
        }
        if info.seeds != officialSeeds { r.notes.append("protocol.seeds: \(info.seeds), the official number is \(officialSeeds)") }

        r.problems += scoreProblems(doc, info, complete: complete)

        if let trials = doc.trials {
            r.problems += recomputedProblems(doc, json: entry, trials: trials, info: info)
        }
        if complete, let rows = doc.results.trials?.rows {
            r.problems += rowProblems(doc, info, rows)
        }
        return r
    }

    /// Checks the rows of `results.trials` (ranges, step bounds) and recomputes from them every
    /// figure they determine: each task's per-seed scores, score interval, success rate and mean
    /// return, and the environment steps. (`leaderboard verify` then re-runs sampled rows.)
    static func rowProblems(_ doc: LeaderboardEntry.Document, _ info: LeaderboardEntry.Info, _ rows: [[Double]]) -> [String] {
        guard rows.count == info.trialCount else {
            return ["results.trials.rows: \(rows.count) rows, the entry has \(info.trialCount) trials"]
        }
        var p: [String] = []
        let n = info.entries.count, episodes = info.k + info.e
        for (i, r) in rows.enumerated() {
            let at = "results.trials.rows[\(i)]"
            guard r.count == 3 else { p.append("\(at): not [return, success, steps]"); continue }
            let successes = r[1] * Double(info.e)
            if !r[0].isFinite { p.append("\(at): non-finite return") }
            if !(0...1).contains(r[1]) || abs(successes - successes.rounded()) > 1e-4 {
                p.append("\(at): success \(r[1]) is not a fraction of \(info.e) evaluation episodes")
            }
            if r[2] != r[2].rounded() || !(Double(episodes)...Double(episodes * info.horizon)).contains(r[2]) {
                p.append("\(at): \(r[2]) steps, outside \(episodes)…\(episodes * info.horizon) for \(episodes) episodes of at most \(info.horizon) steps")
            }
        }
        guard p.isEmpty else { return p }
        let res = doc.results
        let score: ([Double]) -> Double = { info.metric == .success ? $0[1] : $0[0] }
        let bseed = LeaderboardEntry.bootstrapSeed(rootSeed: info.rootSeed)
        for name in Set(info.entries).sorted() {
            let at = "results.tasks.\(name)", t = res.tasks[name]
            let idx = (0..<info.trialCount).filter { info.entries[$0 % n] == name }
            let recorded = res.scores[name] ?? []
            for s in 0..<info.seeds {
                let x = idx.filter { $0 / n == s }.map { score(rows[$0]) }
                if let v = recorded.indices.contains(s) ? recorded[s] : nil {
                    compare(v, Statistics.mean(x), "results.scores.\(name)[\(s)]", "the mean of its trials' rows", &p)
                }
            }
            let ts = idx.map { rows[$0] }
            if let v = t?.successRate { compare(v, Statistics.mean(ts.map { $0[1] }), "\(at).successRate", "the mean of its trials' rows", &p) }
            if let v = t?.meanReturn { compare(v, Statistics.mean(ts.map { $0[0] }), "\(at).meanReturn", "the mean of its trials' rows", &p) }
            if let ci = pair(t?.ci) {
                let again = Statistics.bootstrap(ts.map(score), statistic: Statistics.mean, resamples: LeaderboardEntry.bootstrapResamples,
                                                 confidence: LeaderboardEntry.confidence, seed: SeededGenerator.derive(bseed, "task/\(name)"))
                compare(ci.0, again.low, "\(at).ci[0]", "the bootstrap of its trials' rows", &p)
                compare(ci.1, again.high, "\(at).ci[1]", "the bootstrap of its trials' rows", &p)
            }
        }
        if let steps = doc.head.provenance.environmentSteps {
            compare(Double(steps), rows.reduce(0) { $0 + $1[2] }, "provenance.environmentSteps", "the sum of the rows' steps", &p)
        }
        return p.map { "\($0) (recomputed from results.trials)" }
    }

    /// Checks a hidden-goal entry against the seed its run record reveals: the entry's commitment
    /// must be the seed's SHA-256, and its root seed the one derived from it.
    public static func revealProblems(_ head: LeaderboardEntry.Head, seed: UInt64) -> [String] {
        var p: [String] = []
        let commitment = head.benchmark.goals?.seedSHA256 ?? ""
        if SHA256.hex(String(seed)) != commitment {
            p.append("benchmark.goals.seedSHA256: \(commitment.prefix(16))… is not the SHA-256 of the seed the run record reveals")
        }
        let root = SeededGenerator.derive(seed, "root")
        if head.protocolSettings.rootSeed != String(root) {
            p.append("protocol.rootSeed: not derive(seed, \"root\") = \(root) of the revealed hidden-goal seed")
        }
        return p
    }

    // MARK: Trial records

    /// Everything wrong with one trial record of an evaluation with head `head` (seed and goal
    /// consistent with the trial's index under the seed rule, episode count and phases, lengths
    /// within 1…horizon, finite returns, clipped-action count).
    public static func trialProblems(_ t: TrialRecord, head: LeaderboardEntry.Head) throws -> [String] {
        let info = try LeaderboardEntry.Info(head)
        return trialProblems(t, info, clipActions: head.protocolSettings.clipActions)
    }

    static func trialProblems(_ t: TrialRecord, _ info: LeaderboardEntry.Info, clipActions: Bool) -> [String] {
        let n = info.entries.count, label = "trial \(t.index)"
        guard (0..<info.trialCount).contains(t.index) else {
            return ["\(label): index outside 0…\(info.trialCount - 1) (\(n) entries × \(info.seeds) seeds)"]
        }
        var p: [String] = []
        if t.seedIndex != t.index / n { p.append("\(label): seed \(t.seedIndex), but the seed rule puts trial \(t.index) in seed \(t.index / n)") }
        if t.entry != t.index % n {
            p.append("\(label): entry (goal) \(t.entry), but the seed rule gives trial \(t.index) entry \(t.index % n)")
        } else if t.task != info.entries[t.entry] {
            p.append("\(label): task '\(t.task)', but entry \(t.entry) is '\(info.entries[t.entry])'")
        }
        if t.episodes.count != info.k + info.e {
            p.append("\(label): \(t.episodes.count) episodes, the protocol has \(info.k) + \(info.e)")
        }
        for (j, ep) in t.episodes.enumerated() {
            let phase: EpisodePhase = j < info.k ? .adaptation : .evaluation
            if ep.phase != phase { p.append("\(label): episode \(j) is \(ep.phase.rawValue), the protocol makes it \(phase.rawValue)") }
            if !(1...info.horizon).contains(ep.length) { p.append("\(label): episode \(j) has \(ep.length) steps, outside 1…\(info.horizon) (horizon)") }
            if !ep.totalReward.isFinite { p.append("\(label): episode \(j) has a non-finite return") }
        }
        if t.clippedActions < 0 || t.clippedActions > t.steps {
            p.append("\(label): \(t.clippedActions) clipped actions in \(t.steps) steps")
        } else if !clipActions && t.clippedActions != 0 {
            p.append("\(label): \(t.clippedActions) clipped actions without protocol.clipActions")
        }
        return p
    }

    /// Checks the trial records and compares the entry (`json`, as read) with the one they give.
    static func recomputedProblems(_ doc: LeaderboardEntry.Document, json entry: JSONValue, trials: [TrialRecord], info: LeaderboardEntry.Info) -> [String] {
        var p: [String] = []
        var records: [TrialRecord] = []
        var seen = Set<Int>()
        let clip = doc.head.protocolSettings.clipActions
        var shard: Shard?
        if let s = doc.shard {
            do { shard = try Shard(index: s.index, count: s.count) } catch { p.append("shard: \(error)") }
        }
        for (i, t) in trials.enumerated() {
            p += trialProblems(t, info, clipActions: clip)
            if !seen.insert(t.index).inserted { p.append("trials[\(i)]: trial \(t.index) appears twice") }
            if let shard, !shard.contains(t.index) { p.append("trials[\(i)]: trial \(t.index) is not in shard \(shard)") }
            records.append(t)
        }
        guard p.isEmpty else { return p }
        do {
            let again = try LeaderboardEntry.make(head: doc.head.withoutCounts, records: records, shard: shard, error: doc.error)
            differences(entry, try again.json(), "", &p)
        } catch { p.append("trials: \(error)") }
        return p.map { "\($0) (recomputed from the trial records)" }
    }

    // MARK: Aggregates from the per-seed scores

    static func scoreProblems(_ doc: LeaderboardEntry.Document, _ info: LeaderboardEntry.Info, complete: Bool) -> [String] {
        var p: [String] = []
        let res = doc.results, tasks = res.tasks, scores = res.scores
        let success = info.metric == .success
        if res.metric != info.metric { p.append("results.metric: differs from benchmark.metric (\(info.metric.rawValue))") }
        let names = tasks.keys.sorted()
        if Set(scores.keys) != Set(names) { p.append("results.scores: tasks \(scores.keys.sorted()), but results.tasks has \(names)") }
        let protocolTasks = Set(info.entries)
        if complete && Set(names) != protocolTasks {
            p.append("results.tasks: \(names), but protocol.entries has the tasks \(protocolTasks.sorted())")
        } else if let stray = names.first(where: { !protocolTasks.contains($0) }) {
            p.append("results.tasks.\(stray): not a task of protocol.entries")
        }
        let episodes = info.k + info.e
        let goals = info.entries.reduce(into: [String: Int]()) { $0[$1, default: 0] += 1 }
        var matrix: [[Double]] = [], rates: [Double] = [], returns: [Double] = []
        var curves: [(success: [Double], ret: [Double])] = []
        for name in names {
            let at = "results.tasks.\(name)", t = tasks[name]!
            let perSeed = scores[name] ?? []
            if perSeed.count != info.seeds { p.append("results.scores.\(name): \(perSeed.count) per-seed scores, protocol.seeds is \(info.seeds)") }
            var row: [Double] = []
            for (s, v) in perSeed.enumerated() {
                if let x = v {
                    if success && !(0...1).contains(x) { p.append("results.scores.\(name)[\(s)]: \(x) outside [0, 1] for the success metric") }
                    row.append(x)
                } else if complete { p.append("results.scores.\(name)[\(s)]: no score in a complete entry") }
            }
            guard let ci = pair(t.ci) else { p.append("\(at): missing or non-numeric members"); continue }
            let score = t.score, rate = t.successRate, ret = t.meanReturn, cs = t.curve.success, cr = t.curve.returns
            if !row.isEmpty {
                matrix.append(row)
                compare(score, Statistics.mean(row), "\(at).score", "the mean of results.scores.\(name)", &p)
            }
            if !(0...1).contains(rate) { p.append("\(at).successRate: \(rate) outside [0, 1]") }
            if success {
                if !(0...1).contains(score) { p.append("\(at).score: \(score) outside [0, 1] for the success metric") }
                if complete { compare(rate, score, "\(at).successRate", "the task's score (success metric)", &p) }
            }
            if !(ci.0 <= score + tolerance(score) && score <= ci.1 + tolerance(score)) {
                p.append("\(at).ci: [\(ci.0), \(ci.1)] excludes the task's score \(score)")
            }
            if cs.count != episodes || cr.count != episodes {
                p.append("\(at).curve: \(cs.count) and \(cr.count) points, the protocol has \(episodes) episodes")
            } else {
                if let bad = cs.first(where: { !(0...1).contains($0) }) { p.append("\(at).curve.success: \(bad) outside [0, 1]") }
                compare(rate, Statistics.mean(Array(cs[info.k...])), "\(at).successRate", "the mean of its evaluation-episode curve", &p)
                compare(ret, Statistics.mean(Array(cr[info.k...])), "\(at).meanReturn", "the mean of its evaluation-episode curve", &p)
                curves.append((cs, cr))
            }
            if t.goals != goals[name] ?? 0 {
                p.append("\(at).goals: \(t.goals), but protocol.entries has \(goals[name] ?? 0) under '\(name)'")
            }
            if complete, t.trials != (goals[name] ?? 0) * info.seeds {
                p.append("\(at).trials: \(t.trials), but \(goals[name] ?? 0) goals × \(info.seeds) seeds = \((goals[name] ?? 0) * info.seeds)")
            }
            rates.append(rate); returns.append(ret)
        }

        // Bootstrap settings, then the overall figures from the score matrix.
        let b = res.bootstrap
        let resamples = b.resamples, confidence = b.confidence
        let bseed = UInt64(b.seed)
        let want = LeaderboardEntry.bootstrapSeed(rootSeed: info.rootSeed)
        if bseed != want { p.append("results.bootstrap.seed: \(b.seed), but protocol.rootSeed \(info.rootSeed) gives \(want)") }
        if resamples != LeaderboardEntry.bootstrapResamples { p.append("results.bootstrap.resamples: \(resamples), the scorer uses \(LeaderboardEntry.bootstrapResamples)") }
        if confidence != LeaderboardEntry.confidence { p.append("results.bootstrap.confidence: \(confidence), the scorer uses \(LeaderboardEntry.confidence)") }
        let overall = res.overall
        if !matrix.isEmpty && resamples > 0 && (0..<1).contains(confidence) && confidence > 0, let bseed {
            let settings = LeaderboardEntry.BootstrapSettings(resamples: resamples, confidence: confidence, seed: bseed)
            let again = LeaderboardEntry.overallResults(matrix: matrix, metric: info.metric, taskSuccessRates: rates, taskReturns: returns, bootstrap: settings)
            var d: [String] = []
            differences(json(overall), json(again), "results.overall", &d)
            p += d.map { "\($0) (recomputed from results.scores and the per-task figures)" }
        } else if complete && overall == nil {
            p.append("results.overall: missing in a complete entry")
        }
        if success, let o = overall {
            let members: [(String, [Double])] = [("iqm", [o.iqm]), ("iqmCI", o.iqmCI), ("mean", [o.mean]), ("meanCI", o.meanCI),
                                                 ("optimalityGap", o.optimalityGap.map { [$0] } ?? []), ("optimalityGapCI", o.optimalityGapCI ?? []),
                                                 ("successRate", [o.successRate])]
            for (k, xs) in members {
                for x in xs where !(0...1).contains(x) { p.append("results.overall.\(k): \(x) outside [0, 1] for the success metric") }
            }
        }

        // The benchmark's curve: the mean of the task curves, with the protocol's phases.
        let phases = (0..<episodes).map { $0 < info.k ? EpisodePhase.adaptation : .evaluation }
        if res.curve.phases != phases { p.append("results.curve.phases: not \(info.k) adaptation then \(info.e) evaluation episodes") }
        if !curves.isEmpty {
            for (key, recorded, pick) in [("success", res.curve.success, { (c: (success: [Double], ret: [Double])) in c.success }),
                                          ("return", res.curve.returns, { $0.ret })] {
                let mean = (0..<episodes).map { j in Statistics.mean(curves.map { pick($0)[j] }) }
                if recorded.count != episodes {
                    p.append("results.curve.\(key): \(recorded.count) points, the protocol has \(episodes) episodes")
                } else if let j = (0..<episodes).first(where: { !close(recorded[$0], mean[$0]) }) {
                    p.append("results.curve.\(key)[\(j)]: recorded \(recorded[j]), the mean of the task curves is \(JSONText.round6(mean[j]))")
                }
            }
        }

        // Provenance counts.
        let done = doc.trialsCompleted
        if let steps = doc.head.provenance.environmentSteps {
            let lo = done * episodes, hi = done * episodes * info.horizon
            if !(lo...max(lo, hi)).contains(steps) {
                p.append("provenance.environmentSteps: \(steps), outside \(lo)…\(hi) for \(done) trials of \(episodes) episodes of at most \(info.horizon) steps")
            }
            if let clipped = doc.head.provenance.clippedActions {
                if clipped > steps { p.append("provenance.clippedActions: \(clipped) exceeds the \(steps) environment steps") }
                if !doc.head.protocolSettings.clipActions && clipped != 0 {
                    p.append("provenance.clippedActions: \(clipped) without protocol.clipActions")
                }
            }
        }
        return p
    }

    /// `results.overall` as JSON (`{}` when there is none), for `differences`.
    static func json(_ o: LeaderboardEntry.Overall?) -> JSONValue {
        guard let o else { return .object([:]) }
        return (try? JSONCoding.value(of: o, keepingNonFinite: true)) ?? .null
    }

    // MARK: Helpers

    /// The absolute tolerance of a comparison: figures are rounded to 6 decimals, and those
    /// recomputed from rounded per-seed scores may differ in the last place.
    static func tolerance(_ x: Double) -> Double { 2.5e-6 + 1e-9 * abs(x) }

    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= tolerance(b) }

    static func compare(_ recorded: Double, _ expected: Double, _ field: String, _ what: String, _ p: inout [String]) {
        if !close(recorded, expected) { p.append("\(field): recorded \(recorded), but \(what) is \(JSONText.round6(expected))") }
    }

    static func pair(_ a: [Double]?) -> (Double, Double)? {
        guard let a, a.count == 2 else { return nil }
        return (a[0], a[1])
    }

    static func describe(_ goals: [String: Int]) -> String {
        goals.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }

    /// Appends "path: recorded X, recomputed Y" for every leaf where `recorded` and `recomputed`
    /// differ (numbers within `tolerance`), naming members present in only one of them.
    static func differences(_ recorded: JSONValue, _ recomputed: JSONValue, _ path: String, _ out: inout [String]) {
        let here = path.isEmpty ? "$" : path
        switch (recorded, recomputed) {
        case let (.object(a), .object(b)):
            for k in Set(a.keys).union(b.keys).sorted() {
                let sub = path.isEmpty ? k : "\(path).\(k)"
                switch (a[k], b[k]) {
                case let (x?, y?): differences(x, y, sub, &out)
                case (_?, nil): out.append("\(sub): unexpected member")
                case (nil, _?): out.append("\(sub): missing")
                default: break
                }
            }
        case let (.array(a), .array(b)) where a.count == b.count:
            for i in a.indices { differences(a[i], b[i], "\(path)[\(i)]", &out) }
        case let (.number(x), .number(y)):
            if !close(x, y) { out.append("\(here): recorded \(x), recomputed \(JSONText.round6(y))") }
        default:
            if recorded != recomputed { out.append("\(here): recorded \(JSONText.compact(recorded)), recomputed \(JSONText.compact(recomputed))") }
        }
    }
}
