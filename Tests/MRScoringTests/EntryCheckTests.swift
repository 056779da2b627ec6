import Foundation
import MRCore
@testable import MRScoring
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Sets the member at `path` ("a.b.2.c"; numbers index arrays; nil removes an object member).
func setting(_ v: JSONValue, _ path: String, _ new: JSONValue?) -> JSONValue {
    var keys = path.split(separator: ".").map(String.init)
    let key = keys.removeFirst()
    let rest = keys.joined(separator: ".")
    switch v {
    case var .object(o):
        o[key] = rest.isEmpty ? new : setting(o[key] ?? .null, rest, new)
        return .object(o)
    case var .array(a):
        let i = Int(key)!
        a[i] = rest.isEmpty ? new ?? .null : setting(a[i], rest, new)
        return .array(a)
    default:
        return v
    }
}

/// The numeric checks of `leaderboard validate` (EntryCheck), `merge`'s trial checks and the
/// journal's binding to its run, each against one tampering case of issue 20.
@Suite("Entry checks: validate, merge, journal")
struct EntryCheckTests {
    static let facts = BenchmarkFacts(id: "line-v1", tasks: strata, evaluation: lineProtocol)

    /// A complete entry of the line benchmark (10 seeds, root seed 0: the official seeds), as read back from its text.
    static let complete: JSONValue = {
        let plan = try! EvaluationPlan(tasks: strata, seeds: 10, rootSeed: 0, evaluation: lineProtocol)
        let runner = Runner(plan: plan, strictActions: false, clipActions: false,
                            makeEnvironment: { LineEnvironment(target: targets[$0.entry]) },
                            makeSession: { _ in MetaLearnerSession(RandomMetaLearner(), context: AgentContext(
                                observationSpace: BoxSpace(dimension: 1, bound: 10), actionSpace: .unit(1),
                                observationLayout: ObservationLayout([("position", 1)]), horizon: 12)) })
        let records = runner.run(indices: Array(0..<plan.trialCount), threads: 1).records
        return try! JSONText.parse(try! LeaderboardEntry.make(head: header(plan), records: records).text())
    }()

    /// A partial entry (trials 0…29 of the 60), with its trial records.
    static let partial: JSONValue = {
        let runner = try! lineRunner(seeds: 10)
        let records = runner.run(indices: Array(0..<30), threads: 1).records
        return try! JSONText.parse(try! LeaderboardEntry.make(head: header(runner.plan), records: records).text())
    }()

    func problems(_ e: JSONValue, folder: String? = nil) -> [String] { EntryCheck.check(e, benchmark: Self.facts, folder: folder).problems }

    /// Whether some problem starts with `field` (the message names the field).
    func refused(_ e: JSONValue, _ field: String, folder: String? = nil) -> Bool {
        problems(e, folder: folder).contains { $0.hasPrefix(field) }
    }

    @Test func untouchedEntriesPass() throws {
        #expect(problems(Self.complete) == [])
        #expect(EntryCheck.check(Self.complete, benchmark: Self.facts).notes == [])
        #expect(problems(Self.partial) == [])
        // Unofficial seeds are flagged, not refused.
        let notes = EntryCheck.check(Self.partial, benchmark: Self.facts).notes
        #expect(notes.contains { $0.hasPrefix("protocol.rootSeed: 42") } && notes.contains { $0.hasPrefix("protocol.seeds: 10") } == false)
        #expect(problems(Self.complete, folder: "line-v1") == [])
    }

    @Test func overallMeanRaisedAloneIsRefused() {
        let mean = Self.complete["results"]!["overall"]!["mean"]!.doubleValue!
        #expect(refused(setting(Self.complete, "results.overall.mean", .number(mean + 0.05)), "results.overall.mean"))
        #expect(refused(setting(Self.complete, "results.overall.iqm", .number(1)), "results.overall.iqm"))
        #expect(refused(setting(Self.complete, "results.overall.optimalityGap", .number(0)), "results.overall.optimalityGap"))
        #expect(refused(setting(Self.complete, "results.tasks.near.score", .number(0.99)), "results.tasks.near.score"))
    }

