import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The `mrbench` executable built with the tests (beside the test bundle), run as a child process.
enum MrbenchProcess {
    struct Run { let status: Int32; let stdout: String; let stderr: String; let seconds: Double; let timedOut: Bool }

    static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mrbench")
    }

    /// The environment mrbench runs with: the test's own, without the variables that would point it
    /// at other assets (`MRBENCH_ASSETS`), then `overrides` (nil removes a variable).
    static func environment(_ overrides: [String: String?] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["MRBENCH_ASSETS"] = nil
        for (k, v) in overrides { env[k] = v }
        return env
    }

    /// A new, empty folder under the system's temporary directory, named for the test.
    static func tempDir(_ prefix: String, _ name: String) throws -> String {
        let d = NSTemporaryDirectory() + "mrbench-\(prefix)-\(name)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        return d
    }

    /// Whether bubblewrap is installed and can create its namespaces here (user namespaces allowed).
    static let bwrapWorks: Bool = {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["bwrap", "--die-with-parent", "--unshare-pid", "--unshare-net", "--ro-bind", "/usr", "/usr",
                       "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                       "--proc", "/proc", "--dev", "/dev", "--", "/usr/bin/true"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }()

    /// `args`, plus `--no-sandbox` for an external agent's `evaluate` where bubblewrap cannot run:
    /// the tests of other behaviour then still run (unconfined), and the sandbox's own tests
    /// (AgentSandboxTests) are skipped, saying why.
    static func sandboxAware(_ args: [String]) -> [String] {
        guard !bwrapWorks, args.first == "evaluate", args.contains(where: { $0.hasPrefix("cmd:") }), !args.contains("--no-sandbox") else { return args }
        return args + ["--no-sandbox"]
    }

    /// Runs mrbench; a watchdog kills it after `timeout` seconds (so a hang fails the test, never blocks it).
    static func run(_ args: [String], timeout: Double = 120, environment overrides: [String: String?] = [:]) throws -> Run {
        let p = Process()
        p.executableURL = executable
        p.arguments = sandboxAware(args)
        p.environment = environment(overrides)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        let start = Date()
        try p.run()
        let killer = DispatchWorkItem { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        killer.cancel()
        let t = Date().timeIntervalSince(start)
        return Run(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self),
                   seconds: t, timedOut: p.terminationReason == .uncaughtSignal && t >= timeout)
    }

    /// Starts mrbench (its standard error on the returned pipe) and returns once the file `marker`
    /// exists (an agent reached the point the test waits for), the process ended, or 60 s passed.
    static func start(_ args: [String], waitingFor marker: String) throws -> (Process, Pipe) {
        let p = Process()
        p.executableURL = executable
        p.arguments = sandboxAware(args)
        p.environment = environment()
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let until = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: marker) && p.isRunning && Date() < until { usleep(20_000) }
        return (p, err)
    }

    /// Sends `sig` to a started mrbench and waits for it to end (SIGKILL after `timeout` seconds,
    /// so a hang fails the test, never blocks it); returns what it wrote on `stderr`.
    static func signal(_ p: Process, _ sig: Int32, stderr err: Pipe, timeout: Double = 60) -> String {
        kill(p.processIdentifier, sig)
        let killer = DispatchWorkItem { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: killer)
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        killer.cancel()
        return text
    }

    /// The protocol loop of a Python random agent named `name`, for test agents: the script before
    /// it defines `on_hello()` (called before the agent's hello answer) and `on_trial(m)`.
    static func pythonRandomAgentLoop(name: String) -> String {
        """
        import json, random, sys
        def send(m):
            sys.stdout.write(json.dumps(m) + "\\n"); sys.stdout.flush()
        rng, low, high = random.Random(0), [], []
        for line in sys.stdin:
            m = json.loads(line); t = m["type"]
            if t == "hello":
                low, high = m["action_space"]["low"], m["action_space"]["high"]
                on_hello()
                send({"type": "hello", "protocol": "mrbench-agent", "version": "1.0", "agent": {"name": "\(name)", "version": "1"}})
            elif t == "trial":
                rng = random.Random(m["seed"]); on_trial(m)
            elif t == "adapt":
                send({"type": "adapted"})
            elif t == "end":
                break
            elif t == "episode" or (t == "step" and not m["done"]):
                send({"type": "action", "action": [rng.uniform(l, h) for l, h in zip(low, high)]})
        """
    }
}
