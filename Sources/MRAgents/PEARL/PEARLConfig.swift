/// PEARL hyperparameters, named as in oyster (katerakelly/oyster, `configs/default.py` and the
/// per-environment JSON files) where oyster has the setting.
///
/// `paper` is oyster's: the `point-nav-sparse-*` benchmarks take `configs/sparse-point-robot.json`,
/// `point-nav-v1` takes `configs/point-robot.json`, every other benchmark `configs/cheetah-vel.json`
/// (ML10: latent 7, AGENTS.md). `cpu` scales it for two cores (each departure below); `smoke`
/// learns point navigation in seconds (tests).
///
/// The SAC settings (`sac`, JSON keys at the top level), in oyster's names: hidden sizes of the
/// policy, Q1, Q2 and V (`net_size` 300, three layers); one Adam learning rate for every network
/// and the encoder (`policy_lr`, `qf_lr`, `vf_lr`, `context_lr`: 3e-4); γ (`discount`); τ
/// (`soft_target_tau`: 0.005); `reward_scale` (oyster fixes α = 1, so `autoTemperature` false and
/// `temperature` 1, and weighs the entropy by the reward scale); the policy regulariser
/// (`policy_mean_reg_weight` = `policy_std_reg_weight`: 1e-3); batch rows per task (`batch_size`:
/// 256); replay capacity per task of each of the two buffers (`replay_buffer_size`: 1 000 000).
public struct PEARLConfig: Sendable, Equatable {
    /// The SAC core's settings.
    public var sac: SACSettings
    /// Size of the context variable z (`latent_size`: 5).
    public var latentSize: Int
    /// Hidden sizes of the context encoder (launch_experiment.py: 200, 200, 200).
    public var encoderSizes: [Int]
    /// β, the KL weight (`kl_lambda`).
    public var klWeight: Double
    /// Tasks per gradient step (`meta_batch`: 16).
    public var metaBatch: Int
    /// Transitions per task in the context batch (`embedding_batch_size`).
    public var contextBatchSize: Int
    /// Transitions collected with z from the prior for every train task before training (`num_initial_steps`).
    public var initialSteps: Int
    /// Tasks visited per iteration for data (`num_tasks_sample`).
    public var tasksPerIteration: Int
    /// Per visited task: steps with z from the prior, into both buffers (`num_steps_prior`).
    public var stepsPrior: Int
    /// Steps with z from the posterior, into both buffers (`num_steps_posterior`).
    public var stepsPosterior: Int
    /// Steps with z from the posterior, into the RL buffer only (`num_extra_rl_steps_posterior`).
    public var extraStepsPosterior: Int
    /// Gradient steps per iteration (`num_train_steps_per_itr`).
    public var gradientStepsPerIteration: Int
    /// Meta-test episodes acted with z from the prior before the posterior is used
    /// (oyster's `num_exp_traj_eval`; the issue pins 1: only the first adaptation episode).
    public var priorEpisodes: Int
    /// Run the curve's meta-test every this many iterations (and after the first).
    public var evaluateEvery: Int
    /// Held-out train tasks in each meta-test.
    public var evaluationTasks: Int
    /// Every this-many-th train task (per stratum) is held out of training for the curve's meta-test.
    public var holdOutEvery: Int

    /// oyster `configs/cheetah-vel.json` over `configs/default.py`.
    public static let cheetahVel = PEARLConfig(
        sac: SACSettings(hiddenSizes: [300, 300, 300], learningRate: 3e-4, gamma: 0.99, tau: 0.005, rewardScale: 5, autoTemperature: false,
                         temperature: 1, policyRegularization: 1e-3, batchSize: 256, replayCapacity: 1_000_000),
        latentSize: 5, encoderSizes: [200, 200, 200], klWeight: 0.1, metaBatch: 16, contextBatchSize: 100, initialSteps: 2000,
        tasksPerIteration: 5, stepsPrior: 400, stepsPosterior: 0, extraStepsPosterior: 600, gradientStepsPerIteration: 2000,
        priorEpisodes: 1, evaluateEvery: 5, evaluationTasks: 10, holdOutEvery: 10)

