import Foundation
import MRCore
import MRNeural

/// Trains GARGAML or multi-task SAC+HER on a benchmark's train split, one cycle per iteration.
///
/// A cycle visits `metaBatch` train tasks drawn with replacement (a one-task split: its one task,
/// fresh goals every episode).
/// - GARGAML, per visited task: copy the meta-parameters; roll out `episodesPerTask` episodes
///   with them into the task's pre-update buffer; take k inner critic updates (each followed by
///   an actor step against the adapted critic) on HER batches of that buffer; roll out with the
///   adapted parameters into the task's post-update buffer. Then `gradientStepsPerCycle` outer
///   updates: the critic meta-gradient of `CriticMetaObjective` (fresh pre-update batches for the
///   inner steps, a post-update batch for the outer loss, per visited task) through Adam, then V,
///   V's target, the policy and α as in SAC on the visited tasks' post-update batches.
/// - SAC+HER: the same episodes (both phases) with its one policy into one shared buffer, and the
///   same number of SAC updates, each on a batch of the same total size.
/// All episodes of a phase run side by side across `--threads`, the policy's forward pass batched
/// over them; the normalisers take the statistics of every collected episode.
public final class GARGAMLTrainer: MetaTrainer {
    public let variant: GoalLearnerVariant
    public var agentName: String { variant.rawValue }
    public let tasks: TrainingTasks
    public let config: GARGAMLConfig
    public let seed: UInt64
    var sac: SAC
    var normalizer: GoalInputNormalizer
    let sampler: HindsightSampler
    /// GARGAML's per-task pre- and post-update buffers; SAC+HER uses `shared`.
    var pre: MultiTaskReplay
    var post: MultiTaskReplay
    var shared: EpisodeReplay
    let trainIndices: [Int]
    let heldOut: [Int]
    public private(set) var iteration = 0
    public private(set) var environmentSteps = 0
    public private(set) var gradientSteps = 0
    public private(set) var innerSteps = 0
    private var environments: [Int: [LearnerEnvironment]] = [:]

    public init(variant: GoalLearnerVariant, tasks: TrainingTasks, config: GARGAMLConfig, seed: UInt64) throws {
        try config.validate()
        self.variant = variant; self.tasks = tasks; self.config = config; self.seed = seed
        let O = tasks.context.observationSpace.dimension, A = tasks.context.actionSpace.dimension
        var g = SeededGenerator(seed: SeededGenerator.derive(seed, "init"))
        sac = SAC(observationSize: O, actionSize: A, conditionSize: 0, settings: config.sac, using: &g)
        normalizer = GoalInputNormalizer(observationSize: O, goalReward: tasks.goalReward, clip: config.normalizerClip)
        sampler = HindsightSampler(goalReward: tasks.goalReward, replayK: config.replayK)
        let perTask = variant == .gargaml ? config.sac.replayCapacity : 1
        pre = MultiTaskReplay(tasks: tasks.count, capacityPerTask: perTask)
        post = pre
        shared = EpisodeReplay(capacity: variant == .sacHER ? config.sac.replayCapacity * tasks.count : 1)
        let allowed = config.strata.isEmpty ? Array(tasks.labels.indices) : tasks.labels.indices.filter { config.strata.contains(tasks.labels[$0]) }
        guard !allowed.isEmpty else {
            throw TrainingError.configuration("no train task has a label in \(config.strata); labels: \(tasks.strata.joined(separator: ", "))")
        }
        // One task (a goal-conditioned environment with fresh goals per episode) is too small to
        // hold out, so heldOutSplit keeps it in training and the curve's meta-test runs it too, on
        // reset seeds training never uses.
        let split = heldOutSplit(allowed.map { tasks.labels[$0] }, every: config.holdOutEvery)
        (trainIndices, heldOut) = (split.train.map { allowed[$0] }, split.heldOut.map { allowed[$0] })
    }

    // MARK: Checkpoints

    /// The replay buffers (under `replay/`) go to the run folder's `replay.mrnc`; the agent
    /// checkpoint keeps networks, optimiser moments, normalisers and counters (a few MB at most).
    public var bulkStatePrefixes: [String] { ["replay/"] }

