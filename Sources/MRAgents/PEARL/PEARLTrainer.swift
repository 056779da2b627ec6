import Foundation
import MRCore
import MRNeural

/// One gradient step's data: the RL batch of every task of the meta-batch (task-major rows), their
/// context batches [T, N, s ⊕ a ⊕ r], and the noise of z's and of the policy's samples.
struct PEARLSample {
    var batch: SACBatch
    var context: Tensor
    var latentNoise: Tensor
    var tasks: Int
    var rowsPerTask: Int
}

/// PEARL (Rakelly et al. 2019) as oyster trains it: SAC (twin Q, V with a target, tanh-Gaussian
/// policy) on observations concatenated with z, z drawn from the posterior of a task's context; the
/// encoder is trained by the critic loss plus β·KL(posterior ‖ N(0, I)) only, the policy and V see z
/// detached. Data: for every train task `initialSteps` with z from the prior before the first
/// update; then per iteration `tasksPerIteration` tasks, each with its context buffer cleared,
/// `stepsPrior` steps with z from the prior and `stepsPosterior` with z from the posterior (both
/// into the context and RL buffers), `extraStepsPosterior` with z from the posterior into the RL
/// buffer only; z is drawn afresh at each episode's start, actions are sampled.
public final class PEARLTrainer: MetaTrainer {
    public let agentName = PEARLAgent.catalogueName
    /// Replay and context buffers go to the run folder's `replay.mrnc`, not the agent checkpoint.
    public var bulkStatePrefixes: [String] { ["replay/", "context/"] }
    public let config: PEARLConfig
    public let tasks: TrainingTasks
    public let seed: UInt64
    var sac: SAC
    let encoder: PEARLEncoder
    var encoderParams: Parameters
    var encoderAdam: Adam
    /// Per train task (indexed like `tasks`): the RL replay buffer and the encoder's context buffer.
    var replay: [ReplayBuffer]
    var contexts: [ReplayBuffer]
    public private(set) var iteration = 0
    public private(set) var environmentSteps = 0
    public private(set) var gradientSteps = 0
    let trainIndices: [Int]
    let heldOut: [Int]
    /// Test hook: the context's rewards are replaced by 0 in training and meta-test.
    var zeroContextRewards = false
    /// Test hook: false hands the policy step z with the encoder's gradient path left attached.
    var detachActorCondition = true

    public init(tasks: TrainingTasks, config: PEARLConfig, seed: UInt64) throws {
        try config.validate()
        guard tasks.count >= 2 else { throw TrainingError.configuration("the train split has \(tasks.count) task(s); need at least 2") }
        self.tasks = tasks; self.config = config; self.seed = seed
        let O = tasks.context.observationSpace.dimension, A = tasks.context.actionSpace.dimension
        var g = SeededGenerator(seed: SeededGenerator.derive(seed, "init"))
        sac = SAC(observationSize: O, actionSize: A, conditionSize: config.latentSize, settings: config.sac, using: &g)
        encoder = PEARLEncoder(observationSize: O, actionSize: A, config: config)
        encoderParams = encoder.net.initialParameters(using: &g)
        encoderAdam = Adam(learningRate: config.sac.learningRate)
        let empty = ReplayBuffer(observationSize: O, actionSize: A, capacity: config.sac.replayCapacity)
        replay = Array(repeating: empty, count: tasks.count)
        contexts = replay
        (trainIndices, heldOut) = heldOutSplit(tasks.labels, every: config.holdOutEvery)
    }

    // MARK: Checkpoints

    /// Restores a trainer from a checkpoint written by `checkpoint()` (replay buffers included).
    public convenience init(tasks: TrainingTasks, checkpoint: Checkpoint) throws {
        let (config, s) = try TrainingCheckpoint.resumable(checkpoint, format: PEARLAgent.format, kind: "a PEARL", tasks: tasks,
                                                           config: PEARLConfig.self)
        try self.init(tasks: tasks, config: config, seed: s)
        try sac.restore(checkpoint, prefix: "sac/")
        encoderParams = try TrainingCheckpoint.parameters(checkpoint, prefix: "encoder/", matching: encoderParams)
        encoderAdam.restore(checkpoint.parameters.filtered(prefix: "adam/encoder/", droppingPrefix: true))
        for i in 0..<tasks.count {
            try replay[i].restore(checkpoint.parameters, prefix: "replay/\(i)/")
            try contexts[i].restore(checkpoint.parameters, prefix: "context/\(i)/")
        }
        (iteration, environmentSteps, gradientSteps) = try TrainingCheckpoint.counters(checkpoint)
    }

