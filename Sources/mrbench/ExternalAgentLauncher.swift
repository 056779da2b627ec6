import Foundation
import MRScoring
#if canImport(Glibc)
import Glibc
#endif

/// The external agent of `mrbench evaluate` (`--agent cmd:…`). Its name, which names the entry
/// file, is known only from its `hello`; the process started for that handshake is kept and
/// becomes the first worker's session, so the agent is started exactly once per worker thread.
///
/// Its standard error goes to a temporary log beside the output until the name is known, then that
/// log becomes `<entry stem>.agent.log` (an existing log of an earlier, interrupted run is kept:
/// its lines are appended to the new file).
final class ExternalAgentLauncher: @unchecked Sendable {
    private(set) var config: ExternalAgentConfig
    let briefing: AgentBriefing
    let identity: AgentIdentity
    private var first: ExternalAgentSession?
    private let lock = NSLock()

    /// Starts the agent and performs the handshake.
    /// - Parameter logDirectory: the output's directory (checked and created already).
    /// - Parameter logLimit: the most bytes of agent log (the supervisor cuts it there, saying so).
    /// - Parameter sandbox: where the agent runs (nil: unconfined, `--no-sandbox`).
    init(commandLine: String, messageTimeout: Double, maxLineBytes: Int, budgetSeconds: Double, logLimit: Int, sandbox: AgentSandbox?,
         briefing: AgentBriefing, logDirectory: String) throws {
        let env = ProcessInfo.processInfo.environment
        var config = ExternalAgentConfig(commandLine: commandLine, logPath: logDirectory + "/.mrbench-agent-\(getpid()).log",
                                         searchPath: env["PATH"] ?? "/usr/local/bin:/usr/bin:/bin", home: env["HOME"] ?? "/tmp")
        config.messageTimeout = messageTimeout
        config.maxLineBytes = maxLineBytes
        config.budgetSeconds = budgetSeconds
        config.launcher = AgentSupervisor.launcher(logLimit: logLimit) + (sandbox?.prefix ?? [])
        if sandbox != nil { config.home = "/tmp" } // the sandbox's private /tmp: the real home is not there
        self.config = config
        self.briefing = briefing
        let temporaryLog = config.logPath
        do {
            let s = try ExternalAgentSession(config: config, briefing: briefing)
            first = s
            identity = s.identity
        } catch {
            unlink(temporaryLog)
            throw error
        }
    }

    /// Moves the handshake's temporary log to `path`, where every later agent process logs too.
    func settleLog(at path: String) {
        let temporary = config.logPath
        config.logPath = path
        if let old = FileManager.default.contents(atPath: path), !old.isEmpty,
           let h = FileHandle(forWritingAtPath: temporary) {
            h.seekToEndOfFile()
            h.write(old)
            try? h.close()
        }
        if rename(temporary, path) != 0 { config.logPath = temporary }
        lock.withLock { first }?.logPath = config.logPath
    }

    /// A session for a worker: the handshake's process for the first caller, a new process after.
    func session() throws -> any AgentSession {
        let (kept, cfg) = lock.withLock { () -> (ExternalAgentSession?, ExternalAgentConfig) in
            defer { first = nil }
            return (first, config)
        }
        if let kept { return kept }
        let s = try ExternalAgentSession(config: cfg, briefing: briefing)
        guard s.identity == identity else {
            s.close()
            throw EvaluationError.agent("the agent now calls itself \(s.identity.name) \(s.identity.version), not \(identity.name) \(identity.version)")
        }
        return s
    }

    /// Ends the handshake's process if no worker took it (every trial was already in the journal).
    func closeUnused() {
        lock.withLock { first }?.close()
    }
}
