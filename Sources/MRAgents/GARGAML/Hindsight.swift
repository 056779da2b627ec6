import MRCore
import MRNeural

/// One recorded episode as hindsight replay keeps it: the T + 1 observations o₀…o_T, the T
/// actions, the T rewards the environment paid, and whether the last step ended the task
/// (terminated: no bootstrap) rather than a time limit.
struct HindsightEpisode: Sendable, Equatable {
    let observationSize: Int
    let actionSize: Int
    /// (T + 1) × observationSize, row-major.
    let observations: [Float]
    /// T × actionSize.
    let actions: [Float]
    let rewards: [Float]
    let terminated: Bool

    var length: Int { rewards.count }

    init(observationSize: Int, actionSize: Int, observations: [Float], actions: [Float], rewards: [Float], terminated: Bool) {
        precondition(!rewards.isEmpty && observations.count == (rewards.count + 1) * observationSize && actions.count == rewards.count * actionSize)
        self.observationSize = observationSize; self.actionSize = actionSize
        self.observations = observations; self.actions = actions; self.rewards = rewards; self.terminated = terminated
    }

    /// The episode of consecutive transitions `ts` (each one's observation is the previous one's next observation).
    init(_ ts: [Transition]) {
        precondition(!ts.isEmpty, "an empty episode")
        observationSize = ts[0].observation.count; actionSize = ts[0].action.count
        var o = ts[0].observation
        o.reserveCapacity((ts.count + 1) * observationSize)
        for t in ts { o += t.nextObservation }
        observations = o
        actions = ts.flatMap(\.action)
        rewards = ts.map { Float($0.reward) }
        terminated = ts.last!.status == .terminated
    }

    /// Observation t (0…T).
    func observation(_ t: Int) -> ArraySlice<Float> { observations[(t * observationSize)..<((t + 1) * observationSize)] }
}

/// Hindsight experience replay (Andrychowicz et al. 2017) with the 'future' strategy, as
/// OpenAI baselines' `her_sampler`: a transition (o_t, a_t, o_{t+1}) is drawn uniformly (an
/// episode uniformly, then t uniformly in it); with probability 1 − 1/(1 + k) its goal is
/// replaced by the achieved goal of an observation o_{t′}, t′ uniform in t + 1…T, of the same
/// episode (so a later step: the goal was reached by the episode after o_t), else it keeps the
/// desired goal it was collected with. Both o_t and o_{t+1} carry the (new) goal in their
/// desired-goal fields, and every reward is recomputed as `goalReward(achieved(o_{t+1}), goal)`.
///
/// Without a goal-reward function (benchmarks that are not goal-conditioned) nothing is relabelled
/// and the recorded rewards are used.
struct HindsightSampler: Sendable {
    let goalReward: GoalRewardFunction?
    /// Probability of relabelling: 1 − 1/(1 + k) (k = 4: 0.8).
    let relabelProbability: Double

    init(goalReward: GoalRewardFunction?, replayK: Int) {
        self.goalReward = goalReward
        relabelProbability = goalReward == nil ? 0 : 1 - 1 / (1 + Double(replayK))
    }

    /// A batch of `n` transitions from `episodes` (observations raw, not normalised), with the
    /// index of each row's episode, step and goal source (t′, or nil when not relabelled).
    func sample(_ n: Int, from episodes: [HindsightEpisode], using g: inout SeededGenerator)
        -> (batch: RawBatch, picks: [(episode: Int, step: Int, future: Int?)]) {
        precondition(!episodes.isEmpty, "sampling an empty hindsight buffer")
        let O = episodes[0].observationSize, A = episodes[0].actionSize
        var b = RawBatch(observationSize: O, actionSize: A)
        b.reserve(n)
        var picks: [(Int, Int, Int?)] = []
        for _ in 0..<n {
            let e = Int(g.next() % UInt64(episodes.count))
            let ep = episodes[e]
            let T = ep.length
            let t = Int(g.next() % UInt64(T))
            var o = Array(ep.observation(t)), next = Array(ep.observation(t + 1))
            var future: Int?
            if let gr = goalReward {
                if g.nextUnit() < relabelProbability {
                    let f = t + 1 + Int(g.next() % UInt64(T - t))
                    future = f
                    let goal = Array(ep.observation(f)[gr.achievedGoal.shiftedBy(f * O)])
                    o.replaceSubrange(gr.desiredGoal, with: goal)
                    next.replaceSubrange(gr.desiredGoal, with: goal)
                }
                b.rewards.append(Float(gr(achieved: Array(next[gr.achievedGoal]), desired: Array(next[gr.desiredGoal]))))
            } else {
                b.rewards.append(ep.rewards[t])
            }
            b.observations += o; b.nextObservations += next
            b.actions += ep.actions[(t * A)..<((t + 1) * A)]
            b.terminals.append(ep.terminated && t == T - 1 ? 1 : 0)
            picks.append((e, t, future))
        }
        return (b, picks)
    }
}

extension Range where Bound == Int {
    func shiftedBy(_ d: Int) -> Range<Int> { (lowerBound + d)..<(upperBound + d) }
}

/// Transitions as flat float rows before normalisation.
struct RawBatch: Sendable {
    let observationSize: Int
    let actionSize: Int
    var observations: [Float] = []
    var actions: [Float] = []
    var rewards: [Float] = []
    var nextObservations: [Float] = []
    var terminals: [Float] = []

    init(observationSize: Int, actionSize: Int) { self.observationSize = observationSize; self.actionSize = actionSize }

    var count: Int { rewards.count }

