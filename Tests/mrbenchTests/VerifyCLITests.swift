import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `mrbench leaderboard verify` (issue 20): re-running sampled trials catches a trial forged
/// consistently (its record changed and every aggregate recomputed, so that `validate` accepts it);
/// built-in, checkpoint and external agents; and an interrupted `--hidden-goals` run resumes.
@Suite("Leaderboard verify and hidden-goal resume (CLI)")
struct VerifyCLITests {
    func mrbench(_ args: [String], timeout: Double = 180) throws -> MrbenchProcess.Run { try MrbenchProcess.run(args, timeout: timeout) }
    func json(_ path: String) throws -> [String: Any] {
        let data = try #require(FileManager.default.contents(atPath: path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }
    static var root: String { EvaluateTests.packageRoot }
    /// `--no-sandbox` where bubblewrap cannot run (verify's external agents, like evaluate's).
    static var sandboxFlag: [String] { MrbenchProcess.bwrapWorks ? [] : ["--no-sandbox"] }

    /// The sampled trial indices verify prints ("… sampled with seed S: 3, 17, 20").
    func sampled(_ out: String) -> [Int] {
        guard let line = out.split(separator: "\n").first(where: { $0.contains("sampled with seed") }),
              let colon = line.range(of: ": ", options: .backwards) else { return [] }
        return line[colon.upperBound...].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    @Test func verifyPassesOnAnHonestEntryAndCatchesAConsistentlyForgedTrial() throws {
        let d = try MrbenchProcess.tempDir("verify", "forge")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let honest = d + "/entries/point-nav-v1/random.json"
        var r = try mrbench(["evaluate", "--agent", "random", "--benchmark", "point-nav-v1", "--seeds", "1", "--output", honest])
        #expect(r.status == 0, "\(r.stderr)")
        let rows = ((try json(honest)["results"] as? [String: Any])?["trials"] as? [String: Any])?["rows"] as? [[Double]]
        #expect(rows?.count == 30 && rows?.allSatisfy { $0.count == 3 } == true)
        r = try mrbench(["leaderboard", "verify", honest, "--sample", "4", "--seed", "11"])
        #expect(r.status == 0 && r.stdout.contains("ok: all 4 sampled trials match"), "\(r.stdout)\(r.stderr)")
        let picked = sampled(r.stdout)
        #expect(picked.count == 4)
        // The same seed draws the same sample.
        let again = try mrbench(["leaderboard", "verify", honest, "--sample", "4", "--seed", "11"])
        #expect(sampled(again.stdout) == picked)
        let target = try #require(picked.first)

        // The forger: one trial's evaluation returns raised in a shard file, then merged, which
        // recomputes every aggregate (results.trials, per-seed scores, intervals, overall figures).
        let shard = d + "/shard.json"
        r = try mrbench(["evaluate", "--agent", "random", "--benchmark", "point-nav-v1", "--seeds", "1", "--shard", "1/1", "--output", shard])
        #expect(r.status == 0, "\(r.stderr)")
        var s = try json(shard)
        var trials = try #require(s["trials"] as? [[String: Any]])
        let k = try #require(trials.firstIndex { $0["index"] as? Int == target })
        trials[k]["episodes"] = (trials[k]["episodes"] as? [[Any]] ?? []).map { ep in
            ep[0] as? String == "evaluation" ? [ep[0], (ep[1] as? Double ?? 0) + 40, ep[2], ep[3]] : ep
        }
        s["trials"] = trials
        try JSONSerialization.data(withJSONObject: s).write(to: URL(fileURLWithPath: shard))
        let forged = d + "/entries/point-nav-v1/forged.json"
        r = try mrbench(["leaderboard", "merge", shard, "--output", forged])
        #expect(r.status == 0, "\(r.stderr)")
        r = try mrbench(["leaderboard", "validate", forged])
        #expect(r.status == 0, "validate accepts the consistently forged entry: \(r.stdout)")
        r = try mrbench(["leaderboard", "verify", forged, "--sample", "4", "--seed", "11"])
        #expect(r.status == 1, "\(r.stdout)")
        #expect(r.stdout.contains("MISMATCH trial \(target) (seed 0, entry \(target), task 'point-nav'): return recorded"), "\(r.stdout)")
        #expect(r.stderr.contains("1 difference(s)"), "\(r.stderr)")
        // A trial whose row alone was edited is refused by validate already, naming the figure.
        let edited = d + "/entries/point-nav-v1/edited.json"
        var e = try json(honest)
        var res = try #require(e["results"] as? [String: Any]), tr = try #require(res["trials"] as? [String: Any])
        var rs = try #require(tr["rows"] as? [[Double]])
        rs[target][0] += 40
        tr["rows"] = rs; res["trials"] = tr; e["results"] = res
        try JSONSerialization.data(withJSONObject: e).write(to: URL(fileURLWithPath: edited))
        r = try mrbench(["leaderboard", "validate", edited])
        #expect(r.status == 1 && r.stdout.contains("results.scores.point-nav[0]: recorded"), "\(r.stdout)")
        r = try mrbench(["leaderboard", "verify", edited, "--sample", "1"])
        #expect(r.status != 0 && r.stderr.contains("does not validate"), "\(r.stderr)")
    }

    /// Committed entries of formats 1 and 2 keep no per-trial rows: verify re-runs whole
    /// task × seed cells and compares their scores; checkpoint agents must be the entry's.
    @Test func committedEntriesVerifyByCellsWithTheirCheckpoints() throws {
        let entries = Self.root + "/leaderboard/entries/point-nav-v1"
        var r = try mrbench(["leaderboard", "verify", entries + "/random.json", "--sample", "1", "--seed", "3"])
        #expect(r.status == 0 && r.stdout.contains("re-running 1 whole task × seed cells (30 trials)")
                && r.stdout.contains("ok: all 1 re-run cells match"), "\(r.stdout)\(r.stderr)")
        r = try mrbench(["leaderboard", "verify", entries + "/rl2.json", "--sample", "1", "--seed", "3"])
        #expect(r.status != 0 && r.stderr.contains("give it with --agent"), "\(r.stderr)")
        r = try mrbench(["leaderboard", "verify", entries + "/rl2.json", "--sample", "1", "--seed", "3",
                         "--agent", "rl2:" + Self.root + "/Baselines/rl2/point-nav-v1/checkpoint.mrnc"])
        #expect(r.status == 0 && r.stdout.contains("ok: all 1 re-run cells match"), "\(r.stdout)\(r.stderr)")
        r = try mrbench(["leaderboard", "verify", entries + "/rl2.json", "--sample", "1",
                         "--agent", "maml:" + Self.root + "/Baselines/maml/point-nav-v1/checkpoint.mrnc"])
        #expect(r.status != 0 && r.stderr.contains("agent.checkpointDigest: the entry's is"), "\(r.stderr)")
    }

    /// A deterministic external agent (the reference Python agent) verifies too, in its sandbox.
    @Test func anExternalAgentsEntryVerifies() throws {
        let d = try MrbenchProcess.tempDir("verify", "external")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let agent = "cmd:python3 '\(Self.root)/examples/agents/random_agent.py'"
        var r = try mrbench(["evaluate", "--agent", agent, "--benchmark", "point-nav-v1", "--seeds", "1", "--output", d + "/e.json"])
        #expect(r.status == 0, "\(r.stderr)")
        r = try mrbench(["leaderboard", "verify", d + "/e.json", "--sample", "3", "--seed", "5", "--agent", agent] + Self.sandboxFlag)
        #expect(r.status == 0 && r.stdout.contains("ok: all 3 sampled trials match"), "\(r.stdout)\(r.stderr)")
        r = try mrbench(["leaderboard", "verify", d + "/e.json", "--sample", "3"])
        #expect(r.status != 0 && r.stderr.contains("give it with --agent"), "\(r.stderr)")
    }

    /// `--hidden-goals` killed mid-run and started again resumes with the same hidden goals (their
    /// seed is kept beside the journal's key), and the entry is the one an uninterrupted run with
    /// that seed gives: every one of its trials re-run from the revealed seed matches it.
    @Test func anInterruptedHiddenGoalRunResumesWithTheSameGoals() throws {
        let d = try MrbenchProcess.tempDir("verify", "hidden")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let script = try EvaluateTests().agentScript(in: d)
        let out = d + "/entries/point-nav-sparse-v1/e.json"
        let args = ["evaluate", "--agent", "cmd:python3 \(script) slow", "--benchmark", "point-nav-sparse-v1", "--seeds", "1",
                    "--threads", "1", "--hidden-goals", "--output", out]
        let p = Process()
        p.executableURL = MrbenchProcess.executable
        p.arguments = MrbenchProcess.sandboxAware(args)
        p.standardError = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let journal = out + ".journal"
        let until = Date().addingTimeInterval(60)
        while Date() < until {
            let data: Data = FileManager.default.contents(atPath: journal) ?? Data()
            let lines = data.filter { $0 == 0x0a }.count
            if lines >= 6 || !p.isRunning { break }
            usleep(10_000)
        }
        #expect(p.isRunning, "the run ended before it could be killed")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(!FileManager.default.fileExists(atPath: out))
        let r = try mrbench(args)
        #expect(r.status == 0 && r.stderr.contains("resuming from"), "\(r.stderr)")
        let rec = try json(d + "/entries/point-nav-sparse-v1/e.run.json")
        #expect(((rec["trialsResumed"] as? Int) ?? 0) >= 5)
        // The commitment matches the revealed seed (validate), and every trial re-run from it matches.
        let v = try mrbench(["leaderboard", "validate", out])
        #expect(v.status == 0, "\(v.stdout)")
        let all = try mrbench(["leaderboard", "verify", out, "--sample", "30", "--seed", "1", "--threads", "2",
                               "--agent", "cmd:python3 \(script) slow"] + Self.sandboxFlag)
        #expect(all.status == 0 && all.stdout.contains("ok: all 30 sampled trials match"), "\(all.stdout)\(all.stderr)")
        // The seed kept for the resume is removed once the run is finished (the run record reveals it).
        let seed = try #require(rec["hiddenGoalSeed"] as? String)
        let kept = ((try? FileManager.default.contentsOfDirectory(atPath: Self.keyDirectory)) ?? []).filter { $0.hasSuffix(".hidden-seed") }
        #expect(!kept.contains { FileManager.default.contents(atPath: Self.keyDirectory + "/" + $0).map { String(decoding: $0, as: UTF8.self) } == seed })
    }

    static var keyDirectory: String {
        let env = ProcessInfo.processInfo.environment
        if let run = env["XDG_RUNTIME_DIR"], !run.isEmpty { return run + "/mrbench-journal-keys" }
        return (env["HOME"] ?? NSTemporaryDirectory()) + "/.cache/mrbench/journal-keys"
    }
}