    @Test func intervalExcludingItsEstimateIsRefused() {
        let mean = Self.complete["results"]!["overall"]!["mean"]!.doubleValue!
        let moved = setting(Self.complete, "results.overall.meanCI", .array([.number(mean + 0.1), .number(mean + 0.2)]))
        #expect(refused(moved, "results.overall.meanCI"))
        let score = Self.complete["results"]!["tasks"]!["far"]!["score"]!.doubleValue!
        #expect(refused(setting(Self.complete, "results.tasks.far.ci", .array([.number(score + 0.1), .number(score + 0.2)])), "results.tasks.far.ci"))
    }

    @Test func outOfRangeSuccessRatesAreRefused() {
        #expect(refused(setting(Self.complete, "results.tasks.near.successRate", .number(1e308)), "results.tasks.near.successRate"))
        #expect(refused(setting(Self.complete, "results.scores.far.3", .number(1e308)), "results.scores.far[3]"))
        #expect(refused(setting(Self.complete, "results.overall.successRate", .number(1e308)), "results.overall.successRate"))
        #expect(refused(setting(Self.complete, "results.curve.success.0", .number(2)), "results.curve.success[0]"))
    }

    @Test func changedSeedsAreRefused() {
        // Another root seed: the recorded bootstrap seed (and so every interval) no longer follows.
        #expect(refused(setting(Self.complete, "protocol.rootSeed", .string("7")), "results.bootstrap.seed"))
        // Another seed count: trial totals and per-seed scores no longer fit.
        let more = setting(Self.complete, "protocol.seeds", .number(11))
        #expect(refused(more, "trialsTotal") && refused(more, "results.scores.near"))
        #expect(refused(setting(Self.complete, "results.bootstrap.resamples", .number(10)), "results.bootstrap.resamples"))
    }

    @Test func droppedOrRenamedTasksAreRefused() {
        // A test entry dropped (goal counts kept consistent with it).
        var dropped = setting(Self.complete, "protocol.entries", .array(strata.dropLast().map { .string($0) }))
        dropped = setting(dropped, "protocol.goalsPerTask.far", .number(2))
        #expect(refused(dropped, "protocol.entries"))
        // A task renamed in the protocol, or in the results.
        var renamed = setting(Self.complete, "protocol.entries.0", .string("nearby"))
        #expect(refused(renamed, "protocol.goalsPerTask") && refused(renamed, "protocol.entries[0]"))
        renamed = setting(Self.complete, "results.tasks.nearby", Self.complete["results"]!["tasks"]!["near"]!)
        renamed = setting(renamed, "results.tasks.near", nil)
        #expect(refused(renamed, "results.tasks") && refused(renamed, "results.scores"))
        #expect(refused(setting(Self.complete, "results.tasks.far.goals", .number(4)), "results.tasks.far.goals"))
    }

    @Test func entryInAnotherBenchmarksFolderIsRefused() {
        #expect(refused(Self.complete, "benchmark.id", folder: "point-nav-v1"))
    }

    @Test func completeEntryWithErrorOrShardIsRefused() {
        #expect(refused(setting(Self.complete, "error", .string("agent crashed")), "error"))
        #expect(refused(setting(Self.complete, "shard", .object(["index": .number(1), "count": .number(2)])), "shard"))
        #expect(refused(setting(Self.complete, "trialsCompleted", .number(59)), "trialsCompleted"))
        #expect(refused(setting(Self.partial, "trials", nil), "trials"))
    }

    @Test func sandboxAndTrialRowsFollowTheFormat() {
        // Format 1 carries neither agent.sandbox nor results.trials; format 3 (what evaluate writes)
        // carries results.trials in complete entries, and agent.sandbox exactly for external agents.
        let v1 = setting(setting(Self.complete, "schema.version", .number(1)), "results.trials", nil)
        #expect(problems(v1) == [])
        #expect(refused(setting(v1, "agent.sandbox", .string("bwrap")), "agent.sandbox: not part of format 1"))
        #expect(refused(setting(v1, "results.trials", Self.complete["results"]?["trials"]), "results.trials: not part of format 1"))
        #expect(refused(setting(Self.complete, "results.trials", nil), "results.trials: missing in a complete format-3 entry"))
        #expect(refused(setting(Self.complete, "agent.sandbox", .string("bwrap")), "agent.sandbox: only external agents"))
        let external = setting(Self.complete, "agent.kind", .string("external"))
        #expect(refused(external, "agent.sandbox: missing"))
        #expect(problems(setting(external, "agent.sandbox", .string("bwrap"))) == [])
    }