    /// The whole training state: networks, optimiser moments, normalisers, counters and, under
    /// `replay/`, the replay buffers.
    public func checkpoint() -> Checkpoint {
        var extra: [String: String] = ["innerSteps": String(innerSteps)]
        if let r = tasks.goalReward {
            extra["achievedGoal"] = "\(r.achievedGoal.lowerBound)-\(r.achievedGoal.upperBound)"
            extra["desiredGoal"] = "\(r.desiredGoal.lowerBound)-\(r.desiredGoal.upperBound)"
        }
        return Checkpoint(parameters: sac.parameters(prefix: "sac/").merging(normalizer.parameters(prefix: "normalizer/"))
                            .merging(replayParameters().prefixed("replay/")),
                          metadata: TrainingCheckpoint.metadata(format: GARGAMLAgent.format, agent: agentName, tasks: tasks, config: config,
                                                                seed: seed, iteration: iteration, environmentSteps: environmentSteps,
                                                                gradientSteps: gradientSteps, extra: extra))
    }

    /// The replay buffers, which a resumed run needs besides the networks.
    func replayParameters() -> Parameters {
        var p = Parameters()
        if variant == .gargaml {
            for i in 0..<tasks.count where !pre[i].isEmpty || !post[i].isEmpty {
                p = p.merging(Self.encode(pre[i], prefix: "pre/\(i)/")).merging(Self.encode(post[i], prefix: "post/\(i)/"))
            }
        } else {
            p = Self.encode(shared, prefix: "shared/")
        }
        return p
    }

    /// Restores a trainer from its whole training state (`checkpoint()`, or a run folder's
    /// `readTrainingState()`: the agent checkpoint merged with `replay.mrnc`).
    public convenience init(variant: GoalLearnerVariant, tasks: TrainingTasks, checkpoint ck: Checkpoint) throws {
        let (config, s) = try TrainingCheckpoint.resumable(ck, format: GARGAMLAgent.format, kind: "a GARGAML or SAC+HER", tasks: tasks,
                                                           config: GARGAMLConfig.self)
        guard ck.metadata["agent"] == variant.rawValue else { throw TrainingError.checkpoint("a run of \(ck.metadata["agent"] ?? "?"), not \(variant.rawValue)") }
        try self.init(variant: variant, tasks: tasks, config: config, seed: s)
        try sac.restore(ck, prefix: "sac/")
        try normalizer.restore(ck.parameters, prefix: "normalizer/")
        (iteration, environmentSteps, gradientSteps) = try TrainingCheckpoint.counters(ck)
        innerSteps = Int(ck.metadata["innerSteps"] ?? "0") ?? 0
        let replay = ck.parameters.filtered(prefix: "replay/", droppingPrefix: true)
        guard !replay.names.isEmpty || iteration == 0 else {
            throw TrainingError.checkpoint("the training state has no replay buffers (an agent checkpoint alone cannot resume a run)")
        }
        let r = Checkpoint(parameters: replay)
        if variant == .gargaml {
            for i in 0..<tasks.count where r.parameters.contains("pre/\(i)/lengths") {
                try Self.decode(r.parameters, prefix: "pre/\(i)/", into: &pre.buffers[i])
                try Self.decode(r.parameters, prefix: "post/\(i)/", into: &post.buffers[i])
            }
        } else {
            try Self.decode(r.parameters, prefix: "shared/", into: &shared)
        }
    }

    static func encode(_ b: EpisodeReplay, prefix: String) -> Parameters {
        let e = b.episodes
        let O = e.first?.observationSize ?? 0, A = e.first?.actionSize ?? 0
        return Parameters([
            (prefix + "lengths", Tensor(floats: e.map { Float($0.length) }, shape: [e.count])),
            (prefix + "terminated", Tensor(floats: e.map { $0.terminated ? 1 : 0 }, shape: [e.count])),
            (prefix + "sizes", Tensor(floats: [Float(O), Float(A)], shape: [2])),
            (prefix + "observations", Tensor(floats: e.flatMap(\.observations), shape: [e.reduce(0) { $0 + $1.length + 1 } * O])),
            (prefix + "actions", Tensor(floats: e.flatMap(\.actions), shape: [e.reduce(0) { $0 + $1.length } * A])),
            (prefix + "rewards", Tensor(floats: e.flatMap(\.rewards), shape: [e.reduce(0) { $0 + $1.length }])),
        ])
    }

