import Foundation
import MRCore
import MRNeural

/// What one batch of RL² trials collected, per trial b and step t.
struct TrialBatch {
    var inputs: [[[Float]]] = []
    var actions: [[[Float]]] = []
    var logProbs: [[Double]] = []
    /// Scaled rewards (what the learner optimises).
    var rewards: [[Double]] = []
    /// Unscaled episode returns, per trial and episode.
    var episodeReturns: [[Double]] = []
    /// Per trial and episode: success at any step (nil where the task reports none).
    var episodeSuccess: [[Bool?]] = []
    /// The observations seen (raw), for the normaliser.
    var observations: [[Float]] = []
    var steps = 0
    var environmentSeconds = 0.0
    var inferenceSeconds = 0.0
}

/// RL² (Duan et al. 2016) trained with PPO, as AGENTS.md pins it: trials of several episodes on one
/// task with the GRU state carried across episode boundaries, advantages computed over the whole
/// trial, inputs o ⊕ a_prev ⊕ r_prev·scale ⊕ (terminated ∨ truncated).
public final class RL2Trainer: MetaTrainer {
    public let agentName = RL2Agent.catalogueName
    public let config: RL2Config
    public let tasks: TrainingTasks
    public let seed: UInt64
    let net: RL2Network
    var params: Parameters
    var adam: Adam
    var normalizer: RunningNormalizer
    public private(set) var iteration = 0
    public private(set) var environmentSteps = 0
    public private(set) var gradientSteps = 0
    /// Train tasks the learner samples from, and the held-out ones of the curve's meta-test.
    let trainIndices: [Int]
    let heldOut: [Int]
    let episodesPerTrial: Int
    /// −1 flips the surrogate's sign (tests show the learner then fails).
    var surrogateSign = 1.0

    public init(tasks: TrainingTasks, config: RL2Config, seed: UInt64) throws {
        try config.validate()
        guard tasks.count >= 2 else { throw TrainingError.configuration("the train split has \(tasks.count) task(s); need at least 2") }
        self.tasks = tasks; self.config = config; self.seed = seed
        let c = tasks.context
        net = RL2Network(observationSize: c.observationSpace.dimension, actionSize: c.actionSpace.dimension, config: config)
        var g = SeededGenerator(seed: SeededGenerator.derive(seed, "init"))
        params = net.initialParameters(config: config, using: &g)
        adam = Adam(learningRate: config.learningRate, maxGradNorm: config.maxGradNorm)
        normalizer = RunningNormalizer(dimension: c.observationSpace.dimension)
        episodesPerTrial = config.episodesPerTrial ?? (tasks.evaluation.adaptationEpisodes + tasks.evaluation.evaluationEpisodes)
        (trainIndices, heldOut) = heldOutSplit(tasks.labels, every: config.holdOutEvery)
    }

    // MARK: Checkpoints

    /// Restores a trainer from a checkpoint written by `checkpoint()`.
    public convenience init(tasks: TrainingTasks, checkpoint: Checkpoint) throws {
        let (config, s) = try TrainingCheckpoint.resumable(checkpoint, format: RL2Agent.format, kind: "an RL²", tasks: tasks, config: RL2Config.self)
        try self.init(tasks: tasks, config: config, seed: s)
        params = try TrainingCheckpoint.parameters(checkpoint, prefix: "policy/", matching: params)
        adam.restore(checkpoint.parameters.filtered(prefix: "adam/", droppingPrefix: true))
        try normalizer.restore(checkpoint.parameters, prefix: "normalizer/")
        (iteration, environmentSteps, gradientSteps) = try TrainingCheckpoint.counters(checkpoint)
    }

    public func checkpoint() -> Checkpoint {
        Checkpoint(
            parameters: params.prefixed("policy/").merging(adam.state.prefixed("adam/")).merging(normalizer.parameters(prefix: "normalizer/")),
            metadata: TrainingCheckpoint.metadata(
                format: RL2Agent.format, agent: agentName, tasks: tasks, config: config, seed: seed, iteration: iteration,
                environmentSteps: environmentSteps, gradientSteps: gradientSteps,
                extra: ["rewardScale": String(tasks.rewardScale), "episodesPerTrial": String(episodesPerTrial)]))
    }

    // MARK: Iterations