    /// A row of results.trials changed alone (its aggregates not recomputed) is refused, naming
    /// the per-seed score it contradicts; impossible rows are refused naming the row.
    @Test func trialRowsAreTiedToTheAggregates() throws {
        let row = try #require(Self.complete["results"]?["trials"]?["rows"]?.arrayValue?[7].arrayValue)
        let flipped = setting(Self.complete, "results.trials.rows.7.1", .number(row[1].doubleValue! == 1 ? 0 : 1))
        let p = problems(flipped)
        #expect(p.contains { $0.hasPrefix("results.scores.") && $0.hasSuffix("(recomputed from results.trials)") }, "\(p)")
        let raised = problems(setting(Self.complete, "results.trials.rows.7.0", .number(row[0].doubleValue! + 5)))
        #expect(raised.contains { $0.hasPrefix("results.tasks.") && $0.contains(".meanReturn: recorded") }, "\(raised)")
        #expect(refused(setting(Self.complete, "results.trials.rows.7.1", .number(0.123)), "results.trials.rows[7]: success 0.123"))
        #expect(refused(setting(Self.complete, "results.trials.rows.7.2", .number(1e9)), "results.trials.rows[7]: 1000000000"))
        #expect(refused(setting(Self.complete, "results.trials.rows.7", nil), "results.trials.rows[7]: not [return, success, steps]"))
    }

