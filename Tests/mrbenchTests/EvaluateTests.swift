import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `mrbench evaluate` and `mrbench leaderboard` end to end, on the tiny navigation benchmarks.
@Suite("mrbench evaluate and leaderboard")
struct EvaluateTests {
    typealias Run = MrbenchProcess.Run
    static var executable: URL { MrbenchProcess.executable }

    func mrbench(_ args: [String], timeout: Double = 120) throws -> Run { try MrbenchProcess.run(args, timeout: timeout) }

    func tempDir(_ name: String) throws -> String { try MrbenchProcess.tempDir("eval", name) }

    func read(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    func json(_ path: String) throws -> [String: Any] {
        let data = try #require(read(path))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    static var packageRoot: String {
        var p = #filePath
        for _ in 0..<3 { p = (p as NSString).deletingLastPathComponent }
        return p
    }

    /// A Python agent that behaves like the reference random agent, except in `mode`, where it
    /// misbehaves at action 3 of trial 1 (or in its hello).
    static let testAgent = """
    import json, random, sys, time
    MODE = sys.argv[1]
    def send(m):
        sys.stdout.write(json.dumps(m) + "\\n"); sys.stdout.flush()
    trial, rng, low, high = -1, random.Random(0), [], []
    for line in sys.stdin:
        m = json.loads(line); t = m["type"]
        if t == "hello":
            low, high = m["action_space"]["low"], m["action_space"]["high"]
            send({"type": "hello", "protocol": "mrbench-agent", "version": "2.0" if MODE == "version" else "1.0",
                  "agent": {"name": "test-" + MODE, "version": "1"}})
        elif t == "trial":
            trial, rng = m["trial"], random.Random(m["seed"])
            if MODE == "slow": time.sleep(0.03)
            if MODE == "slower": time.sleep(0.1)
        elif t == "adapt":
            send({"type": "adapted"})
        elif t == "end":
            break
        elif t == "episode" or (t == "step" and not m["done"]):
            step = 0 if t == "episode" else m["step"] + 1
            a = [rng.uniform(l, h) for l, h in zip(low, high)]
            if trial == 1 and step == 3:
                if MODE == "malformed": sys.stdout.write("{this is not json\\n"); sys.stdout.flush(); continue
                if MODE == "length": a = a + [0.0]
                if MODE == "nan": a[0] = float("nan")
                if MODE == "range": a[0] = 5.0
                if MODE == "unknown": send({"type": "banana"}); continue
                if MODE == "exit": print("giving up at step 3", file=sys.stderr); sys.exit(3)
                if MODE == "hang": time.sleep(60)
                if MODE == "long": sys.stdout.write('{"type":"action","action":[' + "0," * 5000 + '0]}\\n'); sys.stdout.flush(); continue
            send({"type": "action", "action": a})
    """

    func agentScript(in dir: String) throws -> String {
        let path = dir + "/agent.py"
        try Self.testAgent.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func sameCommandTwiceAndAnyThreadCountGiveTheSameBytes() throws {
        let d = try tempDir("det")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let base = ["evaluate", "--agent", "random", "--benchmark", "point-nav-sparse-v1", "--seeds", "2"]
        let a = try mrbench(base + ["--threads", "2", "--output", d + "/a.json"])
        #expect(a.status == 0, "\(a.stderr)")
        let b = try mrbench(base + ["--threads", "2", "--output", d + "/b.json"])
        let c = try mrbench(base + ["--threads", "1", "--output", d + "/c.json", "--json"])
        #expect(b.status == 0 && c.status == 0)
        let ea = try #require(read(d + "/a.json"))
        #expect(ea == read(d + "/b.json"))
        #expect(ea == read(d + "/c.json"))
        #expect(Data(c.stdout.utf8) == ea) // --json prints the entry itself
        // The run record sits beside the entry with the variable parts; the journal is gone.
        let rec = try json(d + "/a.run.json")
        #expect(rec["threads"] as? Int == 2 && rec["wallSeconds"] is Double && rec["peakMemoryMB"] is Double)
        #expect(!FileManager.default.fileExists(atPath: d + "/a.json.journal"))
        let e = try json(d + "/a.json")
        #expect(e["complete"] as? Bool == true)
        #expect((e["provenance"] as? [String: Any])?["environmentSteps"] as? Int ?? 0 > 0)
    }

    @Test func trainSplitRunsTheTrainTasksIntoAReportThatIsNotAnEntry() throws {
        let d = try tempDir("train-split")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let base = ["evaluate", "--agent", "random", "--benchmark", "point-nav-v1", "--seeds", "1", "--split", "train"]
        let r = try mrbench(base + ["--output", d + "/train.json"])
        #expect(r.status == 0, "\(r.stderr)")
        let e = try json(d + "/train.json")
        let benchmark = try #require(e["benchmark"] as? [String: Any]), protocolInfo = try #require(e["protocol"] as? [String: Any])
        #expect(benchmark["split"] as? String == "train")
        let taskSet = try json(Self.packageRoot + "/Assets/tasksets/point-nav-v1.json")
        let trainCount = (taskSet["train"] as? [Any])?.count ?? -1, testCount = (taskSet["test"] as? [Any])?.count ?? -1
        #expect((protocolInfo["entries"] as? [Any])?.count == trainCount && trainCount != testCount)
        // Not a leaderboard entry: validation refuses it, and it needs an --output outside the entries.
        #expect(try mrbench(["leaderboard", "validate", d + "/train.json"]).status != 0)
        let noOutput = try mrbench(base)
        #expect(noOutput.status != 0 && noOutput.stderr.contains("--output"))
        let inEntries = try mrbench(base + ["--output", d + "/leaderboard/entries/point-nav-v1/x.json"])
        #expect(inEntries.status != 0 && inEntries.stderr.contains("not entries"))
        let bad = try mrbench(["evaluate", "--agent", "random", "--benchmark", "point-nav-v1", "--split", "validation", "--output", d + "/v.json"])
        #expect(bad.status != 0 && bad.stderr.contains("--split must be test or train"))
    }

    @Test func shardsMergeToTheUnshardedEntry() throws {
        let d = try tempDir("shard")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let base = ["evaluate", "--agent", "random", "--benchmark", "cube-nav-zones-v1", "--seeds", "2"]
        #expect(try mrbench(base + ["--output", d + "/full.json"]).status == 0)
        #expect(try mrbench(base + ["--shard", "2/2", "--output", d + "/s2.json"]).status == 0)
        #expect(try mrbench(base + ["--shard", "1/2", "--output", d + "/s1.json", "--threads", "1"]).status == 0)
        let m = try mrbench(["leaderboard", "merge", d + "/s2.json", d + "/s1.json", "--output", d + "/merged.json"])
        #expect(m.status == 0, "\(m.stderr)")
        #expect(try #require(read(d + "/merged.json")) == read(d + "/full.json"))
        // One shard alone is refused, and so are shards of different runs.
        let one = try mrbench(["leaderboard", "merge", d + "/s1.json", "--output", d + "/bad.json"])
        #expect(one.status != 0 && one.stderr.contains("missing shards: 2/2"))
        #expect(try mrbench(base + ["--shard", "2/2", "--seeds", "3", "--output", d + "/o2.json"]).status == 0)
        let mixed = try mrbench(["leaderboard", "merge", d + "/s1.json", d + "/o2.json", "--output", d + "/bad.json"])
        #expect(mixed.status != 0 && mixed.stderr.contains("differs from shard 1"))
    }

    @Test func aKilledRunResumesToTheSameBytes() throws {
        let d = try tempDir("kill")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let agent = try agentScript(in: d)
        let args = ["evaluate", "--agent", "cmd:python3 \(agent) slow", "--benchmark", "point-nav-sparse-v1", "--seeds", "1", "--threads", "2"]
        // Uninterrupted.
        let whole = try mrbench(args + ["--output", d + "/whole/e.json"])
        #expect(whole.status == 0, "\(whole.stderr)")
        // Killed after a few trials reached the journal, then started again.
        let p = Process()
        p.executableURL = Self.executable
        p.arguments = MrbenchProcess.sandboxAware(args + ["--output", d + "/killed/e.json"])
        p.standardError = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let journal = d + "/killed/e.json.journal"
        let until = Date().addingTimeInterval(60)
        var lines = 0
        while Date() < until {
            lines = read(journal).map { $0.filter { $0 == 0x0a }.count } ?? 0
            if lines >= 6 || !p.isRunning { break }
            usleep(10_000)
        }
        #expect(p.isRunning, "the run ended before it could be killed")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(!FileManager.default.fileExists(atPath: d + "/killed/e.json"))
        let again = try mrbench(args + ["--output", d + "/killed/e.json"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("resuming from"))
        #expect(try #require(read(d + "/killed/e.json")) == read(d + "/whole/e.json"))
        let rec = try json(d + "/killed/e.run.json")
        #expect((rec["trialsResumed"] as? Int ?? 0) >= 5)
    }

    @Test func referenceAgentCompletesAFullEvaluation() throws {
        let d = try tempDir("ref")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let agent = Self.packageRoot + "/examples/agents/random_agent.py"
        let r = try mrbench(["evaluate", "--agent", "cmd:python3 '\(agent)'", "--benchmark", "cube-nav-zones-v1", "--seeds", "1", "--output", d + "/e.json"])
        #expect(r.status == 0, "\(r.stderr)")
        let e = try json(d + "/e.json")
        let a = try #require(e["agent"] as? [String: Any])
        #expect(a["name"] as? String == "random-py" && a["kind"] as? String == "external" && a["privileged"] as? Bool == false)
        #expect(e["complete"] as? Bool == true && e["trialsCompleted"] as? Int == 40)
        #expect(FileManager.default.fileExists(atPath: d + "/e.agent.log"))
        // Deterministic too, whatever the number of agent processes: the agent seeds itself from the trial message.
        let again = try mrbench(["evaluate", "--agent", "cmd:python3 '\(agent)'", "--benchmark", "cube-nav-zones-v1", "--seeds", "1",
                                 "--threads", "1", "--output", d + "/f.json"])
        #expect(again.status == 0)
        #expect(read(d + "/e.json") == read(d + "/f.json"))
    }

    /// Each bad agent: a clear message naming trial and step, partial results, non-zero exit, no hang.
    @Test(arguments: [
        ("malformed", "malformed JSON from the agent"),
        ("length", "action has 3 components, the action space has 2"),
        ("nan", "action component 0 is nan, not a finite number"),
        ("range", "action component 0 is 5.0, outside the action space [-1.0, 1.0]"),
        ("unknown", "unknown message type \"banana\""),
        ("exit", "the agent exited with status 3 while mrbench waited for its \"action\" message (its standard error ends: \"giving up at step 3\")"),
        ("hang", "the agent did not answer within 2.0 s"),
        ("long", "the agent sent a line longer than 1000 bytes"),
    ])
    func badAgentsAreCaught(mode: String, message: String) throws {
        let d = try tempDir("bad-\(mode)")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let agent = try agentScript(in: d)
        // A short deadline only where the agent hangs on purpose: a busy host never trips the others.
        let r = try mrbench(["evaluate", "--agent", "cmd:python3 \(agent) \(mode)", "--benchmark", "point-nav-sparse-v1", "--seeds", "1",
                             "--threads", "1", "--agent-timeout", mode == "hang" ? "2" : "30", "--agent-max-line", "1000", "--output", d + "/e.json"], timeout: 60)
        #expect(!r.timedOut && r.seconds < 20, "took \(r.seconds) s")
        #expect(r.status == 1, "status \(r.status): \(r.stderr)")
        #expect(r.stderr.contains(message), "\(r.stderr)")
        #expect(r.stderr.contains("trial 1 (seed 0, entry 1, task 'point-nav'), adaptation episode 0, step 3"), "\(r.stderr)")
        let partial = try json(d + "/e.partial.json")
        #expect(partial["complete"] as? Bool == false)
        #expect(partial["trialsCompleted"] as? Int == 1)
        #expect((partial["error"] as? String ?? "").contains(message))
        #expect(!FileManager.default.fileExists(atPath: d + "/e.json"))
    }

    @Test func theTotalBudgetBoundsASlowAgent() throws {
        let d = try tempDir("budget")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let agent = try agentScript(in: d)
        // The slower agent spends 0.1 s per trial; 30 trials need over 3 s of waiting, the budget is 2 s
        // (room for the interpreter's start on a busy host: the hello wait counts too).
        let r = try mrbench(["evaluate", "--agent", "cmd:python3 \(agent) slower", "--benchmark", "point-nav-sparse-v1", "--seeds", "1",
                             "--threads", "1", "--agent-budget", "2", "--output", d + "/e.json"], timeout: 60)
        #expect(r.status == 1 && r.stderr.contains("the agent used up its total time budget of 2.0 s"), "\(r.stderr)")
        // Where it runs out depends on the machine's load; the message still names trial, episode and step.
        #expect(r.stderr.range(of: #"trial \d+ \(seed 0, entry \d+, task 'point-nav'\), (adaptation|evaluation) episode \d+, step \d+"#,
                               options: .regularExpression) != nil, "\(r.stderr)")
        // How many trials fit in the budget depends on the host's load; none need have.
        let partial = try json(d + "/e.partial.json")
        #expect(partial["complete"] as? Bool == false && (partial["trialsCompleted"] as? Int ?? 30) < 30)
    }

    @Test func outOfRangeActionsAreClippedAndRecordedWithClipActions() throws {
        let d = try tempDir("clip")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let agent = try agentScript(in: d)
        let r = try mrbench(["evaluate", "--agent", "cmd:python3 \(agent) range", "--benchmark", "point-nav-sparse-v1", "--seeds", "1",
                             "--clip-actions", "--output", d + "/e.json"])
        #expect(r.status == 0, "\(r.stderr)")
        let e = try json(d + "/e.json")
        #expect((e["protocol"] as? [String: Any])?["clipActions"] as? Bool == true)
        // Action 3 of each of trial 1's six episodes (K = 4, E = 2) was out of range.
        #expect((e["provenance"] as? [String: Any])?["clippedActions"] as? Int == 6)
    }

    @Test func wrongProtocolVersionIsRefused() throws {
        let d = try tempDir("version")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let agent = try agentScript(in: d)
        let r = try mrbench(["evaluate", "--agent", "cmd:python3 \(agent) version", "--benchmark", "point-nav-sparse-v1", "--seeds", "1",
                             "--output", d + "/e.json"], timeout: 60)
        #expect(r.status != 0 && !r.timedOut)
        #expect(r.stderr.contains("the agent speaks protocol version 2.0, mrbench speaks 1.0: major versions differ"), "\(r.stderr)")
        let missing = try mrbench(["evaluate", "--agent", "cmd:no-such-agent-program --x", "--benchmark", "point-nav-sparse-v1"])
        #expect(missing.status != 0 && missing.stderr.contains("'no-such-agent-program' not found on PATH"))
    }

    @Test func expertIsPrivilegedAndUnknownAgentsAreRefused() throws {
        let d = try tempDir("expert")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let r = try mrbench(["evaluate", "--agent", "expert", "--benchmark", "point-nav-sparse-v1", "--seeds", "1", "--output", d + "/e.json"])
        #expect(r.status == 0, "\(r.stderr)")
        let e = try json(d + "/e.json")
        #expect((e["agent"] as? [String: Any])?["privileged"] as? Bool == true)
        let overall = try #require((e["results"] as? [String: Any])?["overall"] as? [String: Any])
        #expect(overall["mean"] as? Double ?? 0 > 0.9)
        let u = try mrbench(["evaluate", "--agent", "nobody", "--benchmark", "point-nav-sparse-v1"])
        #expect(u.status != 0 && u.stderr.contains("unknown agent 'nobody'"))
    }

    @Test func validateAcceptsEntriesAndRejectsAlteredOnes() throws {
        let d = try tempDir("validate")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let r = try mrbench(["evaluate", "--agent", "random", "--benchmark", "point-nav-v1", "--seeds", "2", "--output", d + "/e.json"])
        #expect(r.status == 0, "\(r.stderr)")
        let ok = try mrbench(["leaderboard", "validate", d + "/e.json"])
        #expect(ok.status == 0 && ok.stdout.contains("ok    \(d)/e.json"), "\(ok.stdout)")
        func altered(_ name: String, _ change: (inout [String: Any]) -> Void) throws -> Run {
            var e = try json(d + "/e.json")
            change(&e)
            try JSONSerialization.data(withJSONObject: e, options: [.sortedKeys]).write(to: URL(fileURLWithPath: d + "/" + name))
            return try mrbench(["leaderboard", "validate", d + "/" + name])
        }
        let digest = try altered("digest.json") { e in
            var b = e["benchmark"] as! [String: Any]
            b["digest"] = String(repeating: "0", count: 64)
            e["benchmark"] = b
        }
        #expect(digest.status != 0 && digest.stdout.contains("does not match the current definition of point-nav-v1"), "\(digest.stdout)")
        let missing = try altered("missing.json") { e in e["results"] = nil }
        #expect(missing.status != 0 && missing.stdout.contains("missing required member \"results\""), "\(missing.stdout)")
        let type = try altered("type.json") { e in
            var p = e["protocol"] as! [String: Any]
            p["horizon"] = "100"
            e["protocol"] = p
        }
        #expect(type.status != 0 && type.stdout.contains("$.protocol.horizon: expected integer, found string"), "\(type.stdout)")
    }

    /// Whether Python's jsonschema is installed (`pip install jsonschema`; .ci/run installs it).
    static let pythonHasJsonschema: Bool = {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import jsonschema"]
        probe.standardError = FileHandle.nullDevice
        probe.standardOutput = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }()

    @Test(.enabled(if: EvaluateTests.pythonHasJsonschema, "Python's jsonschema is not installed (pip install jsonschema)"))
    func schemaValidatesEntriesWithPythonJsonschema() throws {
        let d = try tempDir("jsonschema")
        defer { try? FileManager.default.removeItem(atPath: d) }
        #expect(try mrbench(["evaluate", "--agent", "random", "--benchmark", "point-nav-v1", "--seeds", "2", "--output", d + "/a.json"]).status == 0)
        #expect(try mrbench(["evaluate", "--agent", "expert", "--benchmark", "cube-nav-zones-v1", "--seeds", "2", "--shard", "1/2",
                             "--output", d + "/b.json"]).status == 0)
        let script = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(schema)
        v = jsonschema.Draft202012Validator(schema)
        for path in sys.argv[2:]:
            v.validate(json.load(open(path)))
        bad = json.load(open(sys.argv[2])); bad["protocol"]["seeds"] = "2"
        assert not v.is_valid(bad)
        print("jsonschema ok", len(sys.argv) - 2)
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, Self.packageRoot + "/leaderboard/schema/entry-v1.schema.json", d + "/a.json", d + "/b.json"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let o = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0 && o.contains("jsonschema ok 2"), "\(o)")
    }

    @Test func buildWritesTablesAndPlots() throws {
        let d = try tempDir("build")
        defer { try? FileManager.default.removeItem(atPath: d) }
        for agent in ["random", "expert"] {
            #expect(try mrbench(["evaluate", "--agent", agent, "--benchmark", "point-nav-sparse-v1", "--seeds", "2",
                                 "--output", d + "/entries/point-nav-sparse-v1/\(agent).json"]).status == 0)
        }
        let b = try mrbench(["leaderboard", "build", "--directory", d])
        #expect(b.status == 0, "\(b.stderr)")
        let md = String(decoding: try #require(read(d + "/LEADERBOARD.md")), as: UTF8.self)
        #expect(md.contains("## point-nav-sparse-v1") && md.contains("| random | builtin |") && md.contains("| expert (privileged) | builtin |"))
        let html = String(decoding: try #require(read(d + "/index.html")), as: UTF8.self)
        #expect(html.contains("<svg") && html.components(separatedBy: "<polyline").count == 3)
        #expect(try mrbench(["leaderboard", "validate", "--entries", d + "/entries"]).status == 0)
    }
}
