/// MAML hyperparameters (Finn et al. 2017, TRPO outer loop), pinned per benchmark family to the
/// published code (AGENTS.md):
///
/// - navigation (`point-nav-*`, `cube-nav-*`): pytorch-maml-rl `configs/maml/2d-navigation.yaml`
///   (tristandeleu/pytorch-maml-rl, HEAD of the stored mirror): 2×64 tanh, fast lr 0.1, 1 inner
///   step, 20 episodes per task, meta-batch 20, max KL 1e-2, 10 CG iterations, damping 1e-5, line
///   search 15 × 0.8, γ 0.99, λ 1.0, 500 outer iterations.
/// - locomotion (`half-cheetah-*`, `ant-*`): pytorch-maml-rl
///   `configs/maml/halfcheetah-vel.yaml` and `halfcheetah-dir.yaml` (identical apart from the
///   task): as navigation but meta-batch 40.
/// - Meta-World (`ml10-*`, `ml1-*`, `ml45-*`): Meta-World+'s `examples/meta_learning/maml_trpo_ml10.py`
///   (rainx0r/metaworld-algorithms, commit 30c9991): 2×512 tanh, Xavier-uniform weights, zero
///   biases, state-independent log σ (initial 0, floor log 1e-6, no tanh squashing), fast lr 0.1
///   (`MAMLTRPOConfig.policy_inner_lr`), 1 inner step, 10 episodes per task (`rollouts_per_task`),
///   meta-batch 20, δ 0.01, 10 CG iterations, damping 1e-5 (in its `hvp`), backtracking 15 × 0.8,
///   γ 0.99, λ 1.0, 20 M environment steps (2 M × 10 tasks).
///
/// pytorch-maml-rl's policy (`NormalMLPPolicy`) also uses Xavier-uniform weights, zero biases and
/// a state-independent log σ starting at log 1.0 with floor log 1e-6, so all presets share them.
/// `cpu` departs from `paper` only in scale (named on each preset); `smoke` is for tests.
public struct MAMLConfig: Codable, Sendable, Equatable {
    /// Hidden layer widths of the tanh Gaussian MLP policy.
    public var hiddenSizes: [Int]
    /// α, the inner (fast) learning rate of the policy-gradient step.
    public var innerLearningRate: Double
    /// Inner gradient steps at meta-test (`adapt`), all on the K adaptation episodes. Training
    /// always takes one (the published settings).
    public var metaTestInnerSteps: Int
    /// Episodes per task and phase: the inner step's data and the outer loss's data.
    public var episodesPerTask: Int
    /// Tasks per outer iteration.
    public var metaBatch: Int
    /// TRPO's δ.
    public var maxKL: Double
    public var cgIterations: Int
    public var cgDamping: Double
    public var lineSearchSteps: Int
    public var backtrackRatio: Double
    public var gamma: Double
    /// GAE λ (1.0: Monte Carlo returns minus the baseline).
    public var lambda: Double
    /// Initial log σ.
    public var initialLogStd: Double
    /// FOMAML: the inner gradient is treated as a constant (no second-order term). The shipped
    /// runs are second order (false).
    public var firstOrder: Bool
    /// Run the curve's meta-test every this many iterations (and after the first).
    public var evaluateEvery: Int
    /// Held-out train tasks in each meta-test.
    public var evaluationTasks: Int
    /// Every this-many-th train task (per stratum) is held out of training for the curve's meta-test.
    public var holdOutEvery: Int

    /// The trust-region part.
    var trustRegion: TrustRegionSettings {
        TrustRegionSettings(maxKL: maxKL, damping: cgDamping, cgIterations: cgIterations,
                            lineSearchSteps: lineSearchSteps, backtrackRatio: backtrackRatio)
    }

