import Foundation
import MRCore
import MRNeural

/// PEARL's context encoder and posterior: each transition (s, a, r) goes through an MLP to a
/// Gaussian factor N(μᵢ, σᵢ²) with σᵢ² = softplus(·); the posterior over z is the normalised
/// product of a task's factors (oyster's `_product_of_gaussians`), the prior N(0, I).
struct PEARLEncoder {
    let net: MLP
    let observationSize: Int
    let actionSize: Int
    let latentSize: Int

    init(observationSize: Int, actionSize: Int, config: PEARLConfig) {
        self.observationSize = observationSize; self.actionSize = actionSize; latentSize = config.latentSize
        net = MLP("encoder", sizes: [observationSize + actionSize + 1] + config.encoderSizes + [2 * config.latentSize])
    }

    var contextSize: Int { observationSize + actionSize + 1 }

    /// The context row of a transition: s ⊕ a ⊕ r.
    static func row(_ observation: [Float], _ action: [Float], _ reward: Float) -> [Float] { observation + action + [reward] }

    /// The posterior of each task from its context [T, N, s ⊕ a ⊕ r]: a Gaussian [T, Z].
    func posterior(_ p: Parameters, context: Tensor) -> DiagonalGaussian {
        let T = context.shape[0], N = context.shape[1], Z = latentSize
        let out = net(p, context.reshaped(to: [T * N, contextSize])).reshaped(to: [T, N, 2 * Z])
        let means = out.slice(alongAxis: 2, 0 ..< Z)
        let variances = out.slice(alongAxis: 2, Z ..< 2 * Z).softplus()
        return DiagonalGaussian.product(means: means, variances: variances, alongAxis: 1)
    }

    /// Σ over tasks of KL(posterior ‖ N(0, I)) (oyster's `compute_kl_div` sums over tasks).
    static func klToPrior(_ q: DiagonalGaussian) -> Tensor {
        q.kl(to: DiagonalGaussian(mean: Tensor.zeros(q.mean.shape), logStd: Tensor.zeros(q.mean.shape))).sum()
    }

    /// One z per task: a draw from `posterior` (the [1, Z] prior when nil).
    func sample(_ posterior: DiagonalGaussian?, using g: inout SeededGenerator) -> [Float] {
        guard let posterior else { return (0..<latentSize).map { _ in Float(g.normal()) } }
        return posterior.sample(using: &g).floats
    }
}

/// A trained PEARL policy as a meta-learner. Within a trial: adaptation episode 1 acts with z
/// from the prior (`priorEpisodes` episodes, 1 by default), later adaptation episodes with z drawn
/// at the episode's start from the posterior of every transition collected so far in the trial;
/// evaluation episodes with z drawn from the final posterior (the adaptation episodes' context,
/// frozen). Actions are the policy's mode tanh(μ) in every meta-test episode, as oyster's
/// evaluation (`eval_deterministic`); exploration comes from sampling z, as in posterior
/// sampling. z is sampled (oyster does) rather than set to the posterior mean, so an agent whose
/// posterior is still broad keeps exploring. `adapt` returns the same policy (online adaptation).
public final class PEARLAgent: MetaLearner {
    public static let catalogueName = "pearl"
    static let format = "mrbench-pearl/1"
    public let name = PEARLAgent.catalogueName
    let sac: SAC
    let encoder: PEARLEncoder
    let encoderParams: Parameters
    let priorEpisodes: Int
    /// Test hook: the context's rewards are replaced by 0 (the encoder can no longer identify the task).
    var zeroContextRewards = false
    /// Facts about the checkpoint it came from (nil when built from a live trainer).
    public private(set) var trainingSteps: Int?
    public private(set) var trainingSeed: UInt64?
    public private(set) var benchmark: String?

    init(sac: SAC, encoder: PEARLEncoder, encoderParams: Parameters, priorEpisodes: Int) {
        self.sac = sac; self.encoder = encoder; self.encoderParams = encoderParams; self.priorEpisodes = priorEpisodes
    }

    /// Loads the policy and encoder of a training checkpoint written by `mrbench train --agent pearl`.
    public convenience init(checkpoint path: String) throws {
        try self.init(checkpoint: TrainingCheckpoint.load(path))
    }

    public convenience init(checkpoint ck: Checkpoint) throws {
        let (config, obs, act) = try TrainingCheckpoint.policy(ck, format: Self.format, kind: "a PEARL", config: PEARLConfig.self)
        var g = SeededGenerator(seed: 0)
        var sac = SAC(observationSize: obs, actionSize: act, conditionSize: config.latentSize, settings: config.sac, using: &g)
        sac.policy = try TrainingCheckpoint.parameters(ck, prefix: "sac/policy/", matching: sac.policy)
        let encoder = PEARLEncoder(observationSize: obs, actionSize: act, config: config)
        let ep = try TrainingCheckpoint.parameters(ck, prefix: "encoder/", matching: encoder.net.initialParameters(using: &g))
        self.init(sac: sac, encoder: encoder, encoderParams: ep, priorEpisodes: config.priorEpisodes)
        (trainingSteps, trainingSeed, benchmark) = TrainingCheckpoint.provenance(ck)
    }

    public func explorationPolicy(context: AgentContext, seed: UInt64) throws -> any Policy {
        try TrainingCheckpoint.checkSizes(context, observationSize: encoder.observationSize, actionSize: encoder.actionSize)
        return PEARLPolicy(agent: self, seed: seed)
    }

    public func adapt(_ policy: any Policy, episodes: [Episode]) throws -> any Policy { policy }

    /// The posterior of one task's context rows (nil when there are none).
    func posterior(_ rows: [[Float]]) -> DiagonalGaussian? {
        guard !rows.isEmpty else { return nil }
        let c = Tensor(floats: rows.flatMap { $0 }, shape: [1, rows.count, encoder.contextSize])
        return encoder.posterior(encoderParams, context: c)
    }
}

/// One trial of a PEARL agent (see `PEARLAgent`).
final class PEARLPolicy: Policy {
    let agent: PEARLAgent
    var generator: SeededGenerator
    var context: [[Float]] = []
    var z: [Float]
    var episodes = 0
    var collecting = true

    init(agent: PEARLAgent, seed: UInt64) {
        self.agent = agent
        generator = SeededGenerator(seed: seed)
        z = []
    }

    func beginTrial(seed: UInt64) {
        generator = SeededGenerator(seed: seed)
        context = []; episodes = 0; collecting = true
    }

    func beginEpisode(phase: EpisodePhase) {
        // Evaluation episodes use the adaptation episodes' context only.
        if phase == .evaluation { collecting = false }
        let prior = episodes < agent.priorEpisodes && phase == .adaptation
        z = agent.encoder.sample(prior ? nil : agent.posterior(context), using: &generator)
        episodes += 1
    }

    func act(_ observation: [Float]) -> [Float] {
        if z.isEmpty { z = agent.encoder.sample(nil, using: &generator) }
        let input = Tensor(floats: observation + z, shape: [1, observation.count + z.count])
        return agent.sac.act(input, deterministic: true, using: &generator)[0]
    }

    func observe(_ t: Transition) {
        guard collecting else { return }
        context.append(PEARLEncoder.row(t.observation, t.action, agent.zeroContextRewards ? 0 : Float(t.reward)))
    }
}