    static func decode(_ p: Parameters, prefix: String, into b: inout EpisodeReplay) throws {
        guard p.contains(prefix + "lengths") else { throw TrainingError.checkpoint("replay \(prefix) missing") }
        let lengths = p[prefix + "lengths"].floats.map { Int($0) }, term = p[prefix + "terminated"].floats
        let sizes = p[prefix + "sizes"].floats.map { Int($0) }
        let o = p[prefix + "observations"].floats, a = p[prefix + "actions"].floats, r = p[prefix + "rewards"].floats
        let O = sizes[0], A = sizes[1]
        guard o.count == lengths.reduce(0) { $0 + $1 + 1 } * O, a.count == lengths.reduce(0, +) * A, r.count == lengths.reduce(0, +) else {
            throw TrainingError.checkpoint("replay \(prefix) has inconsistent sizes")
        }
        b = EpisodeReplay(capacity: b.capacity)
        var io = 0, ia = 0, ir = 0
        for (k, n) in lengths.enumerated() {
            b.add(HindsightEpisode(observationSize: O, actionSize: A, observations: Array(o[io..<(io + (n + 1) * O)]),
                                   actions: Array(a[ia..<(ia + n * A)]), rewards: Array(r[ir..<(ir + n)]), terminated: term[k] != 0))
            io += (n + 1) * O; ia += n * A; ir += n
        }
    }

    // MARK: Cycles

    public var curveColumns: [String] {
        ["train_pre_return", "train_post_return", "train_pre_success", "train_post_success",
         "metatest_score", "metatest_first_episode_return", "metatest_evaluation_return", "metatest_evaluation_success",
         "q_loss", "v_loss", "policy_loss", "alpha", "log_prob", "inner_steps", "environment_seconds", "update_seconds"]
    }

    /// A finished episode of a roll-out.
    struct RolledEpisode {
        var episode: HindsightEpisode
        var totalReward: Double
        var succeeded: Bool
    }

    /// A free environment of task `i` for each occurrence in `taskList` (made once, then reused).
    func environments(for taskList: [Int]) throws -> [LearnerEnvironment] {
        var used: [Int: Int] = [:], out: [LearnerEnvironment] = []
        for i in taskList {
            let k = used[i, default: 0]; used[i] = k + 1
            if environments[i, default: []].count <= k { environments[i, default: []].append(try tasks.environment(i)) }
            out.append(environments[i]![k])
        }
        return out
    }

    /// Runs one episode per job side by side: job j runs task `taskList[j]` from reset seed
    /// `seeds[j]` with policy parameters `policies[actorOf[j]]` (random actions when `random`).
    func rollout(_ taskList: [Int], actorOf: [Int], policies: [Parameters], seeds: [UInt64], deterministic: Bool, random: Bool,
                 threads: Int, using g: inout SeededGenerator) throws -> [RolledEpisode] {
        let batch = EnvironmentBatch(try environments(for: taskList), threads: threads)
        for j in taskList.indices { batch.reset(j, seed: seeds[j]) }
        var transitions = Array(repeating: [Transition](), count: taskList.count)
        let agent = self.agent()
        while true {
            let running = taskList.indices.filter { !batch.cursor($0)!.isDone }
            if running.isEmpty { break }
            var actions = Array(repeating: [Float](), count: taskList.count)
            if random {
                for j in running { actions[j] = tasks.context.actionSpace.sample(using: &g) }
            } else {
                for a in policies.indices {
                    let group = running.filter { actorOf[$0] == a }
                    if group.isEmpty { continue }
                    let acts = agent.act(policies[a], group.map { batch.observation($0) }, deterministic: deterministic, using: &g)
                    for (k, j) in group.enumerated() { actions[j] = acts[k] }
                }
            }
            let ts = try batch.step(running, actions: running.map { actions[$0] })
            for (k, j) in running.enumerated() { transitions[j].append(ts[k]) }
        }
        return taskList.indices.map { j in
            let c = batch.cursor(j)!
            return RolledEpisode(episode: HindsightEpisode(transitions[j]), totalReward: c.totalReward, succeeded: c.succeeded)
        }
    }

