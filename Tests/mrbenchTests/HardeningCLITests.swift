import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The command line against hostile input: each former crash or Foundation error dump is now one
/// clear line and a non-zero exit, with no work done and nothing written where it should not be.
@Suite("mrbench against hostile input")
struct HardeningCLITests {
    func mrbench(_ args: [String], timeout: Double = 120) throws -> MrbenchProcess.Run { try MrbenchProcess.run(args, timeout: timeout) }

    func tempDir(_ name: String) throws -> String { try MrbenchProcess.tempDir("hard", name) }

    func exists(_ p: String) -> Bool { FileManager.default.fileExists(atPath: p) }

    /// One line on standard error, `Error: …` containing `message`, no Foundation dump, non-zero exit.
    func expectOneLineError(_ r: MrbenchProcess.Run, _ message: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status != 0 && !r.timedOut, "status \(r.status)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(message), "\(r.stderr)", sourceLocation: sourceLocation)
        let lines = r.stderr.split(separator: "\n").filter { !$0.hasPrefix("Usage:") && !$0.contains("--help' for more") && !$0.isEmpty }
        #expect(lines.count == 1, "\(r.stderr)", sourceLocation: sourceLocation)
        #expect(!r.stderr.contains("NSCocoaErrorDomain") && !r.stderr.contains("Program crashed"), "\(r.stderr)", sourceLocation: sourceLocation)
    }

    // MARK: crashes

    @Test func aBillionSeedsAreRefusedAtOnce() throws {
        let d = try tempDir("seeds")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let r = try mrbench(["evaluate", "--agent", "random", "--benchmark", "point-nav-v1", "--seeds", "1000000000", "--output", d + "/e.json"], timeout: 60)
        expectOneLineError(r, "--seeds must be in 1…100000")
        #expect(r.seconds < 30 && !exists(d + "/e.json.journal"))
    }

    /// A copy of the assets with `model` edited by `edit`, its manifest checksums updated.
    func assets(editing model: String, _ edit: (String) -> String) throws -> String {
        let d = try tempDir("assets")
        try FileManager.default.removeItem(atPath: d)
        try FileManager.default.copyItem(atPath: EvaluateTests.packageRoot + "/Assets", toPath: d)
        let path = d + "/models/" + model
        try edit(try String(contentsOfFile: path, encoding: .utf8)).write(toFile: path, atomically: true, encoding: .utf8)
        // The manifest records the edit (checksums first); the broken model's fingerprint then fails, naming it.
        let m = try mrbench(["tasksets", "manifest", "--assets", d])
        #expect(m.status != 0 && m.stderr.contains(model), "\(m.stdout)\(m.stderr)")
        return d
    }

