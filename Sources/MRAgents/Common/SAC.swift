import Foundation
import MRCore
import MRNeural

/// The settings of the SAC core and of its replay, shared by PEARL and GARGAML (and SAC+HER):
/// each is declared, documented, decoded and validated here once. A learner's config embeds them
/// as `sac` and, in its JSON, keeps them at the top level beside its own keys
/// (`{"hiddenSizes": [64, 64], "latentSize": 5, …}`), as every config file has written them. The
/// published value of each is in the learner's config (PEARL: oyster's names; GARGAML: HER's).
public struct SACSettings: Codable, Sendable, Equatable {
    /// Hidden sizes of the policy, the two Q networks and V (ReLU).
    public var hiddenSizes: [Int]
    /// Adam learning rate of every network (and of log α when it is learned).
    public var learningRate: Double
    /// The discount γ.
    public var gamma: Double
    /// Polyak fraction of V's target per gradient step.
    public var tau: Double
    /// Rewards are multiplied by this in the Bellman target (with α = 1 it sets the entropy's weight).
    public var rewardScale: Double
    /// Learn α towards the target entropy −|A| (Haarnoja et al. 2018b); otherwise α = `temperature`.
    public var autoTemperature: Bool
    /// α, or its starting value when it is learned.
    public var temperature: Double
    /// Weight of mean(μ²) and of mean(log σ²) in the policy loss.
    public var policyRegularization: Double
    /// Transitions per task in every RL batch a gradient step samples.
    public var batchSize: Int
    /// Transitions per replay buffer (each learner says which buffers it keeps).
    public var replayCapacity: Int

    public init(hiddenSizes: [Int], learningRate: Double, gamma: Double, tau: Double, rewardScale: Double, autoTemperature: Bool,
                temperature: Double, policyRegularization: Double, batchSize: Int, replayCapacity: Int) {
        self.hiddenSizes = hiddenSizes; self.learningRate = learningRate; self.gamma = gamma; self.tau = tau
        self.rewardScale = rewardScale; self.autoTemperature = autoTemperature; self.temperature = temperature
        self.policyRegularization = policyRegularization; self.batchSize = batchSize; self.replayCapacity = replayCapacity
    }

    /// Refuses a setting out of its range (`TrainingError.configuration`, naming the settings).
    func validate() throws {
        func need(_ ok: Bool, _ m: String) throws { if !ok { throw TrainingError.configuration(m) } }
        try need(!hiddenSizes.isEmpty && hiddenSizes.allSatisfy { $0 > 0 }, "hiddenSizes must be positive")
        try need(learningRate > 0 && gamma > 0 && gamma <= 1 && tau > 0 && tau <= 1, "learningRate > 0, 0 < gamma ≤ 1, 0 < tau ≤ 1")
        try need(rewardScale > 0 && temperature > 0 && policyRegularization >= 0, "rewardScale > 0, temperature > 0, policyRegularization ≥ 0")
        try need(batchSize >= 1 && replayCapacity >= 1, "batchSize ≥ 1, replayCapacity ≥ 1")
    }
}

/// A batch of transitions as float32 tensors: observations [N, O], actions [N, A], rewards,
/// terminals [N, 1] (1 where the task ended the episode, not at a time limit), next observations.
struct SACBatch {
    var observations: Tensor
    var actions: Tensor
    var rewards: Tensor
    var nextObservations: Tensor
    var terminals: Tensor
}

/// What one SAC update measured.
struct SACStatistics: Sendable {
    var qLoss = 0.0
    var vLoss = 0.0
    var policyLoss = 0.0
    var alpha = 0.0
    var logProb = 0.0
}

/// The SAC core as oyster's PEARL trains it: twin Q, a state-value network V with a Polyak target
/// (the Bellman target is r·scale + γ(1 − terminal)V̄(s′)), a tanh-Gaussian policy, α fixed or
/// learned. Every network takes the observation concatenated with a condition vector (PEARL's z;
/// empty for plain SAC). The critic step is separate so a caller can differentiate the critic loss
/// together with its own parameters (PEARL's encoder); the rest of the update sees the condition
/// as a constant.
struct SAC {
    let settings: SACSettings
    let observationSize: Int
    let actionSize: Int
    let conditionSize: Int
    let policyNet: MLP
    let q1Net: MLP
    let q2Net: MLP
    let vNet: MLP
    var policy: Parameters
    /// q1.* and q2.*.
    var critics: Parameters
    var value: Parameters
    var valueTarget: Parameters
    /// "logAlpha" [1].
    var logAlpha: Parameters
    var policyAdam: Adam
    var criticAdam: Adam
    var valueAdam: Adam
    var alphaAdam: Adam

