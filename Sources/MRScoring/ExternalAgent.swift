#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import MRCore

/// The external-agent wire protocol (docs/agent-protocol.md): line-delimited JSON over the agent's
/// standard input and output. The harness owns every scored number; the agent only sends actions.
public enum AgentProtocol {
    public static let name = "mrbench-agent"
    public static let major = 1
    public static let minor = 0
    public static var version: String { "\(major).\(minor)" }

    /// The major number of a version `MAJOR.MINOR` or `MAJOR.MINOR.PATCH` (digits only), else nil.
    public static func major(ofVersion v: String) -> Int? {
        let parts = v.split(separator: ".", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count),
              parts.allSatisfy({ !$0.isEmpty && $0.count <= 9 && $0.allSatisfy { $0.isASCII && $0.isNumber } }) else { return nil }
        return Int(parts[0])
    }

    /// Dot-separated name parts that mrbench's own file names use as suffixes.
    static let reservedWords: Set<String> = ["run", "partial", "journal", "log", "json"]

    /// Why an agent name would collide with mrbench's own files (`random.run` → `random.run.json`,
    /// the run record of `random`), or nil if it is free.
    public static func reservedPart(ofName name: String) -> String? {
        if name.hasPrefix(".") { return "starts with '.'" }
        for part in name.split(separator: ".").dropFirst() {
            let p = String(part)
            if reservedWords.contains(p) { return "has the part '.\(p)'" }
            if p.hasPrefix("shard-") { return "has the part '.\(p)'" }
        }
        return nil
    }
}

/// Set (from a signal handler) when the user interrupts the run: waits on an external agent end
/// promptly with `EvaluationError.interrupted` instead of running out their deadline.
nonisolated(unsafe) public var agentWaitInterrupted: sig_atomic_t = 0

/// How to start and bound an external agent.
public struct ExternalAgentConfig: Sendable {
    /// The command line as given (`cmd:` removed); split by `CommandLineSplitter`, never a shell.
    public var commandLine: String
    /// Seconds the agent may take to answer one message.
    public var messageTimeout: Double = 60
    /// Seconds the agent may take to answer `hello` (interpreter start-up, loading a checkpoint).
    public var startupTimeout: Double = 120
    /// Seconds the agent may take to answer `adapt` (a gradient-based agent updates here).
    public var adaptTimeout: Double = 600
    /// Longest accepted line from the agent, in bytes.
    public var maxLineBytes: Int = 1 << 20
    /// Total seconds the harness may spend waiting for the agent over the whole run (per process).
    public var budgetSeconds: Double = 24 * 3600
    /// Where the agent's standard error goes (appended).
    public var logPath: String
    /// The `PATH` used to find the program and passed to it.
    public var searchPath: String
    /// `HOME` passed to the agent.
    public var home: String
    /// A command that starts the agent program given after it (the CLI's agent supervisor, and the
    /// sandbox): `launcher + [resolved program] + arguments` is what gets started. Empty: the program itself.
    public var launcher: [String] = []

    public init(commandLine: String, logPath: String, searchPath: String = "/usr/local/bin:/usr/bin:/bin", home: String = "/tmp") {
        self.commandLine = commandLine; self.logPath = logPath; self.searchPath = searchPath; self.home = home
    }

    /// The complete environment of the agent process: nothing else from mrbench's is passed.
    public var environment: [String] {
        ["PATH=\(searchPath)", "HOME=\(home)", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "PYTHONUNBUFFERED=1",
         "MRBENCH_AGENT_PROTOCOL=\(AgentProtocol.version)"]
    }
}

/// What the harness tells the agent in `hello`.
public struct AgentBriefing: Sendable {
    public var benchmark: String
    public var split: String
    public var metric: EvaluationProtocol.Metric
    public var hidesGoal: Bool
    public var context: AgentContext
    public var evaluation: EvaluationProtocol
    public var trials: Int
    public var clipActions: Bool
    public init(benchmark: String, split: String, metric: EvaluationProtocol.Metric, hidesGoal: Bool, context: AgentContext,
                evaluation: EvaluationProtocol, trials: Int, clipActions: Bool) {
        self.benchmark = benchmark; self.split = split; self.metric = metric; self.hidesGoal = hidesGoal; self.context = context
        self.evaluation = evaluation; self.trials = trials; self.clipActions = clipActions
    }
}

/// The agent's self-description from its `hello` answer.
public struct AgentIdentity: Sendable, Hashable {
    public var name: String
    public var version: String
}

/// An external agent process as an `AgentSession`: one process per worker thread.
public final class ExternalAgentSession: AgentSession {
    let config: ExternalAgentConfig
    let process: ChildProcess
    /// Where the process's standard error goes (the launcher may move the file after the handshake).
    public var logPath: String
    public private(set) var identity = AgentIdentity(name: "", version: "")
    private var waited = 0.0
    private var closed = false
    private var healthy = true