    public func checkpoint() -> Checkpoint {
        var p = sac.parameters(prefix: "sac/").merging(encoderParams.prefixed("encoder/")).merging(encoderAdam.state.prefixed("adam/encoder/"))
        for i in 0..<tasks.count {
            p = p.merging(replay[i].parameters(prefix: "replay/\(i)/")).merging(contexts[i].parameters(prefix: "context/\(i)/"))
        }
        return Checkpoint(parameters: p, metadata: TrainingCheckpoint.metadata(
            format: PEARLAgent.format, agent: agentName, tasks: tasks, config: config, seed: seed, iteration: iteration,
            environmentSteps: environmentSteps, gradientSteps: gradientSteps))
    }

    // MARK: Iterations

    public var curveColumns: [String] {
        ["train_prior_return", "train_posterior_return", "train_success",
         "metatest_score", "metatest_first_episode_return", "metatest_evaluation_return", "metatest_evaluation_success",
         "q_loss", "v_loss", "policy_loss", "kl", "alpha", "log_prob",
         "environment_seconds", "update_seconds"]
    }

    /// What one iteration's data collection gave.
    struct Collected {
        var priorReturns: [Double] = []
        var posteriorReturns: [Double] = []
        var successes: [Bool] = []
        var steps = 0
    }

    public func iterate(threads: Int) throws -> [String: Double] {
        let iterSeed = SeededGenerator.derive(seed, "iteration/\(iteration)")
        var g = SeededGenerator(seed: iterSeed)
        BLAS.setThreadCount(1)
        let envStart = Date()
        var got = Collected()
        if iteration == 0 {
            for i in trainIndices {
                try collect(task: i, steps: config.initialSteps, posterior: false, intoContext: true,
                            seed: SeededGenerator.derive(seed, "initial/task/\(i)"), into: &got)
            }
        }
        for k in 0..<config.tasksPerIteration {
            let i = trainIndices[Int(g.next() % UInt64(trainIndices.count))]
            let s = SeededGenerator.derive(iterSeed, "collect/\(k)")
            contexts[i].clear()
            if config.stepsPrior > 0 {
                try collect(task: i, steps: config.stepsPrior, posterior: false, intoContext: true, seed: SeededGenerator.derive(s, "prior"), into: &got)
            }
            if config.stepsPosterior > 0 {
                try collect(task: i, steps: config.stepsPosterior, posterior: true, intoContext: true, seed: SeededGenerator.derive(s, "posterior"), into: &got)
            }
            if config.extraStepsPosterior > 0 {
                try collect(task: i, steps: config.extraStepsPosterior, posterior: true, intoContext: false, seed: SeededGenerator.derive(s, "extra"), into: &got)
            }
        }
        environmentSteps += got.steps
        let environmentSeconds = Date().timeIntervalSince(envStart)

        let updateStart = Date()
        BLAS.setThreadCount(threads)
        var train = SeededGenerator(seed: SeededGenerator.derive(iterSeed, "train"))
        var sums = [String: Double]()
        for _ in 0..<config.gradientStepsPerIteration {
            let s = trainStep(using: &train)
            for (k, v) in s { sums[k, default: 0] += v }
        }
        BLAS.setThreadCount(1)
        let updateSeconds = Date().timeIntervalSince(updateStart)
        iteration += 1

        var row = sums.mapValues { $0 / Double(config.gradientStepsPerIteration) }
        row["environment_seconds"] = environmentSeconds; row["update_seconds"] = updateSeconds
        if !got.priorReturns.isEmpty { row["train_prior_return"] = mean(got.priorReturns) }
        if !got.posteriorReturns.isEmpty { row["train_posterior_return"] = mean(got.posteriorReturns) }
        if !got.successes.isEmpty { row["train_success"] = Double(got.successes.filter { $0 }.count) / Double(got.successes.count) }
        if !config.sac.autoTemperature { row["alpha"] = nil }
        if iteration == 1 || iteration % config.evaluateEvery == 0 {
            try metaTest(threads: threads).record(into: &row)
        }
        guard sac.policy.isFinite, sac.critics.isFinite, encoderParams.isFinite else {
            throw TrainingError.diverged("non-finite parameters after iteration \(iteration)")
        }
        return row
    }

