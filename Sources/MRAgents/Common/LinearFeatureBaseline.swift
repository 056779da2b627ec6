/// The linear feature baseline of Duan et al. 2016 (rllab, garage, pytorch-maml-rl): a ridge
/// regression of returns on features [o, o², s, s², s³, 1] per step with s = t / timeScale
/// (timeScale 100 in those codes; RL² uses its trial length), refit on each batch of episodes. The regulariser starts at 1e-5 and is multiplied by 10 until the normal
/// equations are well conditioned.
public struct LinearFeatureBaseline: Sendable {
    public private(set) var weights: [Double]
    public let observationSize: Int
    public let timeScale: Double

    public init(observationSize: Int, timeScale: Double = 100) {
        self.observationSize = observationSize
        self.timeScale = timeScale
        weights = Array(repeating: 0, count: 2 * observationSize + 4)
    }

    /// Features of step `t` with observation `o`.
    public func features(_ o: [Float], step t: Int) -> [Double] {
        let x = o.map { min(max(Double($0), -10), 10) }
        let s = Double(t) / timeScale
        return x + x.map { $0 * $0 } + [s, s * s, s * s * s, 1]
    }

    /// Fits the weights to (observations, returns) of several episodes.
    public mutating func fit(episodes: [(observations: [[Float]], returns: [Double])]) {
        let d = weights.count
        var xtx = [Double](repeating: 0, count: d * d), xty = [Double](repeating: 0, count: d)
        for e in episodes {
            for (t, o) in e.observations.enumerated() {
                let f = features(o, step: t)
                for i in 0..<d {
                    xty[i] += f[i] * e.returns[t]
                    for j in i..<d { xtx[i * d + j] += f[i] * f[j] }
                }
            }
        }
        for i in 0..<d { for j in 0..<i { xtx[i * d + j] = xtx[j * d + i] } }
        var reg = 1e-5
        for _ in 0..<5 {
            var a = xtx
            for i in 0..<d { a[i * d + i] += reg }
            if let w = choleskySolve(a, xty, d), w.allSatisfy(\.isFinite) { weights = w; return }
            reg *= 10
        }
    }

    /// Predicted values of an episode's steps.
    public func predict(_ observations: [[Float]]) -> [Double] {
        observations.enumerated().map { t, o in zip(features(o, step: t), weights).reduce(0) { $0 + $1.0 * $1.1 } }
    }
}

/// Solves A x = b for symmetric positive definite A (n × n, row-major); nil if A is not.
func choleskySolve(_ a: [Double], _ b: [Double], _ n: Int) -> [Double]? {
    var l = [Double](repeating: 0, count: n * n)
    for i in 0..<n {
        for j in 0...i {
            var s = a[i * n + j]
            for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
            if i == j {
                guard s > 1e-12 else { return nil }
                l[i * n + i] = s.squareRoot()
            } else {
                l[i * n + j] = s / l[j * n + j]
            }
        }
    }
    var y = [Double](repeating: 0, count: n)
    for i in 0..<n {
        var s = b[i]
        for k in 0..<i { s -= l[i * n + k] * y[k] }
        y[i] = s / l[i * n + i]
    }
    var x = [Double](repeating: 0, count: n)
    for i in stride(from: n - 1, through: 0, by: -1) {
        var s = y[i]
        for k in (i + 1)..<n { s -= l[k * n + i] * x[k] }
        x[i] = s / l[i * n + i]
    }
    return x
}
