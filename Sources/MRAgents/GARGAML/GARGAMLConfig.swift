/// Hyperparameters of GARGAML and of the multi-task SAC+HER comparison (one config type: SAC+HER
/// ignores the inner-loop fields).
///
/// `paper` is HER's published setting (Plappert et al. 2018, "Multi-goal reinforcement learning",
/// §2 and appendix; OpenAI baselines `her/experiment/config.py`) with SAC in place of DDPG, as
/// AGENTS.md pins it: 3×256 nets, Adam 1e-3, buffer 1e6 transitions, batch 256, polyak 0.95 per
/// cycle, γ 0.98, 'future' k = 4, normalisation clipped at 5, 40 gradient steps per cycle, 19
/// workers × 2 episodes per cycle (here: 19 tasks, one pre-update and one post-update episode
/// each). The inner loop's step size, step count and the meta-batch are GARGAML's own choices,
/// named below. `cpu` scales it for two cores; `smoke` learns in seconds (tests).
///
/// The SAC settings (`sac`, JSON keys at the top level): hidden sizes of the policy, Q1, Q2 and V
/// (HER: 3 × 256); one Adam learning rate for every network and log α (HER: 1e-3); γ (HER: 0.98);
/// τ per gradient step (HER moves its target by 0.05 once per cycle of 40 steps; 1 − 0.95^(1/40) ≈
/// 0.00128 per step is the same pace); reward scale 1 (HER's rewards are −1/0); α learned towards
/// −|A| from 0.2; the policy regulariser 1e-3 stands in for HER's action L2 penalty; batch rows
/// per task (HER: 256); replay capacity (HER: 1e6) per task and phase for GARGAML, while the one
/// shared buffer of SAC+HER holds it times the train tasks.
public struct GARGAMLConfig: Sendable, Equatable {
    /// The SAC core's settings.
    public var sac: SACSettings
    /// Train tasks visited per cycle (GARGAML's meta-batch; HER: 19 workers).
    public var metaBatch: Int
    /// Episodes per visited task and phase (GARGAML: pre-update, then post-update; SAC+HER collects
    /// both phases' episodes with its one policy, so both learners take the same environment steps).
    public var episodesPerTask: Int
    /// Gradient steps per cycle (HER: 40). GARGAML's outer updates and SAC+HER's updates are
    /// counted alike, so both take the same number of gradient updates.
    public var gradientStepsPerCycle: Int
    /// HER 'future' relabelling: k relabelled goals per original (probability 1 − 1/(1 + k)).
    public var replayK: Int
    /// Normalised inputs are clipped at ± this (HER: 5).
    public var normalizerClip: Double
    /// k: inner critic updates per task (GARGAML).
    public var innerSteps: Int
    /// Step size of the inner critic updates (plain gradient steps, as MAML's inner loop).
    public var innerLearningRate: Double
    /// Step size of the actor's gradient steps against the adapted critic after each inner
    /// critic update (the actor is not meta-learned; this is how adapted critics reach the actions
    /// of the post-update roll-outs and of the evaluation episodes). 0: the actor does not adapt.
    public var innerActorLearningRate: Double
    /// Drop the second-order term of the critic meta-gradient (first-order MAML).
    public var firstOrder: Bool
    /// Random actions in the first cycle's episodes (0: none).
    public var randomCycles: Int
    /// Only train tasks with these labels ("reach", "push"…); empty: every train task.
    public var strata: [String]
    /// Run the curve's meta-test every this many cycles (and after the first).
    public var evaluateEvery: Int
    /// Held-out train tasks (trials, for a one-task split) in each meta-test.
    public var evaluationTasks: Int
    /// Every this-many-th train task (per stratum) is held out of training for the curve's meta-test.
    public var holdOutEvery: Int

    /// HER's published settings with SAC (see the type's comment); inner loop: k = 1 step of
    /// size 1e-3 for the critic and 1e-3 for the actor; meta-batch 19.
    public static let paper = GARGAMLConfig(
        sac: SACSettings(hiddenSizes: [256, 256, 256], learningRate: 1e-3, gamma: 0.98, tau: 0.00128, rewardScale: 1, autoTemperature: true,
                         temperature: 0.2, policyRegularization: 1e-3, batchSize: 256, replayCapacity: 1_000_000),
        metaBatch: 19, episodesPerTask: 1, gradientStepsPerCycle: 40, replayK: 4, normalizerClip: 5, innerSteps: 1,
        innerLearningRate: 1e-3, innerActorLearningRate: 1e-3, firstOrder: false, randomCycles: 0, strata: [], evaluateEvery: 10,
        evaluationTasks: 10, holdOutEvery: 10)

