import Foundation
import Testing

/// The external agent's sandbox (bubblewrap): what an agent can see from inside, compared with
/// the same probe run under `--no-sandbox` (so the probe is shown able to see what the sandbox hides).
@Suite("Agent sandbox")
struct AgentSandboxTests {
    /// A random agent that first writes one line to its log: can it read a frozen goal file, does
    /// any process it can see in /proc run mrbench's command line, which network interfaces it has.
    static let probe = """
    import json, os, random, socket, sys
    goals = sys.argv[1]
    try:
        open(goals, "rb").read(1); seen = "readable"
    except OSError as e:
        seen = "denied"
    procs = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try: procs.append(open("/proc/" + p + "/cmdline", "rb").read().replace(b"\\0", b" ").decode())
            except OSError: pass
    visible = any("mrbench" in c and "evaluate" in c for c in procs)
    nets = ",".join(sorted(n for _, n in socket.if_nameindex()))
    sys.stderr.write("PROBE goals=%s mrbench_visible=%s net=%s\\n" % (seen, visible, nets)); sys.stderr.flush()
    def on_hello(): pass
    def on_trial(m): pass

    """ + MrbenchProcess.pythonRandomAgentLoop(name: "probe")

    /// A frozen goal file of the test split (any file under Assets/tasksets).
    static var goalFile: String {
        let dir = EvaluateTests.packageRoot + "/Assets/tasksets"
        let files = (FileManager.default.enumerator(atPath: dir)?.compactMap { $0 as? String } ?? []).filter { $0.hasSuffix(".json") }.sorted()
        return dir + "/" + (files.first ?? "missing.json")
    }

    /// Runs the probe agent (in `<d>/agent/`, output in `<d>/out/`) and returns its PROBE line and the entry.
    func runProbe(_ name: String, extra: [String]) throws -> (line: String, entry: [String: Any]) {
        let d = try MrbenchProcess.tempDir("sandbox", name)
        defer { try? FileManager.default.removeItem(atPath: d) }
        try FileManager.default.createDirectory(atPath: d + "/agent", withIntermediateDirectories: true)
        try Self.probe.write(toFile: d + "/agent/probe.py", atomically: true, encoding: .utf8)
        #expect(FileManager.default.isReadableFile(atPath: Self.goalFile))
        let r = try MrbenchProcess.run(["evaluate", "--agent", "cmd:python3 \(d)/agent/probe.py \(Self.goalFile)", "--benchmark", "point-nav-v1",
                                        "--seeds", "1", "--threads", "1", "--output", d + "/out/e.json"] + extra)
        #expect(r.status == 0, "\(r.stderr)")
        let log = String(decoding: FileManager.default.contents(atPath: d + "/out/e.agent.log") ?? Data(), as: UTF8.self)
        let line = log.split(separator: "\n").first { $0.hasPrefix("PROBE") }.map(String.init) ?? "no PROBE line in: \(log)"
        let data = FileManager.default.contents(atPath: d + "/out/e.json") ?? Data("{}".utf8)
        return (line, (try? JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:])
    }

    @Test(.enabled(if: MrbenchProcess.bwrapWorks, "bubblewrap (bwrap) is not installed or cannot create user namespaces here"))
    func aSandboxedAgentSeesNoGoalsNoMrbenchAndNoNetwork() throws {
        let (line, entry) = try runProbe("on", extra: [])
        #expect(line == "PROBE goals=denied mrbench_visible=False net=lo", "\(line)")
        #expect((entry["agent"] as? [String: Any])?["sandbox"] as? String == "bwrap")
        #expect((entry["schema"] as? [String: Any])?["version"] as? Int == 3)
    }

    /// An interpreter in a virtual environment (`<venv>/bin/python3`, a link to the system's
    /// python3) outside the agent's directory and in the host's /tmp, which the sandbox replaces:
    /// the environment's prefix is bound read-only, so the agent starts and still sees no goals.
    @Test(.enabled(if: MrbenchProcess.bwrapWorks, "bubblewrap (bwrap) is not installed or cannot create user namespaces here"))
    func anAgentRunByAVirtualEnvironmentsPythonStarts() throws {
        let d = try MrbenchProcess.tempDir("sandbox", "venv")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let fm = FileManager.default
        try fm.createDirectory(atPath: d + "/venv/bin", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: d + "/agent", withIntermediateDirectories: true)
        let system = try #require(["/usr/bin/python3", "/bin/python3"].first { fm.isExecutableFile(atPath: $0) }, "no system python3")
        try fm.createSymbolicLink(atPath: d + "/venv/bin/python3", withDestinationPath: (system as NSString).resolvingSymlinksInPath)
        try Self.probe.write(toFile: d + "/agent/probe.py", atomically: true, encoding: .utf8)
        let r = try MrbenchProcess.run(["evaluate", "--agent", "cmd:\(d)/venv/bin/python3 \(d)/agent/probe.py \(Self.goalFile)", "--benchmark", "point-nav-v1",
                                        "--seeds", "1", "--threads", "1", "--output", d + "/out/e.json"])
        #expect(r.status == 0, "\(r.stderr)")
        let log = String(decoding: fm.contents(atPath: d + "/out/e.agent.log") ?? Data(), as: UTF8.self)
        #expect(log.contains("PROBE goals=denied mrbench_visible=False net=lo"), "\(log)")
    }

