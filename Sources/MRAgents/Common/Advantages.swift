/// Generalised advantage estimation (Schulman et al. 2016) over one sequence.
///
/// `rewards[t]`, `values[t]` for t in 0..<T; `dones[t]` is true when the sequence ends after step t
/// (no bootstrap across it); `lastValue` is V(s_T) when the sequence was cut without ending
/// (0 when it ended). Returns (advantages, returns = advantages + values).
public func generalizedAdvantages(rewards: [Double], values: [Double], dones: [Bool], lastValue: Double,
                                  gamma: Double, lambda: Double) -> (advantages: [Double], returns: [Double]) {
    let n = rewards.count
    precondition(values.count == n && dones.count == n, "GAE: rewards, values and dones differ in length")
    var adv = [Double](repeating: 0, count: n)
    var running = 0.0
    for t in stride(from: n - 1, through: 0, by: -1) {
        let nextValue = t == n - 1 ? lastValue : values[t + 1]
        let notDone = dones[t] ? 0.0 : 1.0
        let delta = rewards[t] + gamma * nextValue * notDone - values[t]
        running = delta + gamma * lambda * notDone * running
        adv[t] = running
    }
    return (adv, zip(adv, values).map { $0 + $1 })
}

/// Discounted returns-to-go of one sequence: G_t = r_t + γ G_{t+1}, G_T = 0.
public func discountedReturns(_ rewards: [Double], gamma: Double) -> [Double] {
    var out = [Double](repeating: 0, count: rewards.count)
    var g = 0.0
    for t in stride(from: rewards.count - 1, through: 0, by: -1) { g = rewards[t] + gamma * g; out[t] = g }
    return out
}

/// (x − mean) / (std + 1e-8) over the entries where `mask` is true (all when nil); others are 0.
public func standardized(_ x: [Double], mask: [Bool]? = nil) -> [Double] {
    let idx = x.indices.filter { mask?[$0] ?? true }
    guard !idx.isEmpty else { return x.map { _ in 0 } }
    let mean = idx.reduce(0) { $0 + x[$1] } / Double(idx.count)
    let variance = idx.reduce(0) { $0 + (x[$1] - mean) * (x[$1] - mean) } / Double(idx.count)
    let sd = variance.squareRoot() + 1e-8
    return x.indices.map { (mask?[$0] ?? true) ? (x[$0] - mean) / sd : 0 }
}