    @Test func aBodyMassOf1e300IsAnErrorNotAnAbort() throws {
        let d = try assets(editing: "pendulum.xml") { $0.replacingOccurrences(of: "mass=\"1\"", with: "mass=\"1e300\"") }
        defer { try? FileManager.default.removeItem(atPath: d) }
        let r = try mrbench(["check-env", "pendulum-v1", "--steps", "100", "--assets", d])
        #expect(r.status == 1 && r.stdout.contains("attribute 'mass': 1e300 is outside the supported range"), "\(r.stdout)\(r.stderr)")
        #expect(!r.stderr.contains("crashed"))
        // evaluate on a benchmark whose model has such a mass.
        let f = try assets(editing: "fetch_slide.xml") { s in
            guard let r = s.range(of: #"mass="[0-9.]+""#, options: .regularExpression) else { return s }
            return s.replacingCharacters(in: r, with: "mass=\"1e300\"")
        }
        defer { try? FileManager.default.removeItem(atPath: f) }
        let e = try mrbench(["evaluate", "--agent", "random", "--benchmark", "fetch-tasks-v2", "--seeds", "1", "--assets", f, "--output", f + "/e.json"])
        expectOneLineError(e, "attribute 'mass': 1e300 is outside the supported range")
    }

    @Test func deeplyNestedBodiesAreAnErrorNotAStackOverflow() throws {
        let n = 100_000
        let d = try assets(editing: "pendulum.xml") { _ in
            "<mujoco><worldbody>" + String(repeating: "<body>", count: n) + String(repeating: "</body>", count: n) + "</worldbody></mujoco>"
        }
        defer { try? FileManager.default.removeItem(atPath: d) }
        let r = try mrbench(["check-env", "pendulum-v1", "--steps", "100", "--assets", d])
        #expect(r.status == 1 && r.stdout.contains("elements are nested more than 256 levels deep"), "\(r.stdout)\(r.stderr)")
    }

    /// A model edited in place (manifest not updated) is refused by evaluate, check-env and render.
    @Test func anEditedModelIsRefused() throws {
        let d = try tempDir("edited")
        try FileManager.default.removeItem(atPath: d)
        try FileManager.default.copyItem(atPath: EvaluateTests.packageRoot + "/Assets", toPath: d)
        defer { try? FileManager.default.removeItem(atPath: d) }
        for m in ["pendulum.xml", "fetch_slide.xml"] {
            let p = d + "/models/" + m
            try (String(contentsOfFile: p, encoding: .utf8) + "<!-- edited -->\n").write(toFile: p, atomically: true, encoding: .utf8)
        }
        let c = try mrbench(["check-env", "pendulum-v1", "--steps", "10", "--assets", d])
        #expect(c.status == 1 && c.stdout.contains("models/pendulum.xml has SHA-256"), "\(c.stdout)")
        let r = try mrbench(["render", "--env", "pendulum-v1", "--assets", d, "--size", "32x32", "--out", d + "/render"])
        expectOneLineError(r, "models/pendulum.xml has SHA-256")
        let e = try mrbench(["evaluate", "--agent", "random", "--benchmark", "fetch-tasks-v2", "--seeds", "1", "--assets", d, "--output", d + "/e.json"])
        expectOneLineError(e, "models/fetch_slide.xml has SHA-256")
    }

    // MARK: outputs

    @Test func anExistingDirectoryAsOutputIsRefusedBeforeAnyTrial() throws {
        let d = try tempDir("outdir")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let r = try mrbench(["evaluate", "--agent", "random", "--benchmark", "point-nav-v1", "--seeds", "1", "--output", d])
        expectOneLineError(r, "--output \(d): \(d) (the entry) is a directory")
        #expect(!exists(d + ".journal") && !r.stderr.contains("trials"))
    }

    @Test(arguments: [
        ([""], "--output is empty"),
        (["/dev/full"], "/dev/full (the entry) is not a regular file"),
    ])
    func badOutputsAreOneLine(output: [String], message: String) throws {
        let r = try mrbench(["evaluate", "--agent", "random", "--benchmark", "point-nav-v1", "--seeds", "1", "--output"] + output)
        expectOneLineError(r, message)
        #expect(!exists("/dev/full.journal"))
    }

    @Test func anOutputUnderARegularFileIsOneLine() throws {
        let d = try tempDir("underfile")
        defer { try? FileManager.default.removeItem(atPath: d) }
        try "x".write(toFile: d + "/file", atomically: true, encoding: .utf8)
        let r = try mrbench(["evaluate", "--agent", "random", "--benchmark", "point-nav-v1", "--seeds", "1", "--output", d + "/file/sub/e.json"])
        expectOneLineError(r, "\(d)/file is a file, not a directory")
    }

    @Test func leaderboardBuildNeedsItsDirectory() throws {
        let r = try mrbench(["leaderboard", "build", "--directory", "/nonexistent/leaderboard"])
        expectOneLineError(r, "--directory /nonexistent/leaderboard does not exist")
        let d = try tempDir("lbempty")
        defer { try? FileManager.default.removeItem(atPath: d) }
        expectOneLineError(try mrbench(["leaderboard", "build", "--directory", d]), "\(d)/entries does not exist")
        let m = try mrbench(["leaderboard", "merge", "a.json", "--output", ""])
        expectOneLineError(m, "--output is empty")
    }

    // MARK: the agent protocol

    /// A configurable agent: random actions, answering hello with `VERSION` and `NAME`; appends a
    /// line to `STARTS` when started; logs each step number it receives to its standard error;
    /// with HANG set, touches that file and sleeps at its first action of trial HANG_TRIAL (default 1).
    static let agent = """
    import json, os, random, sys, time
    opts = dict(a.split("=", 1) for a in sys.argv[1:])
    if "STARTS" in opts:
        with open(opts["STARTS"], "a") as f: f.write("start\\n")
    def send(m):
        sys.stdout.write(json.dumps(m) + "\\n"); sys.stdout.flush()
    rng, trial = random.Random(0), -1
    for line in sys.stdin:
        m = json.loads(line); t = m["type"]
        if t == "hello":
            low, high = m["action_space"]["low"], m["action_space"]["high"]
            send({"type": "hello", "protocol": "mrbench-agent", "version": opts.get("VERSION", "1.0"),
                  "agent": {"name": opts.get("NAME", "hardening"), "version": "1"}})
        elif t == "trial":
            trial, rng = m["trial"], random.Random(m["seed"])
        elif t == "adapt":
            send({"type": "adapted"})
        elif t == "end":
            break
        elif t == "episode" or (t == "step" and not m["done"]):
            if t == "step": print("step", m["step"], file=sys.stderr, flush=True)
            if "HANG" in opts and trial == int(opts.get("HANG_TRIAL", "1")):
                open(opts["HANG"], "w").close(); time.sleep(90)
            send({"type": "action", "action": [rng.uniform(l, h) for l, h in zip(low, high)]})
    """

    func agentScript(in dir: String) throws -> String {
        let p = dir + "/agent.py"
        try Self.agent.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }

    @Test func aNonNumericProtocolVersionIsRefused() throws {
        let d = try tempDir("banana")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let r = try mrbench(["evaluate", "--agent", "cmd:python3 \(try agentScript(in: d)) VERSION=1.banana", "--benchmark", "point-nav-v1",
                             "--seeds", "1", "--output", d + "/e.json"])
        expectOneLineError(r, "the agent's protocol version '1.banana' is not a version number MAJOR.MINOR")
    }

    @Test(arguments: ["random.run", "x.partial", "x.shard-1-of-2", ".journal", "x.agent.log"])
    func namesThatCollideWithMrbenchFilesAreRefused(name: String) throws {
        let d = try tempDir("name")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let r = try mrbench(["evaluate", "--agent", "cmd:python3 \(try agentScript(in: d)) NAME=\(name)", "--benchmark", "point-nav-v1", "--seeds", "1",
                             "--output", d + "/e.json"])
        expectOneLineError(r, "the agent's name '\(name)'")
        #expect(r.stderr.contains("would collide with mrbench's own files"))
        // Refused at the handshake: nothing written, not even the temporary log of its first process.
        #expect(try FileManager.default.contentsOfDirectory(atPath: d) == ["agent.py"])
    }

    /// One process per worker thread: the handshake's process is reused, not started once more.
    /// (Unsandboxed: the agent records its starts in the output directory, which a sandbox keeps read-only.)
    @Test func theAgentIsStartedOncePerThread() throws {
        let d = try tempDir("starts")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let agent = try agentScript(in: d)
        for threads in [1, 2] {
            let starts = d + "/starts-\(threads)"
            let r = try mrbench(["evaluate", "--agent", "cmd:python3 \(agent) STARTS=\(starts)", "--benchmark", "point-nav-v1", "--seeds", "1",
                                 "--threads", "\(threads)", "--no-sandbox", "--output", d + "/e\(threads).json"])
            #expect(r.status == 0, "\(r.stderr)")
            let n = (try? String(contentsOfFile: starts, encoding: .utf8))?.split(separator: "\n").count
            #expect(n == threads, "threads \(threads): \(String(describing: n)) starts")
            // The agent's standard error from its first process is in the log beside the entry.
            #expect((try? String(contentsOfFile: d + "/e\(threads).agent.log", encoding: .utf8))?.contains("step 0") == true)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: d).allSatisfy { !$0.hasPrefix(".mrbench-agent") })
        #expect(FileManager.default.contents(atPath: d + "/e1.json") == FileManager.default.contents(atPath: d + "/e2.json"))
    }

    /// Ctrl-C while mrbench waits for the agent ends the run promptly as an interruption (exit
    /// 130, journal kept), not after the agent timeout as an agent error. (Unsandboxed: the agent
    /// marks its hang in the output directory.)
    @Test func ctrlCDuringTheAgentsTurnIsAnInterruption() throws {
        let d = try tempDir("sigint")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let marker = d + "/hanging"
        let (p, err) = try MrbenchProcess.start(
            ["evaluate", "--agent", "cmd:python3 \(try agentScript(in: d)) HANG=\(marker)", "--benchmark", "point-nav-v1", "--seeds", "1",
             "--threads", "1", "--agent-timeout", "600", "--no-sandbox", "--output", d + "/e.json"], waitingFor: marker)
        #expect(exists(marker), "the agent never reached its hang")
        let sent = Date()
        let stderr = MrbenchProcess.signal(p, SIGINT, stderr: err)
        #expect(p.terminationStatus == 130, "\(stderr)")
        #expect(Date().timeIntervalSince(sent) < 30, "took \(Date().timeIntervalSince(sent)) s")
        #expect(stderr.contains("mrbench evaluate: interrupted") && !stderr.contains("agent error"), "\(stderr)")
        #expect(exists(d + "/e.json.journal") && exists(d + "/e.partial.json"))
    }

    /// render drives an agent like evaluate: steps from 0, --agent-timeout, exit 1 on agent failure.
    @Test func renderTreatsAgentsLikeEvaluate() throws {
        let d = try tempDir("render")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let agent = try agentScript(in: d)
        let ok = try mrbench(["render", "--env", "point-nav-v1", "--agent", "cmd:python3 \(agent)", "--size", "32x32", "--every", "50", "--out", d + "/ok"])
        #expect(ok.status == 0, "\(ok.stderr)")
        let log = try String(contentsOfFile: d + "/ok/agent.log", encoding: .utf8).split(separator: "\n")
        #expect(log.first == "step 0" && log.last == "step 98", "\(log.prefix(2)) … \(log.suffix(2))")
        let hang = try mrbench(["render", "--env", "point-nav-v1", "--agent", "cmd:python3 \(agent) HANG=\(d)/m HANG_TRIAL=0", "--agent-timeout", "1",
                                "--size", "32x32", "--out", d + "/hang"], timeout: 60)
        #expect(hang.status == 1 && hang.seconds < 30, "status \(hang.status), \(hang.seconds) s: \(hang.stderr)")
        #expect(hang.stderr.contains("the agent did not answer within 1.0 s"), "\(hang.stderr)")
    }
}
