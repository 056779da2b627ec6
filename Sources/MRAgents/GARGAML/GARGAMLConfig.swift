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
public struct GARGAMLConfig: Codable, Sendable, Equatable {
    /// Hidden sizes of the policy, Q1, Q2 and V (ReLU) (HER: 3 × 256).
    public var hiddenSizes: [Int]
    /// Adam learning rate of every network and of log α (HER: 1e-3).
    public var learningRate: Double
    /// HER: 0.98.
    public var gamma: Double
    /// Polyak fraction of V's target per gradient step. HER moves its target by 0.05 once per
    /// cycle of 40 steps; 1 − 0.95^(1/40) ≈ 0.00128 per step is the same pace.
    public var tau: Double
    /// Rewards are multiplied by this in the Bellman target (HER's rewards are −1/0: 1).
    public var rewardScale: Double
    /// Learn α towards the target entropy −|A| (SAC's automatic temperature); `temperature` is the start.
    public var autoTemperature: Bool
    public var temperature: Double
    /// Weight of mean(μ²) and mean(log σ²) in the policy loss (stands in for HER's action L2 penalty).
    public var policyRegularization: Double
    /// Rows per task in every batch (HER: 256).
    public var batchSize: Int
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
    /// Transitions per replay buffer (per task and phase for GARGAML; the one shared buffer of
    /// SAC+HER holds this times the train tasks). HER: 1e6.
    public var replayCapacity: Int
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
        hiddenSizes: [256, 256, 256], learningRate: 1e-3, gamma: 0.98, tau: 0.00128, rewardScale: 1, autoTemperature: true,
        temperature: 0.2, policyRegularization: 1e-3, batchSize: 256, metaBatch: 19, episodesPerTask: 1, gradientStepsPerCycle: 40,
        replayK: 4, normalizerClip: 5, replayCapacity: 1_000_000, innerSteps: 1, innerLearningRate: 1e-3, innerActorLearningRate: 1e-3,
        firstOrder: false, randomCycles: 0, strata: [], evaluateEvery: 10, evaluationTasks: 10, holdOutEvery: 10)

    /// Two cores: nets 3×128 (3×256), meta-batch 4 tasks (19), replay 10⁵ transitions (10⁶),
    /// τ 0.005 per step (the faster pace suits the fewer cycles of a short run), meta-test every
    /// 10 cycles on 5 held-out tasks. Everything else is `paper`'s.
    public static let cpu: GARGAMLConfig = {
        var c = paper
        c.hiddenSizes = [128, 128, 128]; c.metaBatch = 4; c.replayCapacity = 100_000; c.tau = 0.005; c.evaluationTasks = 5
        return c
    }()

    /// Seconds to a minute: nets 2×64, batch 128, meta-batch 2, 20 gradient steps per cycle,
    /// τ 0.01, one random cycle, meta-test every 5 cycles on 5 tasks.
    public static let smoke: GARGAMLConfig = {
        var c = paper
        c.hiddenSizes = [64, 64]; c.batchSize = 128; c.metaBatch = 2; c.gradientStepsPerCycle = 20; c.tau = 0.01
        c.replayCapacity = 50_000; c.randomCycles = 1; c.evaluateEvery = 5; c.evaluationTasks = 5
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
        func need(_ ok: Bool, _ m: String) throws { if !ok { throw TrainingError.configuration(m) } }
        try need(!hiddenSizes.isEmpty && hiddenSizes.allSatisfy { $0 > 0 }, "hiddenSizes must be positive")
        try need(learningRate > 0 && gamma > 0 && gamma <= 1 && tau > 0 && tau <= 1, "learningRate > 0, 0 < gamma ≤ 1, 0 < tau ≤ 1")
        try need(temperature > 0, "temperature must be positive")
        try need(batchSize >= 1 && metaBatch >= 1 && episodesPerTask >= 1 && gradientStepsPerCycle >= 1, "batch, meta-batch, episodes and gradient steps must be positive")
        try need(replayK >= 0 && normalizerClip > 0 && replayCapacity >= 1, "replayK ≥ 0, normalizerClip > 0, replayCapacity ≥ 1")
        try need(innerSteps >= 1 && innerLearningRate > 0 && innerActorLearningRate >= 0, "innerSteps ≥ 1, innerLearningRate > 0, innerActorLearningRate ≥ 0")
        try need(randomCycles >= 0 && evaluateEvery >= 1 && evaluationTasks >= 1 && holdOutEvery >= 2, "randomCycles ≥ 0, evaluateEvery ≥ 1, evaluationTasks ≥ 1, holdOutEvery ≥ 2")
    }
}

extension GARGAMLConfig: SACConfigured {}