    /// Starts the agent and performs the `hello` exchange.
    public init(config: ExternalAgentConfig, briefing: AgentBriefing) throws {
        self.config = config
        logPath = config.logPath
        let args = try CommandLineSplitter.split(config.commandLine)
        process = try ChildProcess(arguments: args, environment: config.environment, searchPath: config.searchPath,
                                   stderrPath: config.logPath, maxLineBytes: config.maxLineBytes, launcher: config.launcher)
        do {
            try send(Self.hello(briefing, config), timeout: config.messageTimeout)
            let reply = try receive(expecting: "hello", timeout: config.startupTimeout)
            identity = try Self.checkHello(reply)
        } catch {
            process.terminate(grace: 0.2)
            if case EvaluationError.interrupted = error { throw error }
            throw EvaluationError.agent("handshake: \(error)")
        }
    }

    static func hello(_ b: AgentBriefing, _ c: ExternalAgentConfig) -> String {
        func bounds(_ v: [Float]) -> JSONValue { .array(v.map { $0.isFinite ? .number(Double($0)) : .null }) }
        func space(_ s: BoxSpace) -> JSONValue { .object(["low": bounds(s.low), "high": bounds(s.high)]) }
        let msg: JSONValue = .object([
            "type": .string("hello"), "protocol": .string(AgentProtocol.name), "version": .string(AgentProtocol.version),
            "benchmark": .object(["id": .string(b.benchmark), "split": .string(b.split), "metric": .string(b.metric.rawValue),
                                  "hides_goal": .bool(b.hidesGoal)]),
            "observation_space": space(b.context.observationSpace),
            "action_space": space(b.context.actionSpace),
            "observation_layout": .array(b.context.observationLayout.segments.map {
                .object(["name": .string($0.name), "start": .number(Double($0.start)), "count": .number(Double($0.count))])
            }),
            "horizon": .number(Double(b.evaluation.horizon)),
            "adaptation_episodes": .number(Double(b.evaluation.adaptationEpisodes)),
            "evaluation_episodes": .number(Double(b.evaluation.evaluationEpisodes)),
            "trials": .number(Double(b.trials)),
            "clip_actions": .bool(b.clipActions),
            "limits": .object(["message_timeout_s": .number(c.messageTimeout), "startup_timeout_s": .number(c.startupTimeout),
                               "adapt_timeout_s": .number(c.adaptTimeout), "max_line_bytes": .number(Double(c.maxLineBytes)),
                               "budget_s": .number(c.budgetSeconds)]),
        ])
        return JSONText.compact(msg)
    }

