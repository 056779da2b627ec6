/// RL² hyperparameters. The `paper` preset is AGENTS.md's pin (Meta-World+'s `rl2_ml10`); `cpu`
/// scales it for two cores; `smoke` learns the point-navigation task in seconds (tests).
public struct RL2Config: Codable, Sendable, Equatable, OptionalConfigKeys {
    /// Sizes of the tanh encoder in front of the GRU.
    public var encoderSizes: [Int]
    /// GRU state size.
    public var gruSize: Int
    /// Adam learning rate.
    public var learningRate: Double
    /// Global gradient-norm clip.
    public var maxGradNorm: Double
    /// PPO epochs over each batch.
    public var epochs: Int
    /// Minibatches of trials per epoch (1: the whole batch).
    public var minibatches: Int
    /// PPO ratio clip ε.
    public var clip: Double
    public var gamma: Double
    /// GAE λ.
    public var lambda: Double
    public var entropyCoefficient: Double
    /// Tasks (trials) per iteration.
    public var metaBatch: Int
    /// Episodes per training trial; nil: the benchmark's K + E, so training trials are as long as
    /// meta-test trials.
    public var episodesPerTrial: Int?
    /// Initial log σ of the Gaussian policy (state-independent).
    public var initialLogStd: Double
    /// Running normalisation of observations (clipped at ±10).
    public var normalizeObservations: Bool
    /// Truncated BPTT length (nil: through the whole trial).
    public var truncation: Int?
    /// Run the curve's meta-test every this many iterations (and after the first).
    public var evaluateEvery: Int
    /// Held-out train tasks in each meta-test.
    public var evaluationTasks: Int
    /// Every this-many-th train task (per stratum) is held out of training for the curve's meta-test.
    public var holdOutEvery: Int

    public static let optionalKeys = ["episodesPerTrial", "truncation"]

    /// AGENTS.md: GRU 256 behind a 2×256 tanh encoder; Adam 5e-4, clip 1.0; 10 epochs, ε 0.2,
    /// γ 0.99, λ 0.95, entropy 5e-3; meta-batch 20 tasks × 10 episodes.
    public static let paper = RL2Config(
        encoderSizes: [256, 256], gruSize: 256, learningRate: 5e-4, maxGradNorm: 1.0, epochs: 10, minibatches: 1,
        clip: 0.2, gamma: 0.99, lambda: 0.95, entropyCoefficient: 5e-3, metaBatch: 20,
        episodesPerTrial: 10, initialLogStd: 0, normalizeObservations: false, truncation: nil,
        evaluateEvery: 10, evaluationTasks: 20, holdOutEvery: 10)

    /// Two cores: GRU 128 behind 2×128, 5 epochs (AGENTS.md allows both), meta-batch 10.
    public static let cpu: RL2Config = {
        var c = paper
        c.encoderSizes = [128, 128]; c.gruSize = 128; c.epochs = 5; c.metaBatch = 10; c.episodesPerTrial = nil
        return c
    }()

    /// Seconds on the point-navigation task: a small net, a larger learning rate, short batches.
    public static let smoke: RL2Config = {
        var c = paper
        c.encoderSizes = [32]; c.gruSize = 32; c.learningRate = 3e-3; c.epochs = 8; c.minibatches = 4; c.metaBatch = 16
        c.episodesPerTrial = nil; c.initialLogStd = -0.5; c.evaluateEvery = 5; c.evaluationTasks = 10
        return c
    }()

    public static func preset(_ name: String) -> RL2Config? {
        ["paper": paper, "cpu": cpu, "smoke": smoke][name]
    }

    func validate() throws {
        guard encoderSizes.allSatisfy({ $0 > 0 }), gruSize > 0, learningRate > 0, maxGradNorm > 0, epochs >= 1, minibatches >= 1,
              clip > 0, (0...1).contains(gamma), (0...1).contains(lambda), metaBatch >= 1, evaluateEvery >= 1, evaluationTasks >= 1,
              holdOutEvery >= 2, episodesPerTrial.map({ $0 >= 1 }) ?? true, truncation.map({ $0 >= 1 }) ?? true
        else { throw TrainingError.configuration("an RL² setting is out of range: \(self)") }
        guard minibatches <= metaBatch else { throw TrainingError.configuration("minibatches (\(minibatches)) exceeds metaBatch (\(metaBatch))") }
    }
}