    init(observationSize: Int, actionSize: Int, conditionSize: Int, settings: SACSettings, using g: inout SeededGenerator) {
        self.settings = settings
        self.observationSize = observationSize; self.actionSize = actionSize; self.conditionSize = conditionSize
        let input = observationSize + conditionSize, h = settings.hiddenSizes
        policyNet = MLP("policy", sizes: [input] + h + [2 * actionSize])
        q1Net = MLP("q1", sizes: [input + actionSize] + h + [1])
        q2Net = MLP("q2", sizes: [input + actionSize] + h + [1])
        vNet = MLP("v", sizes: [input] + h + [1])
        // oyster (rlkit): PyTorch-default hidden layers, last layers U(±3e-3).
        let head = WeightInit.uniform(bound: 3e-3)
        policy = policyNet.initialParameters(outputInit: head, using: &g)
        critics = q1Net.initialParameters(outputInit: head, using: &g).merging(q2Net.initialParameters(outputInit: head, using: &g))
        value = vNet.initialParameters(outputInit: head, using: &g)
        valueTarget = value
        logAlpha = Parameters([("logAlpha", Tensor(floats: [Float(Foundation.log(settings.temperature))], shape: [1]))])
        policyAdam = Adam(learningRate: settings.learningRate)
        criticAdam = policyAdam; valueAdam = policyAdam; alphaAdam = policyAdam
    }

    /// α: learned, or the fixed temperature.
    var alpha: Double { settings.autoTemperature ? Foundation.exp(logAlpha["logAlpha"].scalarValue) : settings.temperature }

    /// The policy's distribution for inputs [N, O + C].
    func distribution(_ p: Parameters, _ input: Tensor) -> (dist: TanhGaussian, mean: Tensor, logStd: Tensor) {
        let out = policyNet(p, input)
        let mean = out.slice(alongAxis: 1, 0 ..< actionSize)
        let logStd = out.slice(alongAxis: 1, actionSize ..< 2 * actionSize).clamped(min: -20, max: 2)
        return (TanhGaussian(mean: mean, logStd: logStd), mean, logStd)
    }

    /// Actions for a batch of inputs [N, O + C]: sampled, or the mode tanh(μ).
    func act(_ input: Tensor, deterministic: Bool, using g: inout SeededGenerator) -> [[Float]] {
        let d = distribution(policy, input).dist
        let a = (deterministic ? d.mode : d.sample(using: &g).action).floats
        return (0..<input.shape[0]).map { Array(a[($0 * actionSize)..<(($0 + 1) * actionSize)]) }
    }

    /// min(Q1, Q2) of (input, action) with the current critics.
    func minQ(_ q: Parameters, _ input: Tensor, _ action: Tensor) -> Tensor {
        let x = concat([input, action], alongAxis: 1)
        return minimum(q1Net(q, x), q2Net(q, x))
    }

    /// The twin-Q loss mean((Q1 − y)²) + mean((Q2 − y)²), y = r·scale + γ(1 − d)V̄(s′ ⊕ c̄).
    /// `q` must hold q1.* and q2.* (it may hold more); `condition` [N, C] may carry gradient to the
    /// caller's parameters; the target uses it detached.
    func criticLoss(_ q: Parameters, _ b: SACBatch, condition: Tensor?) -> Tensor {
        let input = Self.joined(b.observations, condition)
        let next = Self.joined(b.nextObservations, condition?.detached)
        let target = (b.rewards * settings.rewardScale + (1.0 - b.terminals) * settings.gamma * vNet(valueTarget, next)).detached
        let x = concat([input, b.actions], alongAxis: 1)
        return meanSquaredError(q1Net(q, x), target) + meanSquaredError(q2Net(q, x), target)
    }

    /// The policy loss mean(α log π(ã|s) − min Q(s, ã)) plus the μ² and log σ² regularisers, for
    /// a reparameterised ã; also returns min Q and log π detached (V's target needs them).
    func policyLoss(_ p: Parameters, input: Tensor, noise: Tensor) -> (loss: Tensor, minQ: Tensor, logProb: Tensor) {
        let (dist, mean, logStd) = distribution(p, input)
        let (action, logProb) = dist.sample(noise: noise)
        let lp = logProb.reshaped(to: [logProb.count, 1])
        let q = minQ(critics, input, action)
        let reg = (mean.squared().mean() + logStd.squared().mean()) * settings.policyRegularization
        return ((lp * alpha - q).mean() + reg, q.detached, lp.detached)
    }