    @Test func pagesMarkWhetherExternalAgentsRanSandboxed() throws {
        let ext = setting(setting(setting(Self.complete, "agent.kind", .string("external")), "schema.version", .number(2)),
                          "agent.sandbox", .string("bwrap"))
        let loose = setting(setting(ext, "agent.sandbox", .string("none")), "agent.name", .string("loose"))
        let old = setting(setting(ext, "agent.sandbox", nil), "agent.name", .string("old"))
        let hidden = setting(setting(ext, "benchmark.goals", .object(["kind": .string("hidden"), "seedSHA256": .string(String(repeating: "a", count: 64))])),
                             "agent.name", .string("blind"))
        let md = LeaderboardPages.markdown(try [ext, loose, old, hidden].map(LeaderboardEntry.Document.init(json:)))
        #expect(md.contains("| blind (verified: hidden goals, sandboxed) | external |"), "\(md)")
        #expect(md.contains("| random (sandboxed) | external |") && md.contains("| loose (not sandboxed) | external |")
                && md.contains("| old (sandbox not recorded) | external |"), "\(md)")
    }

    @Test func countsBeyondTheProtocolAreRefused() {
        #expect(refused(setting(Self.complete, "provenance.environmentSteps", .number(1e9)), "provenance.environmentSteps"))
        #expect(refused(setting(Self.complete, "provenance.clippedActions", .number(3)), "provenance.clippedActions"))
    }

    @Test func partialEntriesAreRecomputedFromTheirTrials() {
        // A trial's evaluation episode turned into a success, the aggregates left alone.
        let t = Self.partial["trials"]!.arrayValue!.firstIndex { $0["episodes"]!.arrayValue![4].arrayValue![2] == .bool(false) }!
        let forged = setting(Self.partial, "trials.\(t).episodes.4.2", .bool(true))
        #expect(problems(forged).contains { $0.hasPrefix("results.") && $0.hasSuffix("(recomputed from the trial records)") })
        // Impossible trial records are named.
        #expect(problems(setting(Self.partial, "trials.3.seed", .number(4))).contains { $0.hasPrefix("trial 3: seed 4") })
        #expect(problems(setting(Self.partial, "trials.3.entry", .number(5))).contains { $0.hasPrefix("trial 3: entry (goal) 5") })
        #expect(problems(setting(Self.partial, "trials.3.episodes.0.3", .number(1e9))).contains { $0.hasPrefix("trial 3: episode 0 has 1000000000 steps") })
    }

    /// Shards of the 18-trial line evaluation, as text would give them back.
    func shards() throws -> [JSONValue] {
        let runner = try lineRunner()
        return try (1...3).map { k in
            let shard = try Shard(index: k, count: 3)
            let records = runner.run(indices: (0..<18).filter(shard.contains), threads: 1).records
            return try JSONText.parse(try LeaderboardEntry.make(head: header(runner.plan), records: records, shard: shard).text())
        }
    }

    func mergeError(_ parts: [JSONValue]) -> String {
        do { _ = try LeaderboardEntry.merge(parts.map(LeaderboardEntry.Document.init(json:))); return "" } catch { return "\(error)" }
    }

    @Test func mergeRefusesForgedShardTrials() throws {
        var parts = try shards()
        #expect(mergeError(parts) == "")
        // Trial 1 (shard 2) with an out-of-range seed, goal, or a 10⁹-step episode.
        let seed = mergeError([parts[0], setting(parts[1], "trials.0.seed", .number(99)), parts[2]])
        #expect(seed.contains("trial 1: seed 99"), "\(seed)")
        let goal = mergeError([parts[0], setting(parts[1], "trials.0.entry", .number(40)), parts[2]])
        #expect(goal.contains("trial 1: entry (goal) 40"), "\(goal)")
        let long = mergeError([parts[0], setting(parts[1], "trials.0.episodes.3.3", .number(1e9)), parts[2]])
        #expect(long.contains("trial 1: episode 3 has 1000000000 steps, outside 1…12"), "\(long)")
        let index = mergeError([parts[0], setting(parts[1], "trials.0.index", .number(10_000)), parts[2]])
        #expect(index.contains("trial 10000: index outside 0…17"), "\(index)")
        // A trial moved to a shard it does not belong to.
        parts[0] = setting(parts[0], "trials", .array(parts[0]["trials"]!.arrayValue! + [parts[1]["trials"]!.arrayValue![0]]))
        #expect(mergeError(parts).contains("holds trial 1, which belongs to another shard"))
    }

    func journalPath(_ name: String) -> String {
        let p = NSTemporaryDirectory() + "mrbench-journal-\(name)-\(getpid()).journal"
        unlink(p); unlink(p + ".key")
        return p
    }

    func journalError(_ path: String, _ id: JSONValue) -> String {
        do { _ = try Journal(path: path, identity: id); return "" } catch { return "\(error)" }
    }

    @Test func journalEditedByHandIsRefused() throws {
        let path = journalPath("edited")
        defer { unlink(path); unlink(path + ".key") }
        let id: JSONValue = .object(["x": .number(1)])
        let j = try Journal(path: path, identity: id)
        for r in try lineRunner().run(indices: Array(0..<3), threads: 1).records { j.append(r) }
        j.finish(remove: false)
        let good = try String(contentsOfFile: path, encoding: .utf8)
        #expect(try Journal(path: path, identity: id).recovered.count == 3)
        // A trial's success flipped in place.
        let edited = good.contains("true,") ? good.replacingOccurrences(of: "true,", with: "false,") : good.replacingOccurrences(of: "false,", with: "true,")
        try edited.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(journalError(path, id).contains("line 2 fails its check"))
        // A line dropped (the chain breaks at the next one).
        var lines = good.split(separator: "\n", omittingEmptySubsequences: false)
        lines.remove(at: 1)
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(journalError(path, id).contains("line 2 fails its check"))
        // A hand-written journal with no key.
        try good.write(toFile: path, atomically: true, encoding: .utf8)
        unlink(path + ".key")
        #expect(journalError(path, id).contains("has no key"))
    }

    @Test func journalFromAnotherRunIsRefused() throws {
        let a = journalPath("run-a"), b = journalPath("run-b")
        defer { for p in [a, b] { unlink(p); unlink(p + ".key") } }
        let id: JSONValue = .object(["x": .number(1)])
        let records = try lineRunner().run(indices: Array(0..<2), threads: 1).records
        for p in [a, b] {
            let j = try Journal(path: p, identity: id)
            records.forEach(j.append)
            j.finish(remove: false)
        }
        // Same evaluation, same trials, but b's lines copied under a's key.
        try FileManager.default.removeItem(atPath: a)
        try FileManager.default.copyItem(atPath: b, toPath: a)
        #expect(journalError(a, id).contains("line 2 fails its check"))
    }
}
