import ArgumentParser
import Foundation
import MRCore
import MRScoring
import MRSuite

/// The options of an external agent's process and sandbox, shared by `evaluate` and `leaderboard verify`.
struct ExternalAgentOptions: ParsableArguments {
    @Option(help: "Seconds an external agent may take to answer one message.") var agentTimeout = 60.0
    @Option(help: "Longest line accepted from an external agent, in bytes.") var agentMaxLine = 1 << 20
    @Option(help: "Total seconds the harness may wait for an external agent (per agent process).") var agentBudget = 86_400.0
    @Option(help: "Most bytes of the agent's log (<output>.agent.log); a line in the log marks where it was cut.")
    var agentLogLimit = AgentSupervisor.defaultLogLimit
    @Flag(help: "Run an external agent without the bubblewrap sandbox (where user namespaces are unavailable); the entry records it.")
    var noSandbox = false
    @Option(help: "The external agent's own directory, visible (read-only) in its sandbox (default: that of the first file named in its command).")
    var agentDir: String?
    @Option(help: "A further path the sandboxed agent may read (a virtual environment, a model); repeatable.")
    var agentBind: [String] = []
    @Flag(help: "Give the sandboxed agent network access (default: none).") var agentNetwork = false

    func validate() throws {
        guard agentTimeout > 0, agentBudget > 0, agentMaxLine >= 64, agentLogLimit >= 0 else {
            throw ValidationError("agent limits must be positive (max line ≥ 64 bytes, log limit ≥ 0)")
        }
    }
}

/// An `--agent` resolved through the catalogue: what its entry records and how to make its sessions.
struct ResolvedAgent {
    var kind: String, privileged: Bool, name: String, version: String
    var checkpointDigest: String?, trainingSteps: Int?, trainingSeed: UInt64?
    let makeSession: @Sendable (Int) throws -> any AgentSession
    /// External agents: the launcher (its handshake is done) and the sandbox ("bwrap" or "none").
    var launcher: ExternalAgentLauncher?
    var sandboxKind: String?

    /// Resolves `agent` for an evaluation of `spec` over the entries `test()` of `split` (read when a
    /// trial starts, so hidden goals may be settled after the agent is). `logDirectory`: where an
    /// external agent's log starts.
    static func resolve(_ agent: String, spec: BenchmarkSpec, split: String = "test", test: @escaping @Sendable () -> [TaskSetEntry], plan: EvaluationPlan,
                        context: AgentContext, clipActions: Bool, options o: ExternalAgentOptions, assets: String?,
                        protectedPaths: [String], logDirectory: String) throws -> ResolvedAgent {
        switch try AgentCatalogue.parse(agent) {
        case .random:
            return ResolvedAgent(kind: "builtin", privileged: false, name: "random", version: MRBenchInfo.version,
                                 makeSession: { _ in MetaLearnerSession(RandomMetaLearner(), context: context) })
        case let .checkpoint(agentName, path):
            let loaded = try AgentCatalogue.load(agent: agentName, path: path)
            if let trained = loaded.benchmark, trained != spec.id {
                printError("note: \(path) was trained on \(trained); evaluating it on \(spec.id)")
            }
            let learner = UncheckedLearner(loaded.learner)
            return ResolvedAgent(kind: "builtin", privileged: false, name: loaded.name, version: MRBenchInfo.version,
                                 checkpointDigest: loaded.checkpointDigest, trainingSteps: loaded.trainingSteps, trainingSeed: loaded.trainingSeed,
                                 makeSession: { _ in MetaLearnerSession(learner.value, context: context) })
        case .expert:
            for e in Set(test().map(\.env)).sorted() where !(try Registry.environment(e)).hasExpert {
                throw ValidationError("benchmark \(spec.id): environment family \(e) has no scripted expert, so `--agent expert` cannot run")
            }
            return ResolvedAgent(kind: "builtin", privileged: true, name: "expert", version: MRBenchInfo.version, makeSession: { _ in
                PrivilegedSession { trial in
                    let entry = test()[trial.entry]
                    guard let p = try spec.makeExpert(entry) else { throw RegistryError.noExpert(entry.env) }
                    return p
                }
            })
        case let .external(line):
            // The handshake tells the agent's name; its process becomes worker 0's session.
            let briefing = AgentBriefing(benchmark: spec.id, split: split, metric: spec.evaluation.metric, hidesGoal: spec.hidesGoal,
                                         context: context, evaluation: spec.evaluation, trials: plan.trialCount, clipActions: clipActions)
            try OutputPaths.prepareDirectory(logDirectory, for: "the output directory")
            let sandbox = o.noSandbox ? nil : try AgentSandbox.make(
                commandLine: line, searchPath: ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
                agentDirectory: o.agentDir, extraBinds: o.agentBind, network: o.agentNetwork,
                protected: [try AssetLocator.root(explicit: assets)] + protectedPaths, output: logDirectory)
            let launcher = try ExternalAgentLauncher(commandLine: line, messageTimeout: o.agentTimeout, maxLineBytes: o.agentMaxLine,
                                                     budgetSeconds: o.agentBudget, logLimit: o.agentLogLimit, sandbox: sandbox, briefing: briefing,
                                                     logDirectory: logDirectory)
            let id = launcher.identity
            guard !["random", "expert"].contains(id.name) else {
                launcher.closeUnused()
                throw EvaluationError.agent("the external agent calls itself '\(id.name)', a name reserved for a built-in agent; choose another name in its hello")
            }
            return ResolvedAgent(kind: "external", privileged: false, name: id.name, version: id.version,
                                 makeSession: { _ in try launcher.session() }, launcher: launcher, sandboxKind: sandbox == nil ? "none" : "bwrap")
        }
    }
}

/// A value set once after the closures that read it are made (the hidden test goals, settled once
/// the output path, and so a resumable seed, is known).
final class SettledValue<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ v: T) { stored = v }
    var value: T {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}

/// A loaded meta-learner shared by the worker threads: its parameters are read-only, and every
/// trial's policy is a new object.
struct UncheckedLearner: @unchecked Sendable { let value: any MetaLearner; init(_ v: any MetaLearner) { value = v } }