    public var curveColumns: [String] {
        ["train_return", "train_success", "train_first_episode_return", "train_last_episode_return",
         "metatest_score", "metatest_first_episode_return", "metatest_evaluation_return", "metatest_evaluation_success",
         "policy_loss", "entropy", "approx_kl", "clip_fraction", "grad_norm",
         "environment_seconds", "inference_seconds", "update_seconds"]
    }

    public func iterate(threads: Int) throws -> [String: Double] {
        let iterSeed = SeededGenerator.derive(seed, "iteration/\(iteration)")
        var g = SeededGenerator(seed: iterSeed)
        // Tasks: a fresh permutation of the training tasks per iteration, the first metaBatch of it
        // (with wrap-around when the batch is larger than the split).
        let order = trainIndices.shuffled(using: &g)
        let picked = (0..<config.metaBatch).map { order[$0 % order.count] }
        BLAS.setThreadCount(1)
        let batch = try collect(tasks: picked, episodes: episodesPerTrial, meanFrom: nil, seed: SeededGenerator.derive(iterSeed, "rollout"), threads: threads)
        environmentSteps += batch.steps
        let updateStart = Date()
        BLAS.setThreadCount(threads)
        let stats = try update(batch, using: &g)
        BLAS.setThreadCount(1)
        let updateSeconds = Date().timeIntervalSince(updateStart)
        if config.normalizeObservations { normalizer.update(batch.observations) }
        iteration += 1

        var row: [String: Double] = [
            "train_return": mean(batch.episodeReturns.flatMap { $0 }),
            "train_first_episode_return": mean(batch.episodeReturns.map { $0[0] }),
            "train_last_episode_return": mean(batch.episodeReturns.map { $0[$0.count - 1] }),
            "policy_loss": stats.policyLoss, "entropy": stats.entropy,
            "approx_kl": stats.approximateKL, "clip_fraction": stats.clipFraction, "grad_norm": stats.gradientNorm,
            "environment_seconds": batch.environmentSeconds, "inference_seconds": batch.inferenceSeconds, "update_seconds": updateSeconds,
        ]
        let successes = batch.episodeSuccess.flatMap { $0 }.compactMap { $0 }
        if !successes.isEmpty { row["train_success"] = Double(successes.filter { $0 }.count) / Double(successes.count) }
        if iteration == 1 || iteration % config.evaluateEvery == 0 {
            try metaTest(threads: threads).record(into: &row)
        }
        guard params.isFinite else { throw TrainingError.diverged("non-finite parameters after iteration \(iteration)") }
        return row
    }

    /// The meta-test protocol (K adaptation episodes sampled, E evaluation episodes with the mean
    /// action) on the fixed held-out train tasks, with fixed seeds so points on the curve compare.
    public typealias MetaTestResult = MetaTestSummary

    public func metaTest(threads: Int, tasks count: Int? = nil) throws -> MetaTestResult {
        var g = SeededGenerator(seed: SeededGenerator.derive(seed, "metatest"))
        let chosen = Array(heldOut.shuffled(using: &g).prefix(count ?? config.evaluationTasks))
        let k = tasks.evaluation.adaptationEpisodes, e = tasks.evaluation.evaluationEpisodes
        let batch = try collect(tasks: chosen, episodes: k + e, meanFrom: k, seed: SeededGenerator.derive(seed, "metatest/rollout"), threads: threads)
        let evalReturns = batch.episodeReturns.map { Array($0[k...]) }
        let evalSuccess = batch.episodeSuccess.map { Array($0[k...]) }
        let success: Double? = evalSuccess.allSatisfy({ $0.allSatisfy { $0 != nil } })
            ? mean(evalSuccess.map { s in Double(s.filter { $0 == true }.count) / Double(s.count) }) : nil
        let ret = mean(evalReturns.map(mean))
        return MetaTestResult(tasks.evaluation, firstEpisodeReturn: mean(batch.episodeReturns.map { $0[0] }), evaluationReturn: ret,
                              evaluationSuccess: success)
    }

    /// Runs one trial per entry of `taskIndices`: `episodes` episodes each, the GRU state carried
    /// across them; actions are sampled, or the mean from episode `meanFrom` on.
    func collect(tasks taskIndices: [Int], episodes: Int, meanFrom: Int?, seed rolloutSeed: UInt64, threads: Int) throws -> TrialBatch {
        let envs = try taskIndices.map { try tasks.environment($0) }
        return try RL2Rollout(net: net, params: params, normalizer: config.normalizeObservations ? normalizer : nil,
                              rewardScale: tasks.rewardScale)
            .run(EnvironmentBatch(envs, threads: threads), episodes: episodes, meanFrom: meanFrom, seed: rolloutSeed)
    }