    /// oyster `configs/sparse-point-robot.json` over `configs/default.py`: γ 0.9, reward scale 100,
    /// β 1, context batch 1024, 200 initial steps, 10 tasks × (100 prior + 900 posterior) steps,
    /// 1000 gradient steps. (oyster trains the critic on the dense reward and gives the encoder the
    /// sparse one; mrbench's sparse benchmark exposes only the sparse reward, used for both.)
    public static let sparsePointRobot: PEARLConfig = {
        var c = cheetahVel
        c.sac.gamma = 0.9; c.sac.rewardScale = 100; c.klWeight = 1; c.contextBatchSize = 1024; c.initialSteps = 200
        c.tasksPerIteration = 10; c.stepsPrior = 100; c.stepsPosterior = 900; c.extraStepsPosterior = 0
        c.gradientStepsPerIteration = 1000
        return c
    }()

    /// oyster `configs/point-robot.json`: reward scale 100, 200 initial, 200 prior + 200 extra
    /// posterior steps, 1000 gradient steps, β 0.1, context batch 64.
    public static let pointRobot: PEARLConfig = {
        var c = cheetahVel
        c.sac.rewardScale = 100; c.contextBatchSize = 64; c.initialSteps = 200; c.stepsPrior = 200; c.extraStepsPosterior = 200
        c.gradientStepsPerIteration = 1000
        return c
    }()

    /// The published settings for a benchmark (see the type's comment).
    public static func paper(benchmark: String) -> PEARLConfig {
        var c: PEARLConfig
        if benchmark.hasPrefix("point-nav-sparse") { c = sparsePointRobot }
        else if benchmark.hasPrefix("point-nav") || benchmark.hasPrefix("cube-nav") { c = pointRobot }
        else { c = cheetahVel }
        if isMetaWorld(benchmark) { c.latentSize = 7 }
        return c
    }

    /// Two cores (an iteration takes seconds): nets 2×128 (3×300), encoder 2×128 (3×200),
    /// meta-batch 8 (16), batch 128 (256), context batch at most 128 (sparse: 1024), gradient
    /// steps per iteration a tenth (2000 → 200, 1000 → 100), replay buffers capped (1 M per
    /// task → 2000 navigation, 500 Meta-World (one episode; 450 train tasks), 1000 elsewhere: the
    /// checkpoint holds them; the initial steps are capped at the capacity). Everything else is
    /// `paper`'s.
    public static func cpu(benchmark: String) -> PEARLConfig {
        var c = paper(benchmark: benchmark)
        c.sac.hiddenSizes = [128, 128]; c.encoderSizes = [128, 128]; c.metaBatch = 8; c.sac.batchSize = 128
        c.contextBatchSize = min(c.contextBatchSize, 128); c.gradientStepsPerIteration /= 10
        c.sac.replayCapacity = benchmark.contains("-nav") ? 2000 : isMetaWorld(benchmark) ? 500 : 1000
        c.initialSteps = min(c.initialSteps, c.sac.replayCapacity)
        return c
    }

    /// Seconds on point navigation (tests): nets 2×64, encoder 2×64, lr 1e-3, γ 0.9, reward scale 5,
    /// meta-batch 8 × 64, context 64, 100 prior + 100 extra posterior steps on 5 tasks, 100 gradient
    /// steps per iteration, 1000-row buffers, meta-test every 5 iterations on 10 tasks.
    public static func smoke(benchmark: String) -> PEARLConfig {
        var c = paper(benchmark: benchmark)
        c.sac.hiddenSizes = [64, 64]; c.encoderSizes = [64, 64]; c.sac.learningRate = 1e-3; c.sac.gamma = 0.9; c.sac.rewardScale = 5
        c.klWeight = 0.1; c.metaBatch = 8; c.sac.batchSize = 64; c.contextBatchSize = 64; c.initialSteps = 200
        c.tasksPerIteration = 5; c.stepsPrior = 100; c.stepsPosterior = 0; c.extraStepsPosterior = 100
        c.gradientStepsPerIteration = 100; c.sac.replayCapacity = 1000; c.evaluateEvery = 5; c.evaluationTasks = 10
        return c
    }