    /// Collects whole episodes of task `i` until at least `steps` transitions, with z drawn at
    /// each episode's start from the prior, or from the posterior of a context batch sampled from
    /// the task's context buffer (the prior while that buffer is empty); actions sampled.
    func collect(task i: Int, steps: Int, posterior: Bool, intoContext: Bool, seed s: UInt64, into got: inout Collected) throws {
        var g = SeededGenerator(seed: SeededGenerator.derive(s, "draws"))
        let env = try tasks.environment(i)
        var taken = 0, episode = 0
        while taken < steps {
            var q: DiagonalGaussian?
            if posterior, contexts[i].count > 0 {
                q = encoder.posterior(encoderParams, context: contextBatch([i], using: &g))
            }
            let z = encoder.sample(q, using: &g)
            var c = EpisodeCursor(env, seed: SeededGenerator.derive(s, "episode/\(episode)"), horizon: env.horizon)
            while !c.isDone {
                let a = sac.act(Tensor(floats: c.observation + z, shape: [1, encoder.observationSize + z.count]),
                                deterministic: false, using: &g)[0]
                let t = try c.step(a)
                replay[i].add(t)
                if intoContext { contexts[i].add(t) }
                taken += 1
            }
            if q == nil { got.priorReturns.append(c.totalReward) } else { got.posteriorReturns.append(c.totalReward) }
            if c.reportsSuccess { got.successes.append(c.succeeded) }
            episode += 1
        }
        got.steps += taken
    }

    /// Context batches [T, N, s ⊕ a ⊕ r] of `contextBatchSize` rows per task, drawn uniformly
    /// with replacement from the tasks' context buffers (oyster's `sample_context`).
    func contextBatch(_ taskIndices: [Int], using g: inout SeededGenerator) -> Tensor {
        let N = config.contextBatchSize, C = encoder.contextSize
        var flat: [Float] = []
        flat.reserveCapacity(taskIndices.count * N * C)
        for i in taskIndices {
            let b = contexts[i]
            let r = b.rows(b.sample(N, using: &g))
            let O = b.observationSize, A = b.actionSize
            for k in 0..<N {
                flat += PEARLEncoder.row(Array(r.observations[(k * O)..<((k + 1) * O)]), Array(r.actions[(k * A)..<((k + 1) * A)]),
                                         zeroContextRewards ? 0 : r.rewards[k])
            }
        }
        return Tensor(floats: flat, shape: [taskIndices.count, N, C])
    }

    /// A gradient step's data: `metaBatch` train tasks drawn with replacement (oyster's
    /// `np.random.choice`), their RL and context batches, and z's noise.
    func sample(using g: inout SeededGenerator) -> PEARLSample {
        let picked = (0..<config.metaBatch).map { _ in trainIndices[Int(g.next() % UInt64(trainIndices.count))] }
        let context = contextBatch(picked, using: &g)
        let B = config.sac.batchSize
        let parts = picked.map { replay[$0].batch(replay[$0].sample(B, using: &g)) }
        let batch = SACBatch(observations: concat(parts.map(\.observations), alongAxis: 0), actions: concat(parts.map(\.actions), alongAxis: 0),
                             rewards: concat(parts.map(\.rewards), alongAxis: 0),
                             nextObservations: concat(parts.map(\.nextObservations), alongAxis: 0),
                             terminals: concat(parts.map(\.terminals), alongAxis: 0))
        let noise = Tensor.randomNormal([picked.count, config.latentSize], dtype: .float32, using: &g)
        return PEARLSample(batch: batch, context: context, latentNoise: noise, tasks: picked.count, rowsPerTask: B)
    }

    /// z per row of the RL batch (each task's z repeated over its rows) from the encoder `p`, and
    /// the posterior it was drawn from. Differentiable in `p`.
    func latentRows(_ p: Parameters, _ s: PEARLSample) -> (z: Tensor, posterior: DiagonalGaussian) {
        let q = encoder.posterior(p, context: s.context)
        let Z = config.latentSize
        let z = q.sample(noise: s.latentNoise).reshaped(to: [s.tasks, 1, Z]).broadcast(to: [s.tasks, s.rowsPerTask, Z])
        return (z.reshaped(to: [s.tasks * s.rowsPerTask, Z]), q)
    }