    /// PPO epochs over the batch's trials.
    func update(_ b: TrialBatch, using g: inout SeededGenerator) throws -> PPOStatistics {
        let M = b.inputs.count
        // Values: the linear feature baseline fitted to this batch's discounted returns, each trial
        // one sequence (its time feature runs over the whole trial). Advantages: GAE over the trial.
        let horizon = Double(tasks.evaluation.horizon * episodesPerTrial)
        var baseline = LinearFeatureBaseline(observationSize: net.inputSize, timeScale: horizon)
        let features = b.inputs
        baseline.fit(episodes: (0..<M).map { (features[$0], discountedReturns(b.rewards[$0], gamma: config.gamma)) })
        var adv: [[Double]] = []
        for i in 0..<M {
            let n = b.rewards[i].count
            let (a, _) = generalizedAdvantages(rewards: b.rewards[i], values: baseline.predict(features[i]), dones: (0..<n).map { $0 == n - 1 },
                                               lastValue: 0, gamma: config.gamma, lambda: config.lambda)
            adv.append(a)
        }
        // Standardise advantages over the whole batch.
        let flat = standardized(adv.flatMap { $0 })
        var k = 0
        for i in 0..<M { for t in adv[i].indices { adv[i][t] = flat[k]; k += 1 } }

        var stats = PPOStatistics()
        let A = net.actionSize
        for _ in 0..<config.epochs {
            let order = Array(0..<M).shuffled(using: &g)
            let size = (M + config.minibatches - 1) / config.minibatches
            var kls: [Double] = [], clips: [Double] = []
            for start in stride(from: 0, to: M, by: size) {
                let mb = Array(order[start..<min(start + size, M)])
                let B = mb.count
                let T = mb.map { b.inputs[$0].count }.max()!
                var inputs = [Float](repeating: 0, count: T * B * net.inputSize)
                var actions = [Float](repeating: 0, count: T * B * A)
                var oldLogp = [Float](repeating: 0, count: T * B), advT = oldLogp, mask = oldLogp
                for (j, i) in mb.enumerated() {
                    for t in 0..<b.inputs[i].count {
                        let row = t * B + j
                        for (c, v) in b.inputs[i][t].enumerated() { inputs[row * net.inputSize + c] = v }
                        for (c, v) in b.actions[i][t].enumerated() { actions[row * A + c] = v }
                        oldLogp[row] = Float(b.logProbs[i][t]); advT[row] = Float(adv[i][t]); mask[row] = 1
                    }
                }
                let x = Tensor(floats: inputs, shape: [T, B, net.inputSize])
                let act = Tensor(floats: actions, shape: [T * B, A])
                let old = Tensor(floats: oldLogp, shape: [T * B]), advantage = Tensor(floats: advT, shape: [T * B])
                let m = Tensor(floats: mask, shape: [T * B])
                var parts = (policy: 0.0, entropy: 0.0)
                var newLogp = Tensor.zeros([T * B])
                let (_, grad) = valueWithGradient(at: params) { p in
                    let mean = net.sequence(p, inputs: x, truncation: config.truncation)
                    let dist = DiagonalGaussian(mean: mean, logStd: p["logStd"])
                    let logp = dist.logProb(act)
                    let policy = ppoSurrogateLoss(logProb: logp, oldLogProb: old, advantages: advantage, mask: m, clip: config.clip) * surrogateSign
                    let entropy = maskedMean(dist.entropy(), m)
                    parts = (policy.scalarValue, entropy.scalarValue)
                    newLogp = logp.detached
                    return policy - entropy * config.entropyCoefficient
                }
                guard grad.isFinite else { throw TrainingError.diverged("non-finite gradient at iteration \(iteration)") }
                stats.gradientNorm = adam.update(&params, along: grad)
                gradientSteps += 1
                stats.gradientSteps += 1
                stats.policyLoss = parts.policy; stats.entropy = parts.entropy
                let lr = newLogp.floats
                for r in 0..<(T * B) where mask[r] == 1 {
                    let logRatio = Double(lr[r] - oldLogp[r])
                    let ratio = Foundation.exp(logRatio)
                    kls.append(ratio - 1 - logRatio)
                    clips.append(abs(ratio - 1) > config.clip ? 1 : 0)
                }
            }
            stats.approximateKL = mean(kls); stats.clipFraction = mean(clips)
        }
        return stats
    }