    static func isMetaWorld(_ benchmark: String) -> Bool {
        benchmark.hasPrefix("ml10") || benchmark.hasPrefix("ml45") || benchmark.hasPrefix("ml1-")
    }

    public static func preset(_ name: String, benchmark: String) -> PEARLConfig? {
        switch name {
        case "paper": return paper(benchmark: benchmark)
        case "cpu": return cpu(benchmark: benchmark)
        case "smoke": return smoke(benchmark: benchmark)
        default: return nil
        }
    }

    func validate() throws {
        try sac.validate()
        guard latentSize >= 1, encoderSizes.allSatisfy({ $0 > 0 }), klWeight >= 0,
              metaBatch >= 1, contextBatchSize >= 1, initialSteps >= 1, tasksPerIteration >= 1,
              stepsPrior >= 0, stepsPosterior >= 0, extraStepsPosterior >= 0, stepsPrior + stepsPosterior > 0,
              gradientStepsPerIteration >= 1, priorEpisodes >= 0, evaluateEvery >= 1,
              evaluationTasks >= 1, holdOutEvery >= 2
        else { throw TrainingError.configuration("a PEARL setting is out of range: \(self)") }
    }
}

/// One flat JSON object: the SAC settings' keys beside PEARL's own.
extension PEARLConfig: Codable {
    private enum CodingKeys: String, CodingKey {
        case latentSize, encoderSizes, klWeight, metaBatch, contextBatchSize, initialSteps, tasksPerIteration, stepsPrior
        case stepsPosterior, extraStepsPosterior, gradientStepsPerIteration, priorEpisodes, evaluateEvery, evaluationTasks, holdOutEvery
    }

    public init(from decoder: any Decoder) throws {
        sac = try SACSettings(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        latentSize = try c.decode(Int.self, forKey: .latentSize)
        encoderSizes = try c.decode([Int].self, forKey: .encoderSizes)
        klWeight = try c.decode(Double.self, forKey: .klWeight)
        metaBatch = try c.decode(Int.self, forKey: .metaBatch)
        contextBatchSize = try c.decode(Int.self, forKey: .contextBatchSize)
        initialSteps = try c.decode(Int.self, forKey: .initialSteps)
        tasksPerIteration = try c.decode(Int.self, forKey: .tasksPerIteration)
        stepsPrior = try c.decode(Int.self, forKey: .stepsPrior)
        stepsPosterior = try c.decode(Int.self, forKey: .stepsPosterior)
        extraStepsPosterior = try c.decode(Int.self, forKey: .extraStepsPosterior)
        gradientStepsPerIteration = try c.decode(Int.self, forKey: .gradientStepsPerIteration)
        priorEpisodes = try c.decode(Int.self, forKey: .priorEpisodes)
        evaluateEvery = try c.decode(Int.self, forKey: .evaluateEvery)
        evaluationTasks = try c.decode(Int.self, forKey: .evaluationTasks)
        holdOutEvery = try c.decode(Int.self, forKey: .holdOutEvery)
    }

    public func encode(to encoder: any Encoder) throws {
        try sac.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(latentSize, forKey: .latentSize)
        try c.encode(encoderSizes, forKey: .encoderSizes)
        try c.encode(klWeight, forKey: .klWeight)
        try c.encode(metaBatch, forKey: .metaBatch)
        try c.encode(contextBatchSize, forKey: .contextBatchSize)
        try c.encode(initialSteps, forKey: .initialSteps)
        try c.encode(tasksPerIteration, forKey: .tasksPerIteration)
        try c.encode(stepsPrior, forKey: .stepsPrior)
        try c.encode(stepsPosterior, forKey: .stepsPosterior)
        try c.encode(extraStepsPosterior, forKey: .extraStepsPosterior)
        try c.encode(gradientStepsPerIteration, forKey: .gradientStepsPerIteration)
        try c.encode(priorEpisodes, forKey: .priorEpisodes)
        try c.encode(evaluateEvery, forKey: .evaluateEvery)
        try c.encode(evaluationTasks, forKey: .evaluationTasks)
        try c.encode(holdOutEvery, forKey: .holdOutEvery)
    }
}