    /// The critic step on a given gradient (of `criticLoss` with respect to `critics`).
    mutating func applyCriticGradient(_ g: Parameters) {
        _ = criticAdam.update(&critics, along: g)
    }

    /// The rest of an update after the critic step: V towards
    /// min Q(s, ã) − α log π(ã|s) with the updated critics, V's target moved by τ, the policy
    /// step, and α's step when it is learned. `condition` is used as given: pass it detached so its
    /// source (PEARL's encoder) gets no gradient from V's or the policy's loss.
    mutating func updateValueAndPolicy(_ b: SACBatch, condition: Tensor?, using g: inout SeededGenerator) -> SACStatistics {
        var stats = SACStatistics()
        let input = Self.joined(b.observations, condition)
        let noise = Tensor.randomNormal([b.observations.shape[0], actionSize], dtype: .float32, using: &g)
        var minQ = Tensor.zeros([1]), logProb = Tensor.zeros([1])
        let (pl, pg) = valueWithGradient(at: policy) { p in
            let r = policyLoss(p, input: input, noise: noise)
            minQ = r.minQ; logProb = r.logProb
            return r.loss
        }
        let vTarget = (minQ - logProb * alpha).detached
        let (vl, vg) = valueWithGradient(at: value) { p in meanSquaredError(vNet(p, input), vTarget) }
        _ = valueAdam.update(&value, along: vg)
        valueTarget.moveToward(value, fraction: settings.tau)
        _ = policyAdam.update(&policy, along: pg)
        if settings.autoTemperature {
            let target = (logProb - Double(actionSize)).detached
            let (_, ag) = valueWithGradient(at: logAlpha) { p in -(p["logAlpha"] * target).mean() }
            _ = alphaAdam.update(&logAlpha, along: ag)
        }
        stats.policyLoss = pl.scalarValue; stats.vLoss = vl.scalarValue
        stats.alpha = alpha; stats.logProb = logProb.mean().scalarValue
        return stats
    }

    /// One whole SAC update with a fixed (or no) condition: critic step, then the rest.
    mutating func update(_ b: SACBatch, condition: Tensor? = nil, using g: inout SeededGenerator) -> SACStatistics {
        let (ql, qg) = valueWithGradient(at: critics) { q in criticLoss(q, b, condition: condition) }
        applyCriticGradient(qg)
        var s = updateValueAndPolicy(b, condition: condition, using: &g)
        s.qLoss = ql.scalarValue
        return s
    }

    /// [x ⊕ c] along the feature axis (x alone without a condition).
    static func joined(_ x: Tensor, _ c: Tensor?) -> Tensor {
        guard let c else { return x }
        return concat([x, c], alongAxis: 1)
    }

    // MARK: Checkpoints

    /// Every tensor of the training state under `prefix`: networks, V's target, log α, Adam moments.
    func parameters(prefix: String) -> Parameters {
        var p = Parameters()
        for (name, group, adam) in [("policy", policy, policyAdam), ("critics", critics, criticAdam), ("value", value, valueAdam),
                                    ("alpha", logAlpha, alphaAdam)] {
            p = p.merging(group.prefixed(prefix + name + "/")).merging(adam.state.prefixed(prefix + "adam/" + name + "/"))
        }
        return p.merging(valueTarget.prefixed(prefix + "target/"))
    }

    /// Restores what `parameters(prefix:)` stored.
    mutating func restore(_ ck: Checkpoint, prefix: String) throws {
        policy = try TrainingCheckpoint.parameters(ck, prefix: prefix + "policy/", matching: policy)
        critics = try TrainingCheckpoint.parameters(ck, prefix: prefix + "critics/", matching: critics)
        value = try TrainingCheckpoint.parameters(ck, prefix: prefix + "value/", matching: value)
        valueTarget = try TrainingCheckpoint.parameters(ck, prefix: prefix + "target/", matching: valueTarget)
        logAlpha = try TrainingCheckpoint.parameters(ck, prefix: prefix + "alpha/", matching: logAlpha)
        policyAdam.restore(ck.parameters.filtered(prefix: prefix + "adam/policy/", droppingPrefix: true))
        criticAdam.restore(ck.parameters.filtered(prefix: prefix + "adam/critics/", droppingPrefix: true))
        valueAdam.restore(ck.parameters.filtered(prefix: prefix + "adam/value/", droppingPrefix: true))
        alphaAdam.restore(ck.parameters.filtered(prefix: prefix + "adam/alpha/", droppingPrefix: true))
    }
}

