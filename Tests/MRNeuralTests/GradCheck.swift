import MRCore
@testable import MRNeural
@_exported import _MRNeuralTestSupport

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
