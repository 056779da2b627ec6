import Foundation
import MRCore
import MRNeural

/// A trained MAML policy as a meta-learner. The exploration policy is θ with sampled actions; `adapt`
/// takes the config's `metaTestInnerSteps` policy-gradient steps (fast lr α) on the K adaptation
/// episodes (advantages against a linear baseline fitted to them, as in training) and returns the
/// policy at θ′, which acts with its **mean** in the evaluation episodes: Meta-World+'s evaluation
/// does (`eval_action` is the mode), RL²'s agent here does too, and the scored return then measures
/// the adapted policy rather than its exploration noise.
public final class MAMLAgent: MetaLearner {
    public static let catalogueName = "maml"
    static let format = "mrbench-maml/1"
    public let name = MAMLAgent.catalogueName
    let net: MAMLNetwork
    let params: Parameters
    let config: MAMLConfig
    /// Facts about the checkpoint it came from (nil when built from a live trainer).
    public private(set) var trainingSteps: Int?
    public private(set) var trainingSeed: UInt64?
    public private(set) var benchmark: String?

    init(net: MAMLNetwork, params: Parameters, config: MAMLConfig) {
        self.net = net; self.params = params; self.config = config
    }

    /// Loads the policy of a training checkpoint written by `mrbench train --agent maml`.
    public convenience init(checkpoint path: String) throws {
        try self.init(checkpoint: TrainingCheckpoint.load(path))
    }

    public convenience init(checkpoint ck: Checkpoint) throws {
        let (config, obs, act) = try TrainingCheckpoint.policy(ck, format: Self.format, kind: "a MAML", config: MAMLConfig.self)
        let net = MAMLNetwork(observationSize: obs, actionSize: act, hiddenSizes: config.hiddenSizes)
        var g = SeededGenerator(seed: 0)
        let params = try TrainingCheckpoint.parameters(ck, prefix: "policy/", matching: net.initialParameters(initialLogStd: 0, using: &g))
        self.init(net: net, params: params, config: config)
        (trainingSteps, trainingSeed, benchmark) = TrainingCheckpoint.provenance(ck)
    }

    public func explorationPolicy(context: AgentContext, seed: UInt64) throws -> any Policy {
        try TrainingCheckpoint.checkSizes(context, observationSize: net.observationSize, actionSize: net.actionSize)
        return MAMLPolicy(net: net, params: params, seed: seed)
    }

    /// The inner step(s) on the adaptation episodes. The loss uses the unclipped actions the
    /// exploration policy sampled (as in training) when `policy` is this agent's and recorded them;
    /// otherwise the transitions' (clipped) actions.
    public func adapt(_ policy: any Policy, episodes: [Episode]) throws -> any Policy {
        let episodes = episodes.filter { !$0.transitions.isEmpty }
        let explorer = policy as? MAMLPolicy
        guard !episodes.isEmpty else { return MAMLPolicy(net: net, params: params, seed: explorer?.seed ?? 0, adapted: true) }
        let recorded = explorer?.recordedActions ?? []
        let raw = recorded.count == episodes.count && zip(recorded, episodes).allSatisfy { $0.count == $1.transitions.count }
        let data = episodes.enumerated().map { k, e in
            (observations: e.transitions.map(\.observation), actions: raw ? recorded[k] : e.transitions.map(\.action),
             rewards: e.transitions.map(\.reward))
        }
        let batch = PolicyGradientBatch(episodes: data, gamma: config.gamma, lambda: config.lambda)
        let objective = MAMLObjective(net: net, tasks: [], innerLearningRate: config.innerLearningRate, firstOrder: config.firstOrder)
        let adapted = objective.adapted(params, on: batch, steps: config.metaTestInnerSteps, createGraph: false)
        guard adapted.isFinite else { throw TrainingError.diverged("the adapted parameters are not finite") }
        return MAMLPolicy(net: net, params: adapted, seed: SeededGenerator.derive(explorer?.seed ?? 0, "adapted"), adapted: true)
    }
}

/// The MAML policy at one parameter set: samples in adaptation episodes (recording the unclipped
/// actions for `adapt`), acts with the mean in evaluation episodes. Actions are clipped to [−1, 1].
final class MAMLPolicy: Policy {
    let net: MAMLNetwork
    let params: Parameters
    let std: [Double]
    let adapted: Bool
    private(set) var seed: UInt64
    var generator: SeededGenerator
    var useMean = false
    /// Unclipped sampled actions of each adaptation episode of the trial.
    private(set) var recordedActions: [[[Float]]] = []
    private var recording = false

    init(net: MAMLNetwork, params: Parameters, seed: UInt64, adapted: Bool = false) {
        self.net = net; self.params = params; self.seed = seed; self.adapted = adapted
        generator = SeededGenerator(seed: seed)
        std = params["logStd"].doubles.map { Foundation.exp(max($0, MAMLNetwork.minLogStd)) }
    }

    func beginTrial(seed: UInt64) {
        self.seed = seed
        generator = SeededGenerator(seed: seed)
        recordedActions = []
    }

    func beginEpisode(phase: EpisodePhase) {
        useMean = phase == .evaluation
        recording = phase == .adaptation && !adapted
        if recording { recordedActions.append([]) }
    }

    func act(_ observation: [Float]) -> [Float] {
        let m = net.mlp(params, Tensor(floats: observation, shape: [1, observation.count])).floats
        let raw = m.indices.map { j in useMean ? m[j] : m[j] + Float(std[j] * generator.normal()) }
        if recording { recordedActions[recordedActions.count - 1].append(raw) }
        return raw.map { min(max($0, -1), 1) }
    }

    func observe(_ t: Transition) {}
}