/// A per-task replay buffer of float32 transitions (a ring of `capacity` rows).
struct ReplayBuffer: Sendable {
    let observationSize: Int
    let actionSize: Int
    let capacity: Int
    private(set) var observations: [Float] = []
    private(set) var actions: [Float] = []
    private(set) var rewards: [Float] = []
    private(set) var nextObservations: [Float] = []
    private(set) var terminals: [Float] = []
    /// Rows held, and the row the next transition overwrites once full.
    private(set) var count = 0
    private(set) var next = 0

    init(observationSize: Int, actionSize: Int, capacity: Int) {
        self.observationSize = observationSize; self.actionSize = actionSize; self.capacity = capacity
    }

    mutating func add(_ t: Transition) {
        let term: Float = t.status == .terminated ? 1 : 0
        if count < capacity {
            observations += t.observation; actions += t.action; rewards.append(Float(t.reward))
            nextObservations += t.nextObservation; terminals.append(term)
            count += 1; next = count % capacity
        } else {
            let o = next * observationSize, a = next * actionSize
            observations.replaceSubrange(o ..< o + observationSize, with: t.observation)
            actions.replaceSubrange(a ..< a + actionSize, with: t.action)
            nextObservations.replaceSubrange(o ..< o + observationSize, with: t.nextObservation)
            rewards[next] = Float(t.reward); terminals[next] = term
            next = (next + 1) % capacity
        }
    }

    mutating func clear() {
        observations = []; actions = []; rewards = []; nextObservations = []; terminals = []; count = 0; next = 0
    }

    /// `n` row indices drawn uniformly with replacement (oyster's `random_batch`).
    func sample(_ n: Int, using g: inout SeededGenerator) -> [Int] {
        precondition(count > 0, "sampling an empty replay buffer")
        return (0..<n).map { _ in Int(g.next() % UInt64(count)) }
    }

    /// The rows `rows` as flat arrays: observations, actions, rewards, next observations, terminals.
    func rows(_ rows: [Int]) -> (observations: [Float], actions: [Float], rewards: [Float], nextObservations: [Float], terminals: [Float]) {
        var o: [Float] = [], a: [Float] = [], r: [Float] = [], n: [Float] = [], d: [Float] = []
        o.reserveCapacity(rows.count * observationSize); n.reserveCapacity(rows.count * observationSize)
        a.reserveCapacity(rows.count * actionSize)
        for i in rows {
            o += observations[(i * observationSize)..<((i + 1) * observationSize)]
            n += nextObservations[(i * observationSize)..<((i + 1) * observationSize)]
            a += actions[(i * actionSize)..<((i + 1) * actionSize)]
            r.append(rewards[i]); d.append(terminals[i])
        }
        return (o, a, r, n, d)
    }

    /// The rows as a SAC batch.
    func batch(_ idx: [Int]) -> SACBatch {
        let (o, a, r, n, d) = rows(idx)
        let N = idx.count
        return SACBatch(observations: Tensor(floats: o, shape: [N, observationSize]), actions: Tensor(floats: a, shape: [N, actionSize]),
                        rewards: Tensor(floats: r, shape: [N, 1]), nextObservations: Tensor(floats: n, shape: [N, observationSize]),
                        terminals: Tensor(floats: d, shape: [N, 1]))
    }

    // MARK: Checkpoints (the buffers are training state: float32, only the rows held)

    func parameters(prefix: String) -> Parameters {
        Parameters([
            (prefix + "observations", Tensor(floats: observations, shape: [count, observationSize])),
            (prefix + "actions", Tensor(floats: actions, shape: [count, actionSize])),
            (prefix + "rewards", Tensor(floats: rewards, shape: [count])),
            (prefix + "nextObservations", Tensor(floats: nextObservations, shape: [count, observationSize])),
            (prefix + "terminals", Tensor(floats: terminals, shape: [count])),
            (prefix + "cursor", Tensor(floats: [Float(count), Float(next)], shape: [2])),
        ])
    }

    mutating func restore(_ p: Parameters, prefix: String) throws {
        guard p.contains(prefix + "cursor") else { throw TrainingError.checkpoint("replay buffer \(prefix) missing") }
        let c = p[prefix + "cursor"].floats
        let n = Int(c[0])
        let o = p[prefix + "observations"].floats, a = p[prefix + "actions"].floats, r = p[prefix + "rewards"].floats
        let no = p[prefix + "nextObservations"].floats, d = p[prefix + "terminals"].floats
        guard n <= capacity, o.count == n * observationSize, no.count == n * observationSize, a.count == n * actionSize,
              r.count == n, d.count == n else { throw TrainingError.checkpoint("replay buffer \(prefix) has inconsistent sizes") }
        observations = o; actions = a; rewards = r; nextObservations = no; terminals = d
        count = n; next = Int(c[1])
    }
}
