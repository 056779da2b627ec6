import MRCore
import MRNeural

// The neural core's gradient checkers, shared by the test targets of MRNeural and of the learners
// that build on it (MAML's meta-gradient is checked with the same function).

/// The largest normwise relative error ‖a − n‖∞ / max(‖a‖∞, ‖n‖∞) over the inputs, where a is the
/// tape's gradient of the scalar f at `xs` and n the central difference (f(x + h) − f(x − h))/2h.
/// Inputs whose gradients are both below 1e-12 count as agreeing.
public func gradientCheckError(_ xs: [Tensor], h: Double = 1e-6, _ f: ([Tensor]) -> Tensor) -> Double {
    let vars = xs.map { $0.tracked() }
    let y = f(vars)
    precondition(y.count == 1)
    let analytic = gradients(of: y, at: vars)
    var worst = 0.0
    for (k, x) in xs.enumerated() {
        var numeric = [Double](repeating: 0, count: x.count)
        for i in 0..<x.count {
            var plus = xs, minus = xs
            plus[k][flat: i] += h
            minus[k][flat: i] -= h
            numeric[i] = (f(plus).scalarValue - f(minus).scalarValue) / (2 * h)
        }
        let a = analytic[k].doubles
        var diff = 0.0, scale = 0.0
        for i in 0..<a.count {
            diff = max(diff, abs(a[i] - numeric[i]))
            scale = max(scale, abs(a[i]), abs(numeric[i]))
        }
        if scale < 1e-12 { continue }
        worst = max(worst, diff / scale)
    }
    return worst
}

/// The same check for the second derivative: the function xs ↦ ⟨∇f(xs), v⟩ (its gradient computed
/// by the tape with `createGraph: true`) is itself gradient-checked, which exercises the derivative
/// rules of every derivative rule f uses.
public func secondOrderCheckError(_ xs: [Tensor], seed: UInt64 = 99, h: Double = 1e-6, _ f: @escaping ([Tensor]) -> Tensor) -> Double {
    var g = SeededGenerator(seed: seed)
    let vs = xs.map { Tensor.randomNormal($0.shape, dtype: .float64, using: &g) }
    return gradientCheckError(xs, h: h) { ys in
        let ts = ys.map { $0.tracked() }
        let grads = gradients(of: f(ts), at: ts, createGraph: true)
        var acc = (grads[0] * vs[0]).sum()
        for i in 1..<grads.count { acc = acc + (grads[i] * vs[i]).sum() }
        return acc
    }
}