    /// Two cores: nets 3×128 (3×256), meta-batch 4 tasks (19), replay 10⁵ transitions (10⁶),
    /// τ 0.005 per step (the faster pace suits the fewer cycles of a short run), meta-test every
    /// 10 cycles on 5 held-out tasks. Everything else is `paper`'s.
    public static let cpu: GARGAMLConfig = {
        var c = paper
        c.sac.hiddenSizes = [128, 128, 128]; c.metaBatch = 4; c.sac.replayCapacity = 100_000; c.sac.tau = 0.005; c.evaluationTasks = 5
        return c
    }()

    /// Seconds to a minute: nets 2×64, batch 128, meta-batch 2, 20 gradient steps per cycle,
    /// τ 0.01, one random cycle, meta-test every 5 cycles on 5 tasks.
    public static let smoke: GARGAMLConfig = {
        var c = paper
        c.sac.hiddenSizes = [64, 64]; c.sac.batchSize = 128; c.metaBatch = 2; c.gradientStepsPerCycle = 20; c.sac.tau = 0.01
        c.sac.replayCapacity = 50_000; c.randomCycles = 1; c.evaluateEvery = 5; c.evaluationTasks = 5
        return c
    }()

    public static func preset(_ name: String) -> GARGAMLConfig? {
        switch name {
        case "smoke": return smoke
        case "cpu": return cpu
        case "paper": return paper
        default: return nil
        }
    }

    func validate() throws {
        try sac.validate()
        func need(_ ok: Bool, _ m: String) throws { if !ok { throw TrainingError.configuration(m) } }
        try need(metaBatch >= 1 && episodesPerTask >= 1 && gradientStepsPerCycle >= 1, "meta-batch, episodes and gradient steps must be positive")
        try need(replayK >= 0 && normalizerClip > 0, "replayK ≥ 0, normalizerClip > 0")
        try need(innerSteps >= 1 && innerLearningRate > 0 && innerActorLearningRate >= 0, "innerSteps ≥ 1, innerLearningRate > 0, innerActorLearningRate ≥ 0")
        try need(randomCycles >= 0 && evaluateEvery >= 1 && evaluationTasks >= 1 && holdOutEvery >= 2, "randomCycles ≥ 0, evaluateEvery ≥ 1, evaluationTasks ≥ 1, holdOutEvery ≥ 2")
    }
}

/// One flat JSON object: the SAC settings' keys beside GARGAML's own.
extension GARGAMLConfig: Codable {
    private enum CodingKeys: String, CodingKey {
        case metaBatch, episodesPerTask, gradientStepsPerCycle, replayK, normalizerClip, innerSteps, innerLearningRate
        case innerActorLearningRate, firstOrder, randomCycles, strata, evaluateEvery, evaluationTasks, holdOutEvery
    }

    public init(from decoder: any Decoder) throws {
        sac = try SACSettings(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metaBatch = try c.decode(Int.self, forKey: .metaBatch)
        episodesPerTask = try c.decode(Int.self, forKey: .episodesPerTask)
        gradientStepsPerCycle = try c.decode(Int.self, forKey: .gradientStepsPerCycle)
        replayK = try c.decode(Int.self, forKey: .replayK)
        normalizerClip = try c.decode(Double.self, forKey: .normalizerClip)
        innerSteps = try c.decode(Int.self, forKey: .innerSteps)
        innerLearningRate = try c.decode(Double.self, forKey: .innerLearningRate)
        innerActorLearningRate = try c.decode(Double.self, forKey: .innerActorLearningRate)
        firstOrder = try c.decode(Bool.self, forKey: .firstOrder)
        randomCycles = try c.decode(Int.self, forKey: .randomCycles)
        strata = try c.decode([String].self, forKey: .strata)
        evaluateEvery = try c.decode(Int.self, forKey: .evaluateEvery)
        evaluationTasks = try c.decode(Int.self, forKey: .evaluationTasks)
        holdOutEvery = try c.decode(Int.self, forKey: .holdOutEvery)
    }

    public func encode(to encoder: any Encoder) throws {
        try sac.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(metaBatch, forKey: .metaBatch)
        try c.encode(episodesPerTask, forKey: .episodesPerTask)
        try c.encode(gradientStepsPerCycle, forKey: .gradientStepsPerCycle)
        try c.encode(replayK, forKey: .replayK)
        try c.encode(normalizerClip, forKey: .normalizerClip)
        try c.encode(innerSteps, forKey: .innerSteps)
        try c.encode(innerLearningRate, forKey: .innerLearningRate)
        try c.encode(innerActorLearningRate, forKey: .innerActorLearningRate)
        try c.encode(firstOrder, forKey: .firstOrder)
        try c.encode(randomCycles, forKey: .randomCycles)
        try c.encode(strata, forKey: .strata)
        try c.encode(evaluateEvery, forKey: .evaluateEvery)
        try c.encode(evaluationTasks, forKey: .evaluationTasks)
        try c.encode(holdOutEvery, forKey: .holdOutEvery)
    }
}
