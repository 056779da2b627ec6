import Foundation
import MRCore
import MRNeural

/// One episode as MAML keeps it: observations, the unclipped actions sampled, rewards, outcome.
struct MAMLEpisode {
    var observations: [[Float]] = []
    var actions: [[Float]] = []
    var rewards: [Double] = []
    var totalReward = 0.0
    var success: Bool?

    var lossInput: (observations: [[Float]], actions: [[Float]], rewards: [Double]) { (observations, actions, rewards) }
}

/// Episodes of several tasks run side by side: environment g·perTask + j runs episode j of task g,
/// acting with `params[g]` (or `params[0]` for all when only one set is given).
struct MAMLRollout {
    let net: MAMLNetwork
    var episodes: [[MAMLEpisode]] = []
    var steps = 0
    var environmentSeconds = 0.0
    var inferenceSeconds = 0.0

    init(net: MAMLNetwork) { self.net = net }

    /// Runs one episode in every environment; actions are sampled (noise from `seed`'s "actions"
    /// generator, drawn for every row at every step) or the mean.
    mutating func run(_ envs: EnvironmentBatch, tasks: Int, params: [Parameters], useMean: Bool, seed: UInt64) throws {
        let perTask = envs.count / tasks, A = net.actionSize
        precondition(perTask * tasks == envs.count && (params.count == 1 || params.count == tasks))
        var g = SeededGenerator(seed: SeededGenerator.derive(seed, "actions"))
        var out = [[MAMLEpisode]](repeating: [MAMLEpisode](repeating: MAMLEpisode(), count: perTask), count: tasks)
        for i in 0..<envs.count { envs.reset(i, seed: SeededGenerator.derive(seed, "task/\(i / perTask)/episode/\(i % perTask)")) }
        var active = [Bool](repeating: true, count: envs.count)
        let std = params.map { p in p["logStd"].doubles.map { Foundation.exp(max($0, MAMLNetwork.minLogStd)) } }
        let clock = ContinuousClock()
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
        while active.contains(true) {
            var actions = [[Float]](repeating: [], count: envs.count)
            let inference = clock.measure {
                let rows = (0..<envs.count).map { envs.cursor($0)!.observation }
                var means: [Float] = []
                if params.count == 1 {
                    means = net.mlp(params[0], Tensor(floats: rows.flatMap { $0 }, shape: [rows.count, net.observationSize])).floats
                } else {
                    for t in 0..<tasks {
                        let block = rows[(t * perTask)..<((t + 1) * perTask)].flatMap { $0 }
                        means += net.mlp(params[t], Tensor(floats: block, shape: [perTask, net.observationSize])).floats
                    }
                }
                for i in 0..<envs.count {
                    let s = std[params.count == 1 ? 0 : i / perTask]
                    actions[i] = (0..<A).map { j in
                        let z = g.normal()
                        return useMean ? means[i * A + j] : means[i * A + j] + Float(s[j] * z)
                    }
                }
            }
            inferenceSeconds += seconds(inference)
            let idx = (0..<envs.count).filter { active[$0] }
            var transitions: [Transition] = []
            environmentSeconds += seconds(try clock.measure { transitions = try envs.step(idx, actions: idx.map { actions[$0] }) })
            for (k, i) in idx.enumerated() {
                let t = transitions[k]
                out[i / perTask][i % perTask].observations.append(t.observation)
                out[i / perTask][i % perTask].actions.append(actions[i])
                out[i / perTask][i % perTask].rewards.append(t.reward)
                steps += 1
                if t.status.isDone {
                    let c = envs.cursor(i)!
                    out[i / perTask][i % perTask].totalReward = c.totalReward
                    out[i / perTask][i % perTask].success = c.reportsSuccess ? c.succeeded : nil
                    active[i] = false
                }
            }
        }
        episodes = out
    }
}

/// MAML (Finn et al. 2017) with a TRPO outer loop and the exact second-order meta-gradient, as
/// AGENTS.md pins it (pytorch-maml-rl; Meta-World+'s `maml_trpo_ml10` for Meta-World). Each
/// iteration: for metaBatch train tasks, `episodesPerTask` episodes with θ (the inner step's
/// data), one policy-gradient step to θ′ᵢ, `episodesPerTask` episodes with θ′ᵢ (the outer loss's
/// data), then one TRPO step on the mean post-update surrogate through the inner steps.
public final class MAMLTrainer: MetaTrainer {
    public let agentName = MAMLAgent.catalogueName
    public let config: MAMLConfig
    public let tasks: TrainingTasks
    public let seed: UInt64
    let net: MAMLNetwork
    var params: Parameters
    public private(set) var iteration = 0
    public private(set) var environmentSteps = 0
    public private(set) var gradientSteps = 0
    let trainIndices: [Int]
    let heldOut: [Int]
    /// Test hook: θ′ = θ everywhere (the inner step skipped, in training and in the meta-test).
    var skipInnerStep = false

