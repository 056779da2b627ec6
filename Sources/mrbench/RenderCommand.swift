import ArgumentParser
import Foundation
import MRCore
import MRScoring
import MRSuite

/// `mrbench render`: PNG frames and a contact sheet of an agent's episodes.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Render an agent's episodes in an environment to PNG frames and a captioned contact sheet.")

    @Option(help: "Environment id (see `mrbench list`).") var env: String
    @Option(help: "Index of the task-set entry to use (test entries first, then train, of the first benchmark running this environment); default 0.")
    var entry: Int?
    /// `--task N`, the old name of `--entry N`: still accepted, no longer listed.
    @Option(name: .customLong("task"), help: ArgumentHelp(visibility: .hidden)) var deprecatedTask: Int?
    @Option(help: "Agent: random, expert (the privileged scripted expert), rl2:CHECKPOINT, maml:CHECKPOINT, or cmd:'<command line>' (an external agent, as in `evaluate`).") var agent = "random"
    @Option(help: "Episodes to render.") var episodes = 1
    @Option(help: "A frame every K steps (plus each episode's first and last).") var every = 10
    @Option(help: "Frame size WxH, each 16…4096.") var size = "480x480"
    @Option(help: "Camera name (default: the environment's first; an unknown name lists the valid ones).") var camera: String?
    @Option(help: "Output directory.") var out = "render-out"
    @Option(help: "Seed of the episodes' resets and the random agent.") var seed: UInt64 = 0
    @Flag(help: "Print the summary as JSON.") var json = false
    @Option(help: "Seconds an external agent may take to answer one message (as in evaluate).") var agentTimeout = 60.0
    @OptionGroup var assetOptions: AssetOptions

    func validate() throws {
        guard episodes >= 1 && episodes <= 100 else { throw ValidationError("--episodes must be in 1…100") }
        guard every >= 1 else { throw ValidationError("--every must be positive") }
        guard agentTimeout > 0 else { throw ValidationError("--agent-timeout must be positive") }
        _ = try AgentCatalogue.parse(agent)
        do { _ = try RolloutRenderer.parseSize(size) } catch { throw ValidationError("\(error)") }
        if entry != nil && deprecatedTask != nil { throw ValidationError("--task is the old name of --entry: give one of them") }
        if let entryIndex, entryIndex < 0 { throw ValidationError("--entry must be ≥ 0") }
    }

    /// `--entry`, or its old name `--task`.
    private var entryIndex: Int? { entry ?? deprecatedTask }

    func run() throws {
        let spec = try resolveEnvironments([env])[0]
        var params: JSONValue?
        if let frozen = try Registry.frozenTasks(forEnvironment: spec.id, assets: assetOptions.assets) {
            let i = entryIndex ?? 0
            guard i < frozen.entries.count else {
                throw ValidationError("--entry \(i) is out of range: \(frozen.benchmark) has \(frozen.entries.count) entries for \(spec.id) (0…\(frozen.entries.count - 1))")
            }
            params = frozen.entries[i].params
        } else if let entryIndex, entryIndex != 0 {
            throw ValidationError("\(spec.id) is not used by any benchmark, so it has only its default task (--entry 0)")
        }
        let environment = try params.map { try spec.make(assets: assetOptions.assets, task: $0) } ?? spec.make(assets: assetOptions.assets)
        let policy: any Policy
        switch try AgentCatalogue.parse(agent) {
        case .expert:
            guard spec.hasExpert else { throw ValidationError("\(spec.id) has no scripted expert; use --agent random") }
            let p = try params ?? currentTask(environment)
            guard let e = try spec.makeExpert(task: p) else { throw ValidationError("\(spec.id) has no scripted expert") }
            policy = e
        case let .external(line):
            policy = try externalPolicy(line, environment)
        case let .checkpoint(name, path):
            // The rendered episodes are one trial's evaluation episodes, as for an external agent.
            let learner = try AgentCatalogue.load(agent: name, path: path).learner
            let context = AgentContext(observationSpace: environment.observationSpace, actionSpace: environment.actionSpace,
                                       observationLayout: environment.observationLayout, horizon: environment.horizon)
            policy = try learner.explorationPolicy(context: context, seed: seed)
        case .random:
            policy = RandomPolicy(actionSpace: environment.actionSpace, seed: seed)
        }
        var options = RolloutRenderer.Options()
        (options.width, options.height) = try RolloutRenderer.parseSize(size)
        options.episodes = episodes; options.every = every; options.camera = camera; options.seed = seed
        let summary: RolloutRenderer.Summary
        do {
            summary = try RolloutRenderer.run(env: environment, policy: policy, agentName: agent, task: params, options: options, directory: out)
        } catch let e as RenderExportError {
            throw ValidationError(e.description)
        } catch {
            // Agent failures end like evaluate's: one line, exit status 1 (130 when interrupted).
            if let p = policy as? SessionPolicy, let e = p.error {
                if case EvaluationError.interrupted = e { throw ExitCode(130) }
                throw CommandError("the external agent failed: \(e)")
            }
            throw error
        }
        if let p = policy as? SessionPolicy, let e = p.error { throw CommandError("the external agent failed: \(e)") }
        (policy as? SessionPolicy)?.session.close()
        if json { try printJSON(summary); return }
        for (i, e) in summary.episodes.enumerated() {
            print("episode \(i): \(e.steps) steps, return \(String(format: "%.3f", e.episodeReturn)), success \(e.success.map { $0 ? "yes" : "no" } ?? "n/a")")
        }
        print("\(summary.frames.count) frames (\(options.width)x\(options.height), camera \(summary.camera)) and \(summary.contactSheet) in \(out)/")
        print(String(format: "render %.2f ms/frame (median), PNG write %.2f ms/frame", summary.renderMillisecondsPerFrame, summary.pngMillisecondsPerFrame))
    }

    /// An external agent (the wire protocol of docs/agent-protocol.md) as a policy: the rendered
    /// episodes are its evaluation episodes of one trial; its standard error goes to `<out>/agent.log`.
    private func externalPolicy(_ line: String, _ env: any Environment) throws -> any Policy {
        let vars = ProcessInfo.processInfo.environment
        try RolloutRenderer.prepareOutput(out)
        var config = ExternalAgentConfig(commandLine: line, logPath: out + "/agent.log", searchPath: vars["PATH"] ?? "/usr/local/bin:/usr/bin:/bin",
                                         home: vars["HOME"] ?? "/tmp")
        config.messageTimeout = agentTimeout
        config.launcher = AgentSupervisor.launcher(logLimit: AgentSupervisor.defaultLogLimit)
        let evaluation = EvaluationProtocol(adaptationEpisodes: 0, evaluationEpisodes: episodes, horizon: env.horizon, metric: .return)
        let context = AgentContext(observationSpace: env.observationSpace, actionSpace: env.actionSpace, observationLayout: env.observationLayout, horizon: env.horizon)
        let briefing = AgentBriefing(benchmark: env.id, split: "render", metric: .return, hidesGoal: false, context: context,
                                     evaluation: evaluation, trials: 1, clipActions: false)
        let plan = try EvaluationPlan(tasks: [env.id], seeds: 1, rootSeed: seed, evaluation: evaluation)
        return SessionPolicy(session: try ExternalAgentSession(config: config, briefing: briefing), trial: plan.trial(0))
    }

    /// The environment's current task as JSON (for an expert when no frozen task applies).
    private func currentTask<E: Environment>(_ e: E) throws -> JSONValue { try JSONCoding.value(of: e.task) }
}