    /// pytorch-maml-rl `2d-navigation.yaml` (see the type's comment).
    public static let navigationPaper = MAMLConfig(
        hiddenSizes: [64, 64], innerLearningRate: 0.1, metaTestInnerSteps: 1, episodesPerTask: 20, metaBatch: 20,
        maxKL: 1e-2, cgIterations: 10, cgDamping: 1e-5, lineSearchSteps: 15, backtrackRatio: 0.8, gamma: 0.99, lambda: 1.0,
        initialLogStd: 0, firstOrder: false, evaluateEvery: 10, evaluationTasks: 20, holdOutEvery: 10)

    /// pytorch-maml-rl `halfcheetah-vel.yaml` / `halfcheetah-dir.yaml`: meta-batch 40.
    public static let locomotionPaper: MAMLConfig = {
        var c = navigationPaper
        c.metaBatch = 40
        return c
    }()

    /// Meta-World+ `maml_trpo_ml10.py`: 2×512, meta-batch 20, 10 episodes per task.
    public static let metaWorldPaper: MAMLConfig = {
        var c = navigationPaper
        c.hiddenSizes = [512, 512]; c.metaBatch = 20; c.episodesPerTask = 10
        return c
    }()

    /// The preset family of a benchmark id. Benchmarks without published MAML settings (Fetch,
    /// pendulum) take the navigation ones (`other`).
    enum Family: String { case navigation, locomotion, metaWorld, other }

    static func family(of benchmark: String) -> Family {
        if benchmark.hasPrefix("point-nav") || benchmark.hasPrefix("cube-nav") { return .navigation }
        if benchmark.hasPrefix("half-cheetah") || benchmark.hasPrefix("ant-") { return .locomotion }
        if benchmark.hasPrefix("ml1-") || benchmark.hasPrefix("ml10-") || benchmark.hasPrefix("ml45-") { return .metaWorld }
        return .other
    }

    /// `paper`, `cpu` or `smoke` for a benchmark.
    ///
    /// - `paper`: the published settings of the benchmark's family.
    /// - `cpu` (shipped runs, ~2 h on 2 cores): navigation and locomotion take 10 episodes per task
    ///   instead of 20 and meta-batch 20 instead of 20/40 (locomotion); Meta-World takes 2×128
    ///   instead of 2×512 and meta-batch 10 instead of 20 (one task per ML10 train family).
    /// - `smoke` (tests; point-nav learns in well under a minute): 2×32, meta-batch 10, 10
    ///   episodes per task, δ 0.05 (five times the published trust region, so a few iterations move
    ///   the policy measurably), meta-test every 5 iterations on 10 tasks.
    public static func preset(_ name: String, benchmark: String) -> MAMLConfig? {
        let family = family(of: benchmark)
        let paper: MAMLConfig
        switch family {
        case .navigation, .other: paper = navigationPaper
        case .locomotion: paper = locomotionPaper
        case .metaWorld: paper = metaWorldPaper
        }
        switch name {
        case "paper": return paper
        case "cpu":
            var c = paper
            switch family {
            case .navigation, .locomotion, .other: c.episodesPerTask = 10; c.metaBatch = 20
            case .metaWorld: c.hiddenSizes = [128, 128]; c.metaBatch = 10
            }
            return c
        case "smoke":
            var c = paper
            c.hiddenSizes = [32, 32]; c.metaBatch = 10; c.episodesPerTask = 10; c.maxKL = 0.05
            c.evaluateEvery = 5; c.evaluationTasks = 10
            return c
        default: return nil
        }
    }

    func validate() throws {
        guard hiddenSizes.allSatisfy({ $0 > 0 }), innerLearningRate >= 0, metaTestInnerSteps >= 0, episodesPerTask >= 1, metaBatch >= 1,
              maxKL > 0, cgIterations >= 1, cgDamping >= 0, lineSearchSteps >= 1, backtrackRatio > 0, backtrackRatio < 1,
              (0...1).contains(gamma), (0...1).contains(lambda), evaluateEvery >= 1, evaluationTasks >= 1, holdOutEvery >= 2
        else { throw TrainingError.configuration("a MAML setting is out of range: \(self)") }
    }
}