    public init(tasks: TrainingTasks, config: MAMLConfig, seed: UInt64) throws {
        try config.validate()
        guard tasks.count >= 2 else { throw TrainingError.configuration("the train split has \(tasks.count) task(s); need at least 2") }
        self.tasks = tasks; self.config = config; self.seed = seed
        let c = tasks.context
        net = MAMLNetwork(observationSize: c.observationSpace.dimension, actionSize: c.actionSpace.dimension, hiddenSizes: config.hiddenSizes)
        var g = SeededGenerator(seed: SeededGenerator.derive(seed, "init"))
        params = net.initialParameters(initialLogStd: config.initialLogStd, using: &g)
        (trainIndices, heldOut) = heldOutSplit(tasks.labels, every: config.holdOutEvery)
    }

    // MARK: Checkpoints

    /// Restores a trainer from a checkpoint written by `checkpoint()`.
    public convenience init(tasks: TrainingTasks, checkpoint: Checkpoint) throws {
        let (config, s) = try TrainingCheckpoint.resumable(checkpoint, format: MAMLAgent.format, kind: "a MAML", tasks: tasks, config: MAMLConfig.self)
        try self.init(tasks: tasks, config: config, seed: s)
        params = try TrainingCheckpoint.parameters(checkpoint, prefix: "policy/", matching: params)
        (iteration, environmentSteps, gradientSteps) = try TrainingCheckpoint.counters(checkpoint)
    }

    /// Parameters, counters and config. There is no optimiser state (TRPO keeps none) and no
    /// baseline state (the linear baseline is refitted on every task's episodes from scratch).
    public func checkpoint() -> Checkpoint {
        Checkpoint(parameters: params.prefixed("policy/"),
                   metadata: TrainingCheckpoint.metadata(format: MAMLAgent.format, agent: agentName, tasks: tasks, config: config, seed: seed,
                                                         iteration: iteration, environmentSteps: environmentSteps, gradientSteps: gradientSteps))
    }

    // MARK: Iterations

    public var curveColumns: [String] {
        ["train_pre_return", "train_post_return", "train_pre_success", "train_post_success",
         "metatest_score", "metatest_first_episode_return", "metatest_adaptation_return", "metatest_evaluation_return",
         "metatest_evaluation_success",
         "surrogate_before", "surrogate_improvement", "kl_after", "step_fraction", "line_search_evaluations", "cg_residual",
         "step_accepted", "environment_seconds", "inference_seconds", "update_seconds"]
    }

    func objective(_ batches: [MAMLTaskBatch] = []) -> MAMLObjective {
        var o = MAMLObjective(net: net, tasks: batches, innerLearningRate: config.innerLearningRate, firstOrder: config.firstOrder)
        o.skipInnerStep = skipInnerStep
        return o
    }

    func batch(_ episodes: [MAMLEpisode]) -> PolicyGradientBatch {
        PolicyGradientBatch(episodes: episodes.map(\.lossInput), gamma: config.gamma, lambda: config.lambda)
    }

    public func iterate(threads: Int) throws -> [String: Double] {
        let iterSeed = SeededGenerator.derive(seed, "iteration/\(iteration)")
        var g = SeededGenerator(seed: iterSeed)
        let order = trainIndices.shuffled(using: &g)
        let picked = (0..<config.metaBatch).map { order[$0 % order.count] }
        let E = config.episodesPerTask
        BLAS.setThreadCount(1)
        let envs = EnvironmentBatch(try picked.flatMap { i in try (0..<E).map { _ in try tasks.environment(i) } }, threads: threads)
        let rolloutSeed = SeededGenerator.derive(iterSeed, "rollout")
        var pre = MAMLRollout(net: net)
        try pre.run(envs, tasks: picked.count, params: [params], useMean: false, seed: SeededGenerator.derive(rolloutSeed, "pre"))
        let adaptation = pre.episodes.map(batch)
        let adapted = adaptation.map { objective().adapted(params, on: $0, createGraph: false) }
        var post = MAMLRollout(net: net)
        try post.run(envs, tasks: picked.count, params: adapted, useMean: false, seed: SeededGenerator.derive(rolloutSeed, "post"))
        environmentSteps += pre.steps + post.steps

        let updateStart = Date()
        BLAS.setThreadCount(threads)
        let batches = zip(adaptation, post.episodes.map(batch)).map { MAMLTaskBatch(adaptation: $0, validation: $1) }
        let (next, step) = objective(batches).trustRegionUpdate(params, settings: config.trustRegion)
        BLAS.setThreadCount(1)
        let updateSeconds = Date().timeIntervalSince(updateStart)
        guard next.isFinite else { throw TrainingError.diverged("non-finite parameters after iteration \(iteration + 1)") }
        params = next
        gradientSteps += 1
        iteration += 1

        var row: [String: Double] = [
            "train_pre_return": mean(pre.episodes.flatMap { $0.map(\.totalReward) }),
            "train_post_return": mean(post.episodes.flatMap { $0.map(\.totalReward) }),
            "surrogate_before": step.lossBefore, "surrogate_improvement": step.improvement, "kl_after": step.klAfter,
            "step_fraction": step.stepFraction, "line_search_evaluations": Double(step.lineSearchEvaluations),
            "cg_residual": step.cgResidual, "step_accepted": step.accepted ? 1 : 0,
            "environment_seconds": pre.environmentSeconds + post.environmentSeconds,
            "inference_seconds": pre.inferenceSeconds + post.inferenceSeconds, "update_seconds": updateSeconds,
        ]
        row["train_pre_success"] = successRate(pre.episodes.flatMap { $0 })
        row["train_post_success"] = successRate(post.episodes.flatMap { $0 })
        if iteration == 1 || iteration % config.evaluateEvery == 0 {
            let r = try metaTest(threads: threads)
            row["metatest_score"] = r.score
            row["metatest_first_episode_return"] = r.firstEpisodeReturn
            row["metatest_adaptation_return"] = r.adaptationReturn
            row["metatest_evaluation_return"] = r.evaluationReturn
            if let s = r.evaluationSuccess { row["metatest_evaluation_success"] = s }
        }
        return row
    }

