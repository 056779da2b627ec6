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
    /// standard error at hello; ESCAPE=<word> starts, at hello, a `sleep <word>` that leaves the
    /// agent's process group and session (fork, setsid, fork again: a daemon's double fork), which
    /// creates the file ESCAPED=<file> if given.
    static let agent = """
    import os, subprocess, sys, time
    opts = dict(a.split("=", 1) for a in sys.argv[1:])
    def escape(word):
        pid = os.fork()
        if pid == 0:
            os.setsid()
            if os.fork() == 0:
                if "ESCAPED" in opts: open(opts["ESCAPED"], "w").close()
                os.execvp("sleep", ["sleep", word])
            os._exit(0)
        os.waitpid(pid, 0)
    def on_hello():
        if "ESCAPE" in opts: escape(opts["ESCAPE"])
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

    // MARK: Escapees in the sandbox

    /// Host processes whose command line has the argument `word`.
    static func processes(withArgument word: String) -> [pid_t] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(pid_t.init).filter { pid in
            guard let d = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
            return d.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == word }
        }
    }

    /// A word no other process has: the escapee's `sleep` argument (a valid duration, 300.x s).
    static func escapeWord() -> String { "300.\(UInt32.random(in: 100_000...999_999))\(getpid())" }

    /// Waits up to 10 s for the escapee to show on the host, and returns its host pids.
    func escapees(_ word: String) -> [pid_t] {
        let until = Date().addingTimeInterval(10)
        var found = Self.processes(withArgument: word)
        while found.isEmpty && Date() < until { usleep(20_000); found = Self.processes(withArgument: word) }
        return found
    }

    /// (The output goes to `out/`: the output directory is read-only inside the sandbox, and the
    /// agent writes its marker files in its own directory.)
    ///
    /// In the sandbox, a grandchild that left the agent's process group and session (setsid and a
    /// second fork, so the supervisor's group kill misses it) still ends with the run: it is in
    /// the agent's PID namespace, which ends when bubblewrap's init does.
    @Test(.enabled(if: MrbenchProcess.bwrapWorks, "bubblewrap (bwrap) is not installed or cannot create user namespaces here"))
    func aSetsidEscapeeEndsWithTheSandboxedRun() throws {
        let (d, agent) = try setUp("escape-end")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let word = Self.escapeWord()
        let args = ["evaluate", "--agent", "cmd:python3 \(agent) ESCAPE=\(word) HANG=\(d)/hanging", "--benchmark", "point-nav-v1", "--seeds", "1",
                    "--threads", "1", "--agent-timeout", "600", "--output", d + "/out/e.json"]
        let (p, err) = try MrbenchProcess.start(args, waitingFor: d + "/hanging")
        let pids = escapees(word)
        #expect(!pids.isEmpty && pids.allSatisfy(Self.alive), "the escapee never showed: \(pids)")
        // Double forked: its process group is its own session's, whose leader (the intermediate
        // child) has exited; so no group kill reaches it, only the end of the namespace.
        if let pid = pids.first {
            let sid = getsid(pid)
            #expect(sid > 0 && getpgid(pid) == sid && sid != pid && !Self.alive(sid), "sid \(sid), pgid \(getpgid(pid)), pid \(pid)")
        }
        let stderr = MrbenchProcess.signal(p, SIGTERM, stderr: err)
        #expect(p.terminationStatus == 143, "\(stderr)")
        expectGone(pids)
    }

    /// The same after SIGKILL of mrbench (nothing in mrbench runs: the supervisor's death signal
    /// ends bubblewrap, and with it the namespace).
    @Test(.enabled(if: MrbenchProcess.bwrapWorks, "bubblewrap (bwrap) is not installed or cannot create user namespaces here"))
    func aSetsidEscapeeEndsWhenMrbenchIsKilled() throws {
        let (d, agent) = try setUp("escape-kill")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let word = Self.escapeWord()
        let args = ["evaluate", "--agent", "cmd:python3 \(agent) ESCAPE=\(word) HANG=\(d)/hanging", "--benchmark", "point-nav-v1", "--seeds", "1",
                    "--threads", "1", "--agent-timeout", "600", "--output", d + "/out/e.json"]
        let (p, _) = try MrbenchProcess.start(args, waitingFor: d + "/hanging")
        let pids = escapees(word)
        #expect(!pids.isEmpty && pids.allSatisfy(Self.alive), "the escapee never showed: \(pids)")
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        expectGone(pids)
    }

    /// And after a run that ends normally.
    @Test(.enabled(if: MrbenchProcess.bwrapWorks, "bubblewrap (bwrap) is not installed or cannot create user namespaces here"))
    func aSetsidEscapeeEndsAfterASandboxedRunCompletes() throws {
        let (d, agent) = try setUp("escape-done")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let word = Self.escapeWord()
        let r = try MrbenchProcess.run(["evaluate", "--agent", "cmd:python3 \(agent) ESCAPE=\(word) ESCAPED=\(d)/escaped", "--benchmark", "point-nav-v1",
                                        "--seeds", "1", "--threads", "1", "--output", d + "/out/e.json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: d + "/escaped"), "the escapee never started")
        expectGone(Self.processes(withArgument: word))
    }
}
