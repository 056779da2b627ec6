import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// No external agent process outlives `mrbench evaluate` (issue 20): not the agent, not a
/// grandchild it started, whether the run succeeds, the agent fails, mrbench gets SIGTERM or is
/// killed with SIGKILL; and the agent's log is capped. These run unsandboxed (`--no-sandbox`):
/// the agent reports host process ids, and this is the path where only the supervisor stands
/// between the agent and the host (in the sandbox, the PID namespace also ends every process).
@Suite("Agent process lifetime")
struct AgentLifetimeTests {
    /// A random agent with options: GRANDCHILD=<file> starts `sleep 300` at hello and writes
    /// "<agent pid> <grandchild pid>" to the file; HANG=<file> creates the file at the first trial
    /// and sleeps; EXIT=1 exits with status 3 at the first trial; SPEW=<bytes> writes that much to
    /// standard error at hello.
    static let agent = """
    import os, subprocess, sys, time
    opts = dict(a.split("=", 1) for a in sys.argv[1:])
    def on_hello():
        if "GRANDCHILD" in opts:
            g = subprocess.Popen(["sleep", "300"])
            with open(opts["GRANDCHILD"], "a") as f: f.write(f"{os.getpid()} {g.pid}\\n")
        if "SPEW" in opts:
            block = b"x" * 65535 + b"\\n"
            for _ in range(int(opts["SPEW"]) // len(block)): sys.stderr.buffer.write(block)
            sys.stderr.flush()
    def on_trial(m):
        if "EXIT" in opts: sys.exit(3)
        if "HANG" in opts:
            open(opts["HANG"], "w").close(); time.sleep(600)

    """ + MrbenchProcess.pythonRandomAgentLoop(name: "lifetime")

    func setUp(_ name: String) throws -> (dir: String, agent: String) {
        let d = try MrbenchProcess.tempDir("life", name)
        try Self.agent.write(toFile: d + "/agent.py", atomically: true, encoding: .utf8)
        return (d, d + "/agent.py")
    }

    func evaluateArgs(_ agent: String, _ options: String, output: String) -> [String] {
        ["evaluate", "--agent", "cmd:python3 \(agent) \(options)", "--benchmark", "point-nav-v1", "--seeds", "1", "--threads", "1",
         "--no-sandbox", "--output", output]
    }

    /// Whether `pid` is a live process (not a zombie).
    static func alive(_ pid: pid_t) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }

    /// The agent and grandchild pids the agent recorded.
    func recorded(_ file: String) throws -> [pid_t] {
        try String(contentsOfFile: file, encoding: .utf8).split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { pid_t($0) }
    }

    /// Expects every process in `pids` to be gone within `seconds`.
    func expectGone(_ pids: [pid_t], within seconds: Double = 5, sourceLocation: SourceLocation = #_sourceLocation) {
        let until = Date().addingTimeInterval(seconds)
        while pids.contains(where: Self.alive) && Date() < until { usleep(20_000) }
        let left = pids.filter(Self.alive)
        #expect(left.isEmpty, "still running: \(left)", sourceLocation: sourceLocation)
        for p in left { kill(p, SIGKILL) }
    }

    @Test(arguments: ["", "EXIT=1"])
    func aGrandchildIsGoneAfterTheRun(option: String) throws {
        let (d, agent) = try setUp("end")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let r = try MrbenchProcess.run(evaluateArgs(agent, "GRANDCHILD=\(d)/pids \(option)", output: d + "/e.json"))
        #expect(r.status == (option.isEmpty ? 0 : 1), "\(r.stderr)")
        let pids = try recorded(d + "/pids")
        #expect(pids.count == 2)
        expectGone(pids)
    }

    /// Starts an evaluation whose agent starts a grandchild and hangs in the first trial; returns
    /// once the agent hangs.
    func startHanging(_ d: String, _ agent: String) throws -> (Process, Pipe) {
        let (p, err) = try MrbenchProcess.start(evaluateArgs(agent, "GRANDCHILD=\(d)/pids HANG=\(d)/hanging", output: d + "/e.json")
                                                + ["--agent-timeout", "600"], waitingFor: d + "/hanging")
        #expect(FileManager.default.fileExists(atPath: d + "/hanging"), "the agent never reached its hang")
        return (p, err)
    }

    @Test func sigtermEndsTheRunWith143APartialEntryAndNoAgentLeft() throws {
        let (d, agent) = try setUp("term")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let (p, err) = try startHanging(d, agent)
        let stderr = MrbenchProcess.signal(p, SIGTERM, stderr: err)
        #expect(p.terminationStatus == 143, "\(stderr)")
        #expect(FileManager.default.fileExists(atPath: d + "/e.partial.json") && FileManager.default.fileExists(atPath: d + "/e.json.journal"))
        expectGone(try recorded(d + "/pids"))
    }

    @Test func theAgentAndItsGrandchildDieWhenMrbenchIsKilled() throws {
        let (d, agent) = try setUp("kill")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let (p, _) = try startHanging(d, agent)
        let pids = try recorded(d + "/pids")
        #expect(pids.count == 2 && pids.allSatisfy(Self.alive))
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        expectGone(pids)
    }

    @Test func aHugeStandardErrorLeavesACappedLogSayingWhereItWasCut() throws {
        let (d, agent) = try setUp("spew")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let r = try MrbenchProcess.run(evaluateArgs(agent, "SPEW=50000000", output: d + "/e.json") + ["--agent-log-limit", "1000000"])
        #expect(r.status == 0, "\(r.stderr)")
        let log = try #require(FileManager.default.contents(atPath: d + "/e.agent.log"))
        #expect(log.count > 1_000_000 && log.count < 1_000_200, "\(log.count) bytes")
        let tail = String(decoding: log.suffix(200), as: UTF8.self)
        #expect(tail.contains("[mrbench: the agent log is cut here, at 1000000 bytes"), "\(tail)")
        #expect(log.prefix(1_000_000).allSatisfy { $0 == UInt8(ascii: "x") || $0 == 0x0a })
    }
}