    public func iterate(threads: Int) throws -> [String: Double] {
        let cycleSeed = SeededGenerator.derive(seed, "cycle/\(iteration)")
        var g = SeededGenerator(seed: cycleSeed)
        let visited = (0..<config.metaBatch).map { _ in trainIndices[Int(g.next() % UInt64(trainIndices.count))] }
        let E = config.episodesPerTask
        let jobs = visited.flatMap { Array(repeating: $0, count: E) }
        let random = iteration < config.randomCycles
        func seeds(_ phase: String) -> [UInt64] { jobs.indices.map { SeededGenerator.derive(cycleSeed, "\(phase)/episode/\($0)") } }
        var row: [String: Double] = [:]
        var envSeconds = 0.0, updateSeconds = 0.0
        func timed<T>(_ s: inout Double, _ f: () throws -> T) rethrows -> T {
            let t0 = Date(); defer { s += Date().timeIntervalSince(t0) }
            return try f()
        }
        func record(_ eps: [RolledEpisode], _ phase: String) {
            row["train_\(phase)_return"] = mean(eps.map(\.totalReward))
            row["train_\(phase)_success"] = mean(eps.map { $0.succeeded ? 1 : 0 })
            environmentSteps += eps.reduce(0) { $0 + $1.episode.length }
        }

        BLAS.setThreadCount(1)
        // Phase 1: the meta-parameters (SAC+HER: its policy) on every visited task.
        let first = try timed(&envSeconds) {
            try rollout(jobs, actorOf: jobs.map { _ in 0 }, policies: [sac.policy], seeds: seeds("pre"), deterministic: false, random: random,
                        threads: threads, using: &g)
        }
        record(first, "pre")
        normalizer.update(first.map(\.episode))
        let second: [RolledEpisode]
        switch variant {
        case .sacHER:
            for e in first { shared.add(e.episode) }
            second = try timed(&envSeconds) {
                try rollout(jobs, actorOf: jobs.map { _ in 0 }, policies: [sac.policy], seeds: seeds("post"), deterministic: false, random: random,
                            threads: threads, using: &g)
            }
            for e in second { shared.add(e.episode) }
        case .gargaml:
            for (j, e) in first.enumerated() { pre.add(e.episode, task: jobs[j]) }
            // Inner loop per visited task (a task drawn twice adapts twice, from the same θ).
            let objective = self.objective(firstOrder: true)
            let adapted: [Parameters] = timed(&updateSeconds) {
                visited.map { i in
                    let batches = (0..<config.innerSteps).map { _ in
                        normalizer.batch(pre.sample(tasks: [i], rowsPerTask: config.sac.batchSize, sampler: sampler, using: &g))
                    }
                    innerSteps += config.innerSteps
                    return objective.adapt(on: batches, using: &g).policy
                }
            }
            let actorOf = visited.indices.flatMap { Array(repeating: $0, count: E) }
            second = try timed(&envSeconds) {
                try rollout(jobs, actorOf: actorOf, policies: adapted, seeds: seeds("post"), deterministic: false, random: random,
                            threads: threads, using: &g)
            }
            for (j, e) in second.enumerated() { post.add(e.episode, task: jobs[j]) }
        }
        record(second, "post")
        normalizer.update(second.map(\.episode))

        BLAS.setThreadCount(threads)
        var sums: [String: Double] = [:]
        timed(&updateSeconds) {
            for _ in 0..<config.gradientStepsPerCycle {
                for (k, v) in trainStep(visited: visited, using: &g) { sums[k, default: 0] += v }
            }
        }
        BLAS.setThreadCount(1)
        iteration += 1
        for (k, v) in sums { row[k] = v / Double(config.gradientStepsPerCycle) }
        if !config.sac.autoTemperature { row["alpha"] = nil }
        row["inner_steps"] = Double(innerSteps)
        row["environment_seconds"] = envSeconds; row["update_seconds"] = updateSeconds
        if iteration == 1 || iteration % config.evaluateEvery == 0 {
            try metaTest(threads: threads).record(into: &row)
        }
        guard sac.policy.isFinite, sac.critics.isFinite, sac.value.isFinite else {
            throw TrainingError.diverged("non-finite parameters after cycle \(iteration)")
        }
        return row
    }

    func objective(firstOrder: Bool) -> CriticMetaObjective {
        CriticMetaObjective(sac: sac, innerLearningRate: config.innerLearningRate, innerActorLearningRate: config.innerActorLearningRate,
                            firstOrder: firstOrder)
    }