    mutating func reserve(_ n: Int) {
        observations.reserveCapacity(n * observationSize); nextObservations.reserveCapacity(n * observationSize)
        actions.reserveCapacity(n * actionSize); rewards.reserveCapacity(n); terminals.reserveCapacity(n)
    }
}

/// A replay buffer of whole episodes (a ring of at most `capacity` transitions: the oldest
/// episodes are dropped first), sampled through a `HindsightSampler`.
struct EpisodeReplay: Sendable {
    let capacity: Int
    private(set) var episodes: [HindsightEpisode] = []
    private(set) var transitions = 0

    init(capacity: Int) { self.capacity = capacity }

    var isEmpty: Bool { episodes.isEmpty }

    mutating func add(_ e: HindsightEpisode) {
        episodes.append(e); transitions += e.length
        var drop = 0
        while transitions > capacity, drop < episodes.count - 1 { transitions -= episodes[drop].length; drop += 1 }
        if drop > 0 { episodes.removeFirst(drop) }
    }
}

/// Multi-task replay: one episode buffer per train task, and batches drawn across a set of tasks
/// (`rowsPerTask` rows from each, concatenated in the order given).
struct MultiTaskReplay: Sendable {
    var buffers: [EpisodeReplay]

    init(tasks: Int, capacityPerTask: Int) { buffers = Array(repeating: EpisodeReplay(capacity: capacityPerTask), count: tasks) }

    subscript(_ task: Int) -> EpisodeReplay { buffers[task] }

    mutating func add(_ e: HindsightEpisode, task: Int) { buffers[task].add(e) }

    /// The tasks holding data.
    var filled: [Int] { buffers.indices.filter { !buffers[$0].isEmpty } }

    func sample(tasks: [Int], rowsPerTask n: Int, sampler: HindsightSampler, using g: inout SeededGenerator) -> RawBatch {
        var out: RawBatch?
        for i in tasks {
            let b = sampler.sample(n, from: buffers[i].episodes, using: &g).batch
            if out == nil { out = RawBatch(observationSize: b.observationSize, actionSize: b.actionSize); out!.reserve(n * tasks.count) }
            out!.observations += b.observations; out!.actions += b.actions; out!.rewards += b.rewards
            out!.nextObservations += b.nextObservations; out!.terminals += b.terminals
        }
        return out!
    }
}

/// HER's input normalisation: the observation by one running normaliser and the desired goal by
/// another (OpenAI's `o_stats` and `g_stats`), each (x − μ)/σ clipped at ±`clip` (5). The goal
/// statistics are updated with every desired and achieved goal of the collected episodes (the
/// relabelled goals are achieved goals). Without goal fields the whole observation goes through
/// the observation normaliser.
struct GoalInputNormalizer: Sendable, Equatable {
    var observation: RunningNormalizer
    var goal: RunningNormalizer?
    let achievedGoal: Range<Int>?
    let desiredGoal: Range<Int>?

    init(observationSize: Int, goalReward: GoalRewardFunction?, clip: Double) {
        observation = RunningNormalizer(dimension: observationSize, clip: clip)
        achievedGoal = goalReward?.achievedGoal; desiredGoal = goalReward?.desiredGoal
        goal = goalReward.map { RunningNormalizer(dimension: $0.desiredGoal.count, clip: clip) }
    }

    var observationSize: Int { observation.dimension }

    /// Folds an episode's observations (and goals) into the statistics.
    mutating func update(_ episodes: [HindsightEpisode]) {
        var rows: [[Float]] = [], goals: [[Float]] = []
        for e in episodes {
            for t in 0...e.length {
                let o = Array(e.observation(t))
                rows.append(o)
                if let a = achievedGoal, let d = desiredGoal { goals.append(Array(o[a])); goals.append(Array(o[d])) }
            }
        }
        observation.update(rows)
        goal?.update(goals)
    }

    /// The normalised row.
    func normalize(_ x: ArraySlice<Float>) -> [Float] {
        var y = observation.normalize(Array(x))
        if let goal, let d = desiredGoal {
            y.replaceSubrange(d, with: goal.normalize(Array(x[(x.startIndex + d.lowerBound)..<(x.startIndex + d.upperBound)])))
        }
        return y
    }

    /// Normalises every row of a flat [N × O] array.
    func normalizeRows(_ flat: [Float]) -> [Float] {
        let O = observationSize
        var out: [Float] = []
        out.reserveCapacity(flat.count)
        for i in 0..<(flat.count / O) { out += normalize(flat[(i * O)..<((i + 1) * O)]) }
        return out
    }

    /// A SAC batch of normalised rows.
    func batch(_ b: RawBatch) -> SACBatch {
        let N = b.count, O = b.observationSize, A = b.actionSize
        return SACBatch(observations: Tensor(floats: normalizeRows(b.observations), shape: [N, O]),
                        actions: Tensor(floats: b.actions, shape: [N, A]), rewards: Tensor(floats: b.rewards, shape: [N, 1]),
                        nextObservations: Tensor(floats: normalizeRows(b.nextObservations), shape: [N, O]),
                        terminals: Tensor(floats: b.terminals, shape: [N, 1]))
    }

    // MARK: Checkpoints

    func parameters(prefix: String) -> Parameters {
        var p = observation.parameters(prefix: prefix + "observation/")
        if let goal { p = p.merging(goal.parameters(prefix: prefix + "goal/")) }
        return p
    }

    mutating func restore(_ p: Parameters, prefix: String) throws {
        guard p.contains(prefix + "observation/mean") else { throw TrainingError.checkpoint("normaliser \(prefix) missing") }
        try observation.restore(p, prefix: prefix + "observation/")
        if goal != nil { try goal!.restore(p, prefix: prefix + "goal/") }
    }
}