    /// The z the policy and V steps see: detached, so the encoder gets no gradient from them.
    func actorCondition(_ z: Tensor) -> Tensor { detachActorCondition ? z.detached : z }

    /// The policy loss of a sample as a function of the encoder's parameters (zero gradient in them
    /// is what `actorCondition` guarantees).
    func actorLoss(encoder p: Parameters, _ s: PEARLSample, actionNoise: Tensor) -> Tensor {
        let z = actorCondition(latentRows(p, s).z)
        return sac.policyLoss(sac.policy, input: SAC.joined(s.batch.observations, z), noise: actionNoise).loss
    }

    /// One gradient step (oyster's `_take_step`): the critics and the encoder on the twin-Q loss
    /// plus β·KL, then V, V's target and the policy with z detached.
    func trainStep(using g: inout SeededGenerator) -> [String: Double] {
        let s = sample(using: &g)
        var z = Tensor.zeros([1]), qLoss = 0.0, kl = 0.0
        let (_, grad) = valueWithGradient(at: sac.critics.merging(encoderParams)) { p in
            let (rows, q) = latentRows(p.filtered(prefix: "encoder."), s)
            z = rows.detached
            let critic = sac.criticLoss(p, s.batch, condition: rows)
            let divergence = PEARLEncoder.klToPrior(q)
            qLoss = critic.scalarValue; kl = divergence.scalarValue
            return critic + divergence * config.klWeight
        }
        sac.applyCriticGradient(grad.filtered(prefix: "q"))
        _ = encoderAdam.update(&encoderParams, along: grad.filtered(prefix: "encoder."))
        let st = sac.updateValueAndPolicy(s.batch, condition: actorCondition(z), using: &g)
        gradientSteps += 1
        return ["q_loss": qLoss, "kl": kl, "v_loss": st.vLoss, "policy_loss": st.policyLoss, "alpha": st.alpha, "log_prob": st.logProb]
    }

    // MARK: Meta-test

    /// The curve's meta-test: the protocol (K adaptation, E evaluation episodes, as `PEARLAgent`
    /// acts) on held-out train tasks with fixed seeds, so points on the curve compare. The first
    /// episode's return is that of z from the prior, the evaluation episodes' that of the final posterior.
    public typealias MetaTestResult = MetaTestSummary

    public func metaTest(threads: Int, tasks count: Int? = nil) throws -> MetaTestResult {
        var g = SeededGenerator(seed: SeededGenerator.derive(seed, "metatest"))
        let chosen = Array(heldOut.shuffled(using: &g).prefix(count ?? config.evaluationTasks))
        let k = tasks.evaluation.adaptationEpisodes, e = tasks.evaluation.evaluationEpisodes
        let learner = agent()
        var first: [Double] = [], evaluation: [Double] = [], success: [Double] = []
        var reportsSuccess = true
        for (n, i) in chosen.enumerated() {
            let env = try tasks.environment(i)
            let trialSeed = SeededGenerator.derive(seed, "metatest/trial/\(n)")
            let policy = try learner.explorationPolicy(context: tasks.context, seed: trialSeed)
            policy.beginTrial(seed: trialSeed)
            var evalReturns: [Double] = [], evalSuccess: [Double] = []
            for j in 0..<(k + e) {
                policy.beginEpisode(phase: j < k ? .adaptation : .evaluation)
                var c = EpisodeCursor(env, seed: SeededGenerator.derive(trialSeed, "episode/\(j)"), horizon: env.horizon)
                try c.run(policy)
                if j == 0 { first.append(c.totalReward) }
                if j >= k { evalReturns.append(c.totalReward); evalSuccess.append(c.succeeded ? 1 : 0); reportsSuccess = reportsSuccess && c.reportsSuccess }
            }
            evaluation.append(mean(evalReturns)); success.append(mean(evalSuccess))
        }
        let s: Double? = reportsSuccess ? mean(success) : nil
        let ret = mean(evaluation)
        return MetaTestResult(tasks.evaluation, firstEpisodeReturn: mean(first), evaluationReturn: ret, evaluationSuccess: s)
    }

    /// The agent for evaluation, with the current parameters.
    public func agent() -> PEARLAgent {
        let a = PEARLAgent(sac: sac, encoder: encoder, encoderParams: encoderParams, priorEpisodes: config.priorEpisodes)
        a.zeroContextRewards = zeroContextRewards
        return a
    }
}
