import Foundation
import MRCore
import MRNeural

/// A trained RL² policy as a meta-learner: adaptation is the GRU's hidden state, so `adapt`
/// returns the same policy. Adaptation episodes sample actions; evaluation episodes act with the
/// mean (the deterministic policy), as the curve's meta-test does.
public final class RL2Agent: MetaLearner {
    public static let catalogueName = "rl2"
    static let format = "mrbench-rl2/1"
    public let name = RL2Agent.catalogueName
    let net: RL2Network
    let params: Parameters
    let normalizer: RunningNormalizer?
    let rewardScale: Double
    /// Facts about the checkpoint it came from (nil when built from a live trainer).
    public private(set) var trainingSteps: Int?
    public private(set) var trainingSeed: UInt64?
    public private(set) var benchmark: String?

    init(net: RL2Network, params: Parameters, normalizer: RunningNormalizer?, rewardScale: Double) {
        self.net = net; self.params = params; self.normalizer = normalizer; self.rewardScale = rewardScale
    }

    /// Loads the policy of a training checkpoint written by `mrbench train --agent rl2`.
    public convenience init(checkpoint path: String) throws {
        try self.init(checkpoint: TrainingCheckpoint.load(path))
    }

    public convenience init(checkpoint ck: Checkpoint) throws {
        let (config, obs, act) = try TrainingCheckpoint.policy(ck, format: Self.format, kind: "an RL²", config: RL2Config.self)
        guard let scale = ck.metadata["rewardScale"].flatMap(Double.init) else { throw TrainingError.checkpoint("RL² checkpoint lacks its reward scale") }
        let net = RL2Network(observationSize: obs, actionSize: act, config: config)
        var g = SeededGenerator(seed: 0)
        let params = try TrainingCheckpoint.parameters(ck, prefix: "policy/", matching: net.initialParameters(config: config, using: &g))
        var norm: RunningNormalizer?
        if config.normalizeObservations {
            var n = RunningNormalizer(dimension: obs)
            try n.restore(ck.parameters, prefix: "normalizer/")
            norm = n
        }
        self.init(net: net, params: params, normalizer: norm, rewardScale: scale)
        (trainingSteps, trainingSeed, benchmark) = TrainingCheckpoint.provenance(ck)
    }

    public func explorationPolicy(context: AgentContext, seed: UInt64) throws -> any Policy {
        try TrainingCheckpoint.checkSizes(context, observationSize: net.observationSize, actionSize: net.actionSize)
        return RL2Policy(agent: self, seed: seed)
    }

    public func adapt(_ policy: any Policy, episodes: [Episode]) throws -> any Policy { policy }
}

/// One trial's RL² policy: hidden state, previous action, reward and episode-ended flag.
final class RL2Policy: Policy {
    let agent: RL2Agent
    var generator: SeededGenerator
    var state: Tensor
    var previousAction: [Float]
    var previousReward = 0.0
    var previousDone = false
    var useMean = false
    let std: [Float]

    init(agent: RL2Agent, seed: UInt64) {
        self.agent = agent
        generator = SeededGenerator(seed: seed)
        state = Tensor.zeros([1, agent.net.hiddenSize])
        previousAction = Array(repeating: 0, count: agent.net.actionSize)
        std = agent.params["logStd"].floats.map { Float(Foundation.exp(Double($0))) }
    }

    func beginTrial(seed: UInt64) {
        generator = SeededGenerator(seed: seed)
        state = Tensor.zeros([1, agent.net.hiddenSize])
        previousAction = Array(repeating: 0, count: agent.net.actionSize)
        previousReward = 0; previousDone = false
    }

    func beginEpisode(phase: EpisodePhase) { useMean = phase == .evaluation }

    func act(_ observation: [Float]) -> [Float] {
        let o = agent.normalizer?.normalize(observation) ?? observation
        let row = agent.net.input(observation: o, previousAction: previousAction, previousReward: previousReward * agent.rewardScale,
                                  episodeEnded: previousDone)
        let (mean, next) = agent.net.step(agent.params, inputs: Tensor(floats: row, shape: [1, row.count]), state: state)
        state = next
        let m = mean.floats
        return m.indices.map { j in
            let z = Float(generator.normal())
            return min(max(useMean ? m[j] : m[j] + std[j] * z, -1), 1)
        }
    }

    func observe(_ t: Transition) {
        previousAction = t.action; previousReward = t.reward; previousDone = t.status.isDone
    }
}