    static func checkHello(_ v: [String: JSONValue]) throws -> AgentIdentity {
        guard v["protocol"]?.stringValue == AgentProtocol.name else {
            throw AgentFailure("the hello answer must have \"protocol\": \"\(AgentProtocol.name)\"")
        }
        guard let ver = v["version"]?.stringValue else { throw AgentFailure("the hello answer has no \"version\" string") }
        guard let major = AgentProtocol.major(ofVersion: ver) else {
            throw AgentFailure("the agent's protocol version '\(ver)' is not a version number MAJOR.MINOR (e.g. \"\(AgentProtocol.version)\")")
        }
        guard major == AgentProtocol.major else {
            throw AgentFailure("the agent speaks protocol version \(ver), mrbench speaks \(AgentProtocol.version): major versions differ")
        }
        guard let a = v["agent"]?.objectValue, let name = a["name"]?.stringValue, !name.isEmpty,
              name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }), name.count <= 64 else {
            throw AgentFailure("the hello answer needs \"agent\": {\"name\": …} with a name of letters, digits, '.', '_' or '-' (at most 64)")
        }
        if let clash = AgentProtocol.reservedPart(ofName: name) {
            throw AgentFailure("the agent's name '\(name)' \(clash), which would collide with mrbench's own files (<name>.run.json, <name>.partial.json, <name>.shard-K-of-N.json, <output>.journal, <name>.agent.log); choose another name in its hello")
        }
        let version = a["version"]?.stringValue ?? "unknown"
        return AgentIdentity(name: name, version: version)
    }

    private func send(_ line: String, timeout: Double) throws {
        var bytes = Array(line.utf8)
        bytes.append(0x0a)
        do { try process.write(bytes, deadline: monotonicSeconds() + timeout) } catch { healthy = false; throw error }
    }

    private func receive(expecting type: String, timeout: Double) throws -> [String: JSONValue] {
        do { return try receiveUnchecked(expecting: type, timeout: timeout) } catch { healthy = false; throw error }
    }

    /// The end of what a stopped agent wrote on its standard error, as a clause for the failure
    /// message: the reason it stopped is usually there (a Python traceback's last line, the
    /// sandbox's "bwrap: execvp …: No such file or directory").
    static func lastWords(logPath: String, lines: Int = 2, maxCharacters: Int = 300) -> String {
        guard let h = FileHandle(forReadingAtPath: logPath) else { return "" }
        defer { try? h.close() }
        let size = (try? h.seekToEnd()) ?? 0
        try? h.seek(toOffset: size > 4096 ? size - 4096 : 0)
        let text = String(decoding: (try? h.readToEnd()) ?? Data(), as: UTF8.self)
        let kept = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.suffix(lines)
        guard !kept.isEmpty else { return "" }
        var said = kept.joined(separator: " | ")
        if said.count > maxCharacters { said = "…" + said.suffix(maxCharacters) }
        return " (its standard error ends: \"\(said)\")"
    }

    private func receiveUnchecked(expecting type: String, timeout: Double) throws -> [String: JSONValue] {
        let start = monotonicSeconds()
        let budgetLeft = config.budgetSeconds - waited
        guard budgetLeft > 0 else { throw AgentFailure("the agent used up its total time budget of \(config.budgetSeconds) s") }
        let deadline = start + min(timeout, budgetLeft)
        let line: [UInt8]
        do { line = try process.readLine(deadline: deadline) } catch {
            waited += monotonicSeconds() - start
            switch error {
            case .timeout:
                if timeout >= budgetLeft { throw AgentFailure("the agent used up its total time budget of \(config.budgetSeconds) s") }
                throw AgentFailure("the agent did not answer within \(timeout) s (mrbench waited for its \"\(type)\" message)")
            case .eof: throw AgentFailure("the agent \(process.exitDescription()) while mrbench waited for its \"\(type)\" message"
                                          + Self.lastWords(logPath: logPath))
            case .tooLong: throw AgentFailure("the agent sent a line longer than \(config.maxLineBytes) bytes")
            case .interrupted: throw EvaluationError.interrupted
            }
        }
        waited += monotonicSeconds() - start
        let v: JSONValue
        do { v = try JSONText.parse(line, allowNonFinite: true) } catch {
            throw AgentFailure("malformed JSON from the agent (\(error)): \(Self.excerpt(line))")
        }
        guard let o = v.objectValue, let t = o["type"]?.stringValue else {
            throw AgentFailure("the agent's message is not an object with a \"type\": \(Self.excerpt(line))")
        }
        guard t == type else {
            if ["hello", "action", "adapted"].contains(t) { throw AgentFailure("mrbench waited for a \"\(type)\" message, the agent sent \"\(t)\"") }
            throw AgentFailure("unknown message type \"\(t)\" from the agent (mrbench waited for its \"\(type)\" message)")
        }
        return o
    }

    static func excerpt(_ line: [UInt8]) -> String {
        let s = String(decoding: line.prefix(120), as: UTF8.self)
        return line.count > 120 ? s + "…" : s
    }

    private func action() throws -> [Float] {
        let o = try receive(expecting: "action", timeout: config.messageTimeout)
        guard let a = o["action"]?.arrayValue else { throw AgentFailure("the action message has no \"action\" array") }
        return try a.enumerated().map { i, x in
            guard let d = x.doubleValue else { throw AgentFailure("action component \(i) is \(JSONText.compact(x)), not a number") }
            return Float(d)
        }
    }

    static func floats(_ v: [Float]) -> String {
        var s = "["
        for (i, x) in v.enumerated() {
            if i > 0 { s += "," }
            s += x.isFinite ? (x == x.rounded() && abs(x) < 1e7 ? String(Int(x)) : "\(x)") : "null"
        }
        return s + "]"
    }

    public func beginTrial(_ trial: Trial, seed: UInt64) throws {
        try send("{\"seed\":\(seed),\"trial\":\(trial.index),\"type\":\"trial\"}", timeout: config.messageTimeout)
    }

    public func beginEpisode(phase: EpisodePhase, index: Int, observation: [Float]) throws -> [Float] {
        try send("{\"index\":\(index),\"observation\":\(Self.floats(observation)),\"phase\":\"\(phase.rawValue)\",\"type\":\"episode\"}",
                 timeout: config.messageTimeout)
        return try action()
    }

    public func observe(_ t: Transition, step: Int) throws -> [Float]? {
        let status: String
        switch t.status {
        case .running: status = "running"
        case .terminated: status = "terminated"
        case let .truncated(r): status = r == .timeLimit ? "truncated" : "diverged"
        }
        try send("{\"done\":\(t.status.isDone),\"observation\":\(Self.floats(t.nextObservation)),\"reward\":\(JSONText.number(t.reward, .exact)),"
                 + "\"status\":\"\(status)\",\"step\":\(step),\"success\":\(t.success),\"type\":\"step\"}", timeout: config.messageTimeout)
        return t.status.isDone ? nil : try action()
    }

    public func adapt() throws {
        try send("{\"type\":\"adapt\"}", timeout: config.messageTimeout)
        _ = try receive(expecting: "adapted", timeout: config.adaptTimeout)
    }

    public func endTrial() throws {}

    public func close() {
        guard !closed else { return }
        closed = true
        guard healthy else { process.terminate(grace: 0); return }
        var bytes = Array("{\"type\":\"end\"}".utf8)
        bytes.append(0x0a)
        try? process.write(bytes, deadline: monotonicSeconds() + 0.5)
        process.terminate(grace: 2)
    }

    deinit { close() }
}
