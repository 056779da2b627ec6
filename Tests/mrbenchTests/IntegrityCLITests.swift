import Foundation
import Testing

/// Leaderboard integrity end to end (issue 20): `validate` on the committed entries and on
/// tampered copies, `build` leaving out entries that do not validate, `evaluate` refusing a
/// hand-written journal.
@Suite("Leaderboard integrity (CLI)")
struct IntegrityCLITests {
    func mrbench(_ args: [String]) throws -> MrbenchProcess.Run { try MrbenchProcess.run(args, timeout: 120) }

    static var entriesRoot: String { EvaluateTests.packageRoot + "/leaderboard/entries" }

    /// A committed entry copied to `<d>/entries/<folder>/<name>`, with `change` applied to its JSON.
    func copy(_ entry: String, to d: String, folder: String, name: String, _ change: (inout [String: Any]) -> Void = { _ in }) throws -> String {
        let data = try #require(FileManager.default.contents(atPath: Self.entriesRoot + "/" + entry))
        var e = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        change(&e)
        try FileManager.default.createDirectory(atPath: d + "/entries/" + folder, withIntermediateDirectories: true)
        let path = d + "/entries/\(folder)/\(name)"
        try JSONSerialization.data(withJSONObject: e, options: [.sortedKeys]).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func committedEntriesValidate() throws {
        let r = try mrbench(["leaderboard", "validate", "--entries", Self.entriesRoot])
        #expect(r.status == 0 && !r.stdout.contains("FAIL"), "\(r.stdout)")
    }

    @Test func tamperedCommittedEntriesAreRefusedNamingTheField() throws {
        let d = try MrbenchProcess.tempDir("integrity", "validate")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let raised = try copy("ml10-v2/random.json", to: d, folder: "ml10-v2", name: "random.json") { e in
            var r = e["results"] as! [String: Any], o = r["overall"] as! [String: Any]
            o["mean"] = (o["mean"] as! Double) + 0.2
            r["overall"] = o; e["results"] = r
        }
        var v = try mrbench(["leaderboard", "validate", raised])
        #expect(v.status == 1 && v.stdout.contains("results.overall.mean: recorded"), "\(v.stdout)")
        let dropped = try copy("ml10-v2/random.json", to: d, folder: "ml10-v2", name: "dropped.json") { e in
            var r = e["results"] as! [String: Any], t = r["tasks"] as! [String: Any], s = r["scores"] as! [String: Any]
            let name = t.keys.sorted()[0]
            t[name] = nil; s[name] = nil
            r["tasks"] = t; r["scores"] = s; e["results"] = r
        }
        v = try mrbench(["leaderboard", "validate", dropped])
        #expect(v.status == 1 && v.stdout.contains("results.tasks: ["), "\(v.stdout)")
        let misfiled = try copy("point-nav-v1/random.json", to: d, folder: "point-nav-sparse-v1", name: "random.json")
        v = try mrbench(["leaderboard", "validate", misfiled])
        #expect(v.status == 1 && v.stdout.contains("benchmark.id: 'point-nav-v1', but the entry is filed in folder 'point-nav-sparse-v1'"), "\(v.stdout)")
        let errored = try copy("point-nav-v1/random.json", to: d, folder: "point-nav-v1", name: "random.json") { e in e["error"] = "agent crashed" }
        v = try mrbench(["leaderboard", "validate", errored])
        #expect(v.status == 1 && v.stdout.contains("error: a complete entry cannot carry \"error\""), "\(v.stdout)")
    }

    @Test func buildPublishesOnlyEntriesThatValidate() throws {
        let d = try MrbenchProcess.tempDir("integrity", "build")
        defer { try? FileManager.default.removeItem(atPath: d) }
        _ = try copy("point-nav-v1/random.json", to: d, folder: "point-nav-v1", name: "random.json")
        _ = try copy("point-nav-v1/expert.json", to: d, folder: "point-nav-v1", name: "expert.json") { e in
            var r = e["results"] as! [String: Any], o = r["overall"] as! [String: Any]
            o["iqm"] = 1.5
            r["overall"] = o; e["results"] = r
        }
        let b = try mrbench(["leaderboard", "build", "--directory", d])
        #expect(b.status == 0 && b.stderr.contains("left out \(d)/entries/point-nav-v1/expert.json, which does not validate: results.overall.iqm"),
                "\(b.stderr)")
        let md = String(decoding: try #require(FileManager.default.contents(atPath: d + "/LEADERBOARD.md")), as: UTF8.self)
        #expect(md.contains("| random | builtin |") && !md.contains("| expert"))
    }

    @Test func evaluateRefusesAHandWrittenJournal() throws {
        let d = try MrbenchProcess.tempDir("integrity", "journal")
        defer { try? FileManager.default.removeItem(atPath: d) }
        try Data("{\"x\":1}\n{\"index\":0}\n".utf8).write(to: URL(fileURLWithPath: d + "/e.json.journal"))
        let r = try mrbench(["evaluate", "--agent", "random", "--benchmark", "point-nav-v1", "--seeds", "1", "--output", d + "/e.json"])
        #expect(r.status != 0 && r.stderr.contains("e.json.journal has no key"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: d + "/e.json"))
    }

    /// `--hidden-goals`: fresh goals each run, committed to in the entry (the SHA-256 of the seed)
    /// and revealed by the run record, which validate checks; trial seeds derived from the hidden seed.
    @Test func hiddenGoalRunsCommitToAFreshSeedTheRunRecordReveals() throws {
        let d = try MrbenchProcess.tempDir("integrity", "hidden")
        defer { try? FileManager.default.removeItem(atPath: d) }
        var entries: [[String: Any]] = []
        for name in ["a", "b"] {
            let path = d + "/entries/point-nav-sparse-v1/\(name).json"
            let r = try mrbench(["evaluate", "--agent", "random", "--benchmark", "point-nav-sparse-v1", "--seeds", "1", "--hidden-goals", "--output", path])
            #expect(r.status == 0, "\(r.stderr)")
            let data = try #require(FileManager.default.contents(atPath: path))
            entries.append(try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any]))
        }
        func commitment(_ e: [String: Any]) -> String? { ((e["benchmark"] as? [String: Any])?["goals"] as? [String: Any])?["seedSHA256"] as? String }
        func proto(_ e: [String: Any]) -> [String: Any] { e["protocol"] as? [String: Any] ?? [:] }
        #expect(commitment(entries[0]) != nil && commitment(entries[0]) != commitment(entries[1]))
        #expect(proto(entries[0])["rootSeed"] as? String != "0" && proto(entries[0])["rootSeed"] as? String != proto(entries[1])["rootSeed"] as? String)
        #expect((entries[0]["schema"] as? [String: Any])?["version"] as? Int == 3)
        // The same tasks, as many of each, as the frozen split.
        let frozenData = try #require(FileManager.default.contents(atPath: Self.entriesRoot + "/point-nav-sparse-v1/random.json"))
        let frozen = try #require(try JSONSerialization.jsonObject(with: frozenData) as? [String: Any])
        #expect((proto(entries[0])["entries"] as? [String])?.sorted() == (proto(frozen)["entries"] as? [String])?.sorted())
        var v = try mrbench(["leaderboard", "validate", "--entries", d + "/entries"])
        #expect(v.status == 0, "\(v.stdout)")
        // A run record revealing another seed.
        let record = d + "/entries/point-nav-sparse-v1/a.run.json"
        let recordData = try #require(FileManager.default.contents(atPath: record))
        var rec = try #require(try JSONSerialization.jsonObject(with: recordData) as? [String: Any])
        rec["hiddenGoalSeed"] = "12345"
        try JSONSerialization.data(withJSONObject: rec).write(to: URL(fileURLWithPath: record))
        v = try mrbench(["leaderboard", "validate", d + "/entries/point-nav-sparse-v1/a.json"])
        #expect(v.status == 1 && v.stdout.contains("benchmark.goals.seedSHA256: "), "\(v.stdout)")
        let sharded = try mrbench(["evaluate", "--agent", "random", "--benchmark", "point-nav-sparse-v1", "--hidden-goals", "--shard", "1/2",
                                   "--output", d + "/s.json"])
        #expect(sharded.status != 0 && sharded.stderr.contains("--hidden-goals cannot be sharded"), "\(sharded.stderr)")
    }
}