    /// The same probe unconfined sees all three: the probe can tell.
    @Test func withoutTheSandboxTheProbeSeesEverything() throws {
        let (line, entry) = try runProbe("off", extra: ["--no-sandbox"])
        #expect(line.hasPrefix("PROBE goals=readable mrbench_visible=True net="), "\(line)")
        let interfaces = (try? FileManager.default.contentsOfDirectory(atPath: "/sys/class/net")) ?? []
        if interfaces.contains(where: { $0 != "lo" }) { #expect(!line.hasSuffix("net=lo"), "\(line)") }
        #expect((entry["agent"] as? [String: Any])?["sandbox"] as? String == "none")
    }

    /// A program that is not there is reported as missing, never as a sandbox that cannot run.
    @Test(.enabled(if: MrbenchProcess.bwrapWorks, "bubblewrap (bwrap) is not installed or cannot create user namespaces here"))
    func aMissingAgentProgramIsNamedAsMissing() throws {
        try expectMissingProgramNamed(extra: [])
    }

    /// The same unconfined.
    @Test func aMissingAgentProgramIsNamedAsMissingUnconfined() throws {
        try expectMissingProgramNamed(extra: ["--no-sandbox"])
    }

    func expectMissingProgramNamed(extra: [String]) throws {
        let d = try MrbenchProcess.tempDir("sandbox", "missing")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let r = try MrbenchProcess.run(["evaluate", "--agent", "cmd:\(d)/nowhere/agent", "--benchmark", "point-nav-v1", "--seeds", "1",
                                        "--output", d + "/e.json"] + extra)
        #expect(r.status != 0 && r.stderr.contains("agent program '\(d)/nowhere/agent' does not exist"), "\(r.stderr)")
        #expect(!r.stderr.contains("sandbox (bwrap) cannot run"), "\(r.stderr)")
    }

    /// A script whose interpreter lies outside what the sandbox shows (not in the agent's directory
    /// nor in the program's prefix, the folder above its own) cannot start; the failure quotes bubblewrap's own reason from the
    /// agent's standard error instead of a bare exit status.
    @Test(.enabled(if: MrbenchProcess.bwrapWorks, "bubblewrap (bwrap) is not installed or cannot create user namespaces here"))
    func anAgentThatCannotStartInTheSandboxSaysWhy() throws {
        let d = try MrbenchProcess.tempDir("sandbox", "interp")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let fm = FileManager.default
        try fm.createDirectory(atPath: d + "/tools", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: d + "/prefix/agent", withIntermediateDirectories: true)
        try fm.copyItem(atPath: "/bin/sh", toPath: d + "/tools/sh")
        try "#!\(d)/tools/sh\necho hello\n".write(toFile: d + "/prefix/agent/run.sh", atomically: true, encoding: .utf8)
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: d + "/prefix/agent/run.sh")
        let r = try MrbenchProcess.run(["evaluate", "--agent", "cmd:\(d)/prefix/agent/run.sh", "--benchmark", "point-nav-v1", "--seeds", "1",
                                        "--output", d + "/out/e.json"])
        #expect(r.status != 0, "\(r.stderr)")
        #expect(r.stderr.contains("while mrbench waited for its \"hello\" message (its standard error ends: \"bwrap: execvp \(d)/prefix/agent/run.sh: No such file or directory\")"),
                "\(r.stderr)")
    }

    @Test func anAgentDirectoryHoldingTheAssetsIsRefused() throws {
        let d = try MrbenchProcess.tempDir("sandbox", "dir")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let r = try MrbenchProcess.run(["evaluate", "--agent", "cmd:python3 probe.py", "--agent-dir", EvaluateTests.packageRoot,
                                        "--benchmark", "point-nav-v1", "--seeds", "1", "--output", d + "/e.json"])
        #expect(r.status != 0 && r.stderr.contains("which a sandboxed agent must not see"), "\(r.stderr)")
    }

    @Test func withoutBubblewrapTheErrorSaysToPassNoSandbox() throws {
        let d = try MrbenchProcess.tempDir("sandbox", "nobwrap")
        defer { try? FileManager.default.removeItem(atPath: d) }
        let r = try MrbenchProcess.run(["evaluate", "--agent", "cmd:python3 probe.py", "--benchmark", "point-nav-v1", "--seeds", "1",
                                        "--output", d + "/e.json"], environment: ["PATH": d])
        #expect(r.status != 0 && r.stderr.contains("needs bubblewrap (bwrap), which is not installed") && r.stderr.contains("--no-sandbox"),
                "\(r.stderr)")
    }
}
