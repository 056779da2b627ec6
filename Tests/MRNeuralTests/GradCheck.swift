import MRCore
@testable import MRNeural

/// The largest normwise relative error ‖a − n‖∞ / max(‖a‖∞, ‖n‖∞) over the inputs, where a is the
/// tape's gradient of the scalar f at `xs` and n the central difference (f(x + h) − f(x − h))/2h.
/// Inputs whose gradients are both below 1e-12 count as agreeing.
func gradientCheckError(_ xs: [Tensor], h: Double = 1e-6, _ f: ([Tensor]) -> Tensor) -> Double {
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
func secondOrderCheckError(_ xs: [Tensor], seed: UInt64 = 99, h: Double = 1e-6, _ f: @escaping ([Tensor]) -> Tensor) -> Double {
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

/// A scalar from a tensor output: Σ out ⊙ R with a fixed random R (so every output entry matters).
func project(_ t: Tensor, seed: UInt64 = 7) -> Tensor {
    var g = SeededGenerator(seed: seed &+ UInt64(t.count))
    return (t * Tensor.randomNormal(t.shape, dtype: t.dtype, using: &g)).sum()
}

func randn(_ shape: [Int], _ g: inout SeededGenerator, std: Double = 1) -> Tensor {
    Tensor.randomNormal(shape, std: std, dtype: .float64, using: &g)
}

/// Values bounded away from 0 by `gap` (for kinks such as ReLU's), random signs.
func awayFromZero(_ shape: [Int], _ g: inout SeededGenerator, gap: Double = 0.1) -> Tensor {
    var t = randn(shape, &g)
    for i in 0..<t.count { let v = t[flat: i]; t[flat: i] = v >= 0 ? v + gap : v - gap }
    return t
}

func positive(_ shape: [Int], _ g: inout SeededGenerator) -> Tensor {
    Tensor.randomUniform(shape, low: 0.5, high: 2.0, dtype: .float64, using: &g)
}

/// Collected errors, printed so a run reports the figures.
struct ErrorTable {
    var rows: [(String, Double, Double?)] = []
    mutating func add(_ name: String, _ first: Double, _ second: Double? = nil) { rows.append((name, first, second)) }
    func report(_ title: String) {
        print("== \(title): max relative error, first order / second order")
        for (n, a, b) in rows {
            print("  " + n + String(repeating: " ", count: max(1, 34 - n.count)) + fmt(a) + "  " + (b.map(fmt) ?? "-"))
        }
        let worst1 = rows.map { $0.1 }.max() ?? 0, worst2 = rows.compactMap { $0.2 }.max() ?? 0
        print("  worst: first order \(fmt(worst1)), second order \(fmt(worst2))")
    }
}

func fmt(_ x: Double) -> String {
    if x == 0 { return "0" }
    var e = 0, m = x
    while m < 1 { m *= 10; e -= 1 }
    while m >= 10 { m /= 10; e += 1 }
    return "\(Double(Int(m * 100)) / 100)e\(e)"
}