    /// The fraction of successful episodes, nil when the task reports no success.
    func successRate(_ episodes: [MAMLEpisode]) -> Double? {
        let s = episodes.compactMap(\.success)
        return s.isEmpty || s.count < episodes.count ? nil : Double(s.filter { $0 }.count) / Double(s.count)
    }

    /// The meta-test protocol on held-out train tasks with fixed seeds (so curve points compare):
    /// K adaptation episodes with θ (sampled), `metaTestInnerSteps` inner steps on them, E
    /// evaluation episodes with the adapted mean action.
    public struct MetaTestResult: Sendable {
        public var score: Double
        /// Mean return of each task's first adaptation episode (pre-update).
        public var firstEpisodeReturn: Double
        /// Mean return of all K adaptation episodes (pre-update).
        public var adaptationReturn: Double
        /// Mean return of the E evaluation episodes (post-update, mean action).
        public var evaluationReturn: Double
        public var evaluationSuccess: Double?
    }

    /// `sampledEvaluation` samples the evaluation episodes' actions too (tests compare pre- and
    /// post-update returns under the same action noise that way).
    public func metaTest(threads: Int, tasks count: Int? = nil, sampledEvaluation: Bool = false) throws -> MetaTestResult {
        var g = SeededGenerator(seed: SeededGenerator.derive(seed, "metatest"))
        let chosen = Array(heldOut.shuffled(using: &g).prefix(count ?? config.evaluationTasks))
        let k = tasks.evaluation.adaptationEpisodes, e = tasks.evaluation.evaluationEpisodes
        BLAS.setThreadCount(1)
        let rolloutSeed = SeededGenerator.derive(seed, "metatest/rollout")
        var pre = MAMLRollout(net: net)
        let adaptEnvs = EnvironmentBatch(try chosen.flatMap { i in try (0..<k).map { _ in try tasks.environment(i) } }, threads: threads)
        try pre.run(adaptEnvs, tasks: chosen.count, params: [params], useMean: false, seed: SeededGenerator.derive(rolloutSeed, "adaptation"))
        let o = objective()
        let adapted = pre.episodes.map { o.adapted(params, on: batch($0), steps: config.metaTestInnerSteps, createGraph: false) }
        var post = MAMLRollout(net: net)
        let evalEnvs = EnvironmentBatch(try chosen.flatMap { i in try (0..<e).map { _ in try tasks.environment(i) } }, threads: threads)
        try post.run(evalEnvs, tasks: chosen.count, params: adapted, useMean: !sampledEvaluation, seed: SeededGenerator.derive(rolloutSeed, "evaluation"))
        let success = successRate(post.episodes.flatMap { $0 })
        let ret = mean(post.episodes.flatMap { $0.map(\.totalReward) })
        return MetaTestResult(score: tasks.evaluation.metric == .success ? (success ?? 0) : ret,
                              firstEpisodeReturn: mean(pre.episodes.map { $0[0].totalReward }),
                              adaptationReturn: mean(pre.episodes.flatMap { $0.map(\.totalReward) }),
                              evaluationReturn: ret, evaluationSuccess: success)
    }

    /// The agent for evaluation, with the current parameters.
    public func agent() -> MAMLAgent { MAMLAgent(net: net, params: params, config: config) }
}