    /// One gradient update (see the type's comment).
    func trainStep(visited: [Int], using g: inout SeededGenerator) -> [String: Double] {
        let B = config.sac.batchSize
        var qLoss = 0.0
        let stats: SACStatistics
        switch variant {
        case .sacHER:
            let b = normalizer.batch(sampler.sample(B * visited.count, from: shared.episodes, using: &g).batch)
            stats = sac.update(b, using: &g)
            qLoss = stats.qLoss
        case .gargaml:
            var metaTasks: [(pre: [SACBatch], post: SACBatch)] = []
            for i in visited {
                let p = (0..<config.innerSteps).map { _ in normalizer.batch(pre.sample(tasks: [i], rowsPerTask: B, sampler: sampler, using: &g)) }
                metaTasks.append((p, normalizer.batch(post.sample(tasks: [i], rowsPerTask: B, sampler: sampler, using: &g))))
            }
            let objective = self.objective(firstOrder: config.firstOrder)
            let (l, grad) = valueWithGradient(at: sac.critics) { objective.loss($0, tasks: metaTasks) }
            sac.applyCriticGradient(grad)
            qLoss = l.scalarValue
            let posts = metaTasks.map(\.post)
            let joined = SACBatch(observations: concat(posts.map(\.observations), alongAxis: 0), actions: concat(posts.map(\.actions), alongAxis: 0),
                                  rewards: concat(posts.map(\.rewards), alongAxis: 0),
                                  nextObservations: concat(posts.map(\.nextObservations), alongAxis: 0),
                                  terminals: concat(posts.map(\.terminals), alongAxis: 0))
            stats = sac.updateValueAndPolicy(joined, condition: nil, using: &g)
        }
        gradientSteps += 1
        return ["q_loss": qLoss, "v_loss": stats.vLoss, "policy_loss": stats.policyLoss, "alpha": stats.alpha, "log_prob": stats.logProb]
    }

    // MARK: Meta-test

    /// The curve's meta-test: the benchmark's protocol (K adaptation, E evaluation episodes, as
    /// `GARGAMLAgent` acts) on held-out train tasks (a one-task split: `evaluationTasks` trials of
    /// its task) with fixed seeds, so points on the curve compare.
    public func metaTest(threads: Int, tasks count: Int? = nil) throws -> MetaTestSummary {
        var g = SeededGenerator(seed: SeededGenerator.derive(seed, "metatest"))
        let n = count ?? config.evaluationTasks
        let chosen = heldOut.count == 1 ? Array(repeating: heldOut[0], count: n) : Array(heldOut.shuffled(using: &g).prefix(n))
        let k = tasks.evaluation.adaptationEpisodes, e = tasks.evaluation.evaluationEpisodes
        let learner = agent()
        var first: [Double] = [], evaluation: [Double] = [], success: [Double] = []
        for (t, i) in chosen.enumerated() {
            let env = try tasks.environment(i)
            let trialSeed = SeededGenerator.derive(seed, "metatest/trial/\(t)")
            var policy = try learner.explorationPolicy(context: tasks.context, seed: trialSeed)
            policy.beginTrial(seed: trialSeed)
            var adaptation: [Episode] = []
            var evalReturns: [Double] = [], evalSuccess: [Double] = []
            for j in 0..<(k + e) {
                if j == k { policy = try learner.adapt(policy, episodes: adaptation) }
                policy.beginEpisode(phase: j < k ? .adaptation : .evaluation)
                var c = EpisodeCursor(env, seed: SeededGenerator.derive(trialSeed, "episode/\(j)"), horizon: env.horizon)
                var ts: [Transition] = []
                try c.run(policy) { ts.append($0) }
                if j == 0 { first.append(c.totalReward) }
                if j < k { adaptation.append(Episode(transitions: ts)) } else {
                    evalReturns.append(c.totalReward); evalSuccess.append(c.succeeded ? 1 : 0)
                }
            }
            evaluation.append(mean(evalReturns)); success.append(mean(evalSuccess))
        }
        return MetaTestSummary(tasks.evaluation, firstEpisodeReturn: mean(first), evaluationReturn: mean(evaluation), evaluationSuccess: mean(success))
    }

    /// The agent for evaluation, with the current parameters.
    public func agent() -> GARGAMLAgent {
        GARGAMLAgent(variant: variant, sac: sac, normalizer: normalizer, config: config)
    }
}
