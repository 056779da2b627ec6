import Foundation
import MRCore
import MRNeural

/// Which learner: GARGAML (critic meta-learned through the inner updates) or the multi-task
/// SAC+HER comparison (one shared buffer, no adaptation).
public enum GoalLearnerVariant: String, Codable, Sendable, CaseIterable {
    case gargaml
    case sacHER = "sac-her"
}

/// A trained GARGAML or SAC+HER policy as a meta-learner. Adaptation episodes act with the
/// meta-parameters, actions sampled (exploration). GARGAML then adapts as in training: k inner
/// critic steps, each followed by an actor step against the adapted critic, on batches drawn
/// from the K adaptation episodes. The scorer does not hand agents the goal-reward function, so
/// these episodes are used as recorded (their own goals and rewards, no relabelling). SAC+HER
/// does not adapt. Evaluation episodes act with the mode tanh(μ) of the (adapted) policy.
public final class GARGAMLAgent: MetaLearner {
    public let name: String
    static let format = "mrbench-gargaml/1"
    let variant: GoalLearnerVariant
    let sac: SAC
    let normalizer: GoalInputNormalizer
    let config: GARGAMLConfig
    public private(set) var trainingSteps: Int?
    public private(set) var trainingSeed: UInt64?
    public private(set) var benchmark: String?

    init(variant: GoalLearnerVariant, sac: SAC, normalizer: GoalInputNormalizer, config: GARGAMLConfig) {
        self.variant = variant; name = variant.rawValue; self.sac = sac; self.normalizer = normalizer; self.config = config
    }

    /// Loads a checkpoint of `mrbench train --agent gargaml` or `--agent sac-her`; `expected`
    /// refuses the other learner's checkpoint.
    public convenience init(checkpoint path: String, expected: GoalLearnerVariant) throws {
        try self.init(checkpoint: TrainingCheckpoint.load(path), expected: expected)
    }

    public convenience init(checkpoint ck: Checkpoint, expected: GoalLearnerVariant) throws {
        let (config, obs, act) = try TrainingCheckpoint.policy(ck, format: Self.format, kind: "a GARGAML or SAC+HER", config: GARGAMLConfig.self)
        guard let v = ck.metadata["agent"].flatMap(GoalLearnerVariant.init(rawValue:)), v == expected else {
            throw TrainingError.checkpoint("a checkpoint of \(ck.metadata["agent"] ?? "?"), not of \(expected.rawValue)")
        }
        var g = SeededGenerator(seed: 0)
        var sac = SAC(observationSize: obs, actionSize: act, conditionSize: 0, settings: config.sac, using: &g)
        sac.policy = try TrainingCheckpoint.parameters(ck, prefix: "sac/policy/", matching: sac.policy)
        sac.critics = try TrainingCheckpoint.parameters(ck, prefix: "sac/critics/", matching: sac.critics)
        sac.valueTarget = try TrainingCheckpoint.parameters(ck, prefix: "sac/target/", matching: sac.valueTarget)
        sac.logAlpha = try TrainingCheckpoint.parameters(ck, prefix: "sac/alpha/", matching: sac.logAlpha)
        let goal: GoalRewardFunction? = try Self.goalRanges(ck).map { GoalRewardFunction(achievedGoal: $0.achieved, desiredGoal: $0.desired) { _, _ in 0 } }
        var n = GoalInputNormalizer(observationSize: obs, goalReward: goal, clip: config.normalizerClip)
        try n.restore(ck.parameters, prefix: "normalizer/")
        self.init(variant: v, sac: sac, normalizer: n, config: config)
        (trainingSteps, trainingSeed, benchmark) = TrainingCheckpoint.provenance(ck)
    }

    /// The goal fields the normaliser treats apart, as the checkpoint records them.
    static func goalRanges(_ ck: Checkpoint) throws -> (achieved: Range<Int>, desired: Range<Int>)? {
        guard let a = ck.metadata["achievedGoal"], let d = ck.metadata["desiredGoal"] else { return nil }
        func range(_ s: String) throws -> Range<Int> {
            let p = s.split(separator: "-").compactMap { Int($0) }
            guard p.count == 2, p[0] >= 0, p[0] <= p[1] else { throw TrainingError.checkpoint("bad goal range \(s)") }
            return p[0]..<p[1]
        }
        return (try range(a), try range(d))
    }

    public func explorationPolicy(context: AgentContext, seed: UInt64) throws -> any Policy {
        try TrainingCheckpoint.checkSizes(context, observationSize: sac.observationSize, actionSize: sac.actionSize)
        return GoalPolicy(agent: self, policy: sac.policy, seed: seed)
    }

    public func adapt(_ policy: any Policy, episodes: [Episode]) throws -> any Policy {
        guard let p = policy as? GoalPolicy else { return policy }
        let done = episodes.filter { !$0.transitions.isEmpty }
        guard variant == .gargaml, !done.isEmpty else { return p }
        var g = p.generator
        let adapted = adaptedPolicy(done.map { HindsightEpisode($0.transitions) }, using: &g)
        return GoalPolicy(agent: self, policy: adapted, generator: g)
    }

    /// GARGAML's inner loop on `episodes` (as recorded): k batches of `batchSize` rows.
    func adaptedPolicy(_ episodes: [HindsightEpisode], using g: inout SeededGenerator) -> Parameters {
        let sampler = HindsightSampler(goalReward: nil, replayK: 0)
        let pre = (0..<config.innerSteps).map { _ in normalizer.batch(sampler.sample(config.sac.batchSize, from: episodes, using: &g).batch) }
        let objective = CriticMetaObjective(sac: sac, innerLearningRate: config.innerLearningRate,
                                            innerActorLearningRate: config.innerActorLearningRate, firstOrder: true)
        return objective.adapt(on: pre, using: &g).policy
    }

    /// Actions of the policy `p` for raw observations (normalised here).
    func act(_ p: Parameters, _ observations: [[Float]], deterministic: Bool, using g: inout SeededGenerator) -> [[Float]] {
        let O = sac.observationSize, A = sac.actionSize
        let x = Tensor(floats: observations.flatMap { normalizer.normalize($0[...]) }, shape: [observations.count, O])
        let d = sac.distribution(p, x).dist
        let a = (deterministic ? d.mode : d.sample(using: &g).action).floats
        return (0..<observations.count).map { Array(a[($0 * A)..<(($0 + 1) * A)]) }
    }
}

/// One trial of a GARGAML or SAC+HER agent: samples actions in adaptation episodes, acts with the
/// mode in evaluation episodes.
final class GoalPolicy: Policy {
    let agent: GARGAMLAgent
    let policy: Parameters
    var generator: SeededGenerator
    var deterministic = false

    init(agent: GARGAMLAgent, policy: Parameters, seed: UInt64) {
        self.agent = agent; self.policy = policy; generator = SeededGenerator(seed: seed)
    }

    init(agent: GARGAMLAgent, policy: Parameters, generator: SeededGenerator) {
        self.agent = agent; self.policy = policy; self.generator = generator
    }

    func beginTrial(seed: UInt64) { generator = SeededGenerator(seed: seed) }
    func beginEpisode(phase: EpisodePhase) { deterministic = phase == .evaluation }
    func act(_ observation: [Float]) -> [Float] { agent.act(policy, [observation], deterministic: deterministic, using: &generator)[0] }
    func observe(_ t: Transition) {}
}