    /// The agent for evaluation, with the current parameters.
    public func agent() -> RL2Agent {
        RL2Agent(net: net, params: params, normalizer: config.normalizeObservations ? normalizer : nil, rewardScale: tasks.rewardScale)
    }
}

func mean(_ xs: [Double]) -> Double { xs.isEmpty ? 0 : xs.reduce(0, +) / Double(xs.count) }

/// The batched rollout of RL² trials: one forward pass over all trials per step, environments
/// stepped in parallel.
struct RL2Rollout {
    let net: RL2Network
    let params: Parameters
    let normalizer: RunningNormalizer?
    let rewardScale: Double

    func run(_ envs: EnvironmentBatch, episodes: Int, meanFrom: Int?, seed: UInt64) throws -> TrialBatch {
        let M = envs.count, A = net.actionSize
        var g = SeededGenerator(seed: SeededGenerator.derive(seed, "actions"))
        var out = TrialBatch()
        out.inputs = Array(repeating: [], count: M); out.actions = out.inputs
        out.logProbs = Array(repeating: [], count: M); out.rewards = out.logProbs
        out.episodeReturns = Array(repeating: [], count: M); out.episodeSuccess = Array(repeating: [], count: M)
        var episode = [Int](repeating: 0, count: M)
        var prevAction = [[Float]](repeating: [Float](repeating: 0, count: A), count: M)
        var prevReward = [Double](repeating: 0, count: M)
        var prevDone = [Bool](repeating: false, count: M)
        var active = [Bool](repeating: true, count: M)
        for i in 0..<M { envs.reset(i, seed: SeededGenerator.derive(seed, "trial/\(i)/episode/0")) }
        var state = Tensor.zeros([M, net.hiddenSize])
        let logStd = params["logStd"].floats
        let std = logStd.map { Float(Foundation.exp(Double($0))) }
        let clock = ContinuousClock()
        func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18 }
        while active.contains(true) {
            // Inference for every trial (inactive rows are computed and ignored).
            var rows: [[Float]] = []
            var raw: [[Float]] = [], logps: [Double] = []
            let inferenceTime = clock.measure {
                rows = (0..<M).map { i in
                    let o = envs.cursor(i)!.observation
                    let on = normalizer?.normalize(o) ?? o
                    return net.input(observation: on, previousAction: prevAction[i], previousReward: prevReward[i] * rewardScale, episodeEnded: prevDone[i])
                }
                let (mean, next) = net.step(params, inputs: Tensor(floats: rows.flatMap { $0 }, shape: [M, net.inputSize]), state: state)
                state = next
                let mu = mean.floats
                for i in 0..<M {
                    let m = mu[(i * A)..<((i + 1) * A)]
                    let useMean = meanFrom.map { episode[i] >= $0 } ?? false
                    let a: [Float] = (0..<A).map { j in
                        let z = Float(g.normal())
                        return useMean ? m[m.startIndex + j] : m[m.startIndex + j] + std[j] * z
                    }
                    raw.append(a)
                    logps.append(gaussianLogProb(a, mean: m, logStd: logStd))
                }
            }
            out.inferenceSeconds += seconds(inferenceTime)
            let idx = (0..<M).filter { active[$0] }
            var transitions: [Transition] = []
            let envTime = try clock.measure { transitions = try envs.step(idx, actions: idx.map { raw[$0] }) }
            out.environmentSeconds += seconds(envTime)
            for (k, i) in idx.enumerated() {
                let t = transitions[k]
                out.inputs[i].append(rows[i]); out.actions[i].append(raw[i])
                out.logProbs[i].append(logps[i])
                out.rewards[i].append(t.reward * rewardScale)
                out.observations.append(t.observation)
                out.steps += 1
                prevAction[i] = t.action; prevReward[i] = t.reward; prevDone[i] = t.status.isDone
                if t.status.isDone {
                    let c = envs.cursor(i)!
                    out.episodeReturns[i].append(c.totalReward)
                    out.episodeSuccess[i].append(c.reportsSuccess ? c.succeeded : nil)
                    episode[i] += 1
                    if episode[i] == episodes { active[i] = false } else {
                        envs.reset(i, seed: SeededGenerator.derive(seed, "trial/\(i)/episode/\(episode[i])"))
                    }
                }
            }
        }
        return out
    }
}
