/// The ticks of a plot axis: positions `n × 10^exponent` for the integers `n` in `multiples` (all
/// multiples of a "nice" step 1, 2 or 5 × 10^k), their values and their compact labels. Tick values
/// are built from integers, so 0.1 + 0.2 never shows up as 0.30000000000000004 and labels are exact.
struct AxisTicks: Sendable, Equatable {
    var multiples: [Int]
    var exponent: Int
    var values: [Double]
    var labels: [String]
}

extension AxisTicks {
    /// 10^k as a Double (exact for |k| ≤ 22).
    static func power10(_ k: Int) -> Double {
        var p = 1.0
        for _ in 0..<abs(k) { p *= 10 }
        return p
    }

    /// `n × 10^k`, correctly rounded when |k| ≤ 22 and `n` is below 2^53 (so 3 × 10^-1 is 0.3).
    static func value(_ n: Int, exponent k: Int) -> Double {
        k >= 0 ? Double(n) * power10(k) : Double(n) / power10(-k)
    }

    /// The smallest step `m × 10^k` with m in {1, 2, 5} that is at least `span / count`, as (m, k).
    static func niceStep(span: Double, count: Int) -> (mantissa: Int, exponent: Int) {
        let raw = span / Double(max(1, count))
        guard raw.isFinite, raw > 0 else { return (1, 0) }
        var k = Int(raw.log10Floor)
        var f = raw / value(1, exponent: k)
        if f < 1 { k -= 1; f *= 10 }
        if f >= 10 * (1 + 1e-12) { k += 1; f /= 10 }
        let tol = 1 + 1e-9
        if f <= 1 * tol { return (1, k) }
        if f <= 2 * tol { return (2, k) }
        if f <= 5 * tol { return (5, k) }
        return (1, k + 1)
    }

    /// The step after `m × 10^k` in the sequence 1, 2, 5, 10, 20, 50…
    static func nextStep(_ step: (mantissa: Int, exponent: Int)) -> (mantissa: Int, exponent: Int) {
        switch step.mantissa {
        case 1: return (2, step.exponent)
        case 2: return (5, step.exponent)
        default: return (1, step.exponent + 1)
        }
    }

    /// The step before `m × 10^k` in the sequence …0.5, 1, 2, 5, 10…
    static func previousStep(_ step: (mantissa: Int, exponent: Int)) -> (mantissa: Int, exponent: Int) {
        switch step.mantissa {
        case 5: return (2, step.exponent)
        case 2: return (1, step.exponent)
        default: return (5, step.exponent - 1)
        }
    }

    /// Ticks at the multiples of `step` within `lo...hi` (with a relative tolerance of 1e-9 of the
    /// step at both ends), labelled compactly.
    static func ticks(from lo: Double, to hi: Double, step: (mantissa: Int, exponent: Int)) -> AxisTicks {
        let stepValue = value(step.mantissa, exponent: step.exponent)
        let a = (lo / stepValue - 1e-9).rounded(.up), b = (hi / stepValue + 1e-9).rounded(.down)
        guard a.isFinite, b.isFinite, abs(a) < 1e15, abs(b) < 1e15, a <= b, b - a <= 10_000 else {
            return AxisTicks(multiples: [], exponent: step.exponent, values: [], labels: [])
        }
        let multiples = (Int(a)...Int(b)).map { $0 * step.mantissa }
        return AxisTicks(multiples: multiples, exponent: step.exponent,
                     values: multiples.map { value($0, exponent: step.exponent) },
                     labels: formatTicks(multiples, exponent: step.exponent))
    }

    /// Ticks for `lo...hi` about `count` steps apart (at least 2 steps); see `niceStep`.
    static func ticks(from lo: Double, to hi: Double, count: Int) -> AxisTicks {
        ticks(from: lo, to: hi, step: niceStep(span: hi - lo, count: max(2, count)))
    }

    /// Ticks for an axis `pixels` long: a step near `targetSpacing` pixels, widened until the
    /// ticks are at least `minSpacing(labels)` pixels apart, then narrowed if fewer than two
    /// ticks remain.
    static func ticks(from lo: Double, to hi: Double, pixels: Double, minSpacing: ([String]) -> Double,
                      targetSpacing: Double) -> AxisTicks {
        let span = hi - lo
        var step = niceStep(span: span, count: max(2, Int(pixels / targetSpacing)))
        var result = ticks(from: lo, to: hi, step: step)
        for _ in 0..<12 {
            let spacing = value(step.mantissa, exponent: step.exponent) / span * pixels
            if spacing >= minSpacing(result.labels) || result.values.count <= 2 { break }
            step = nextStep(step)
            result = ticks(from: lo, to: hi, step: step)
        }
        // A short range may hold a single multiple of the step: refine until there are two.
        for _ in 0..<6 where result.values.count < 2 {
            step = previousStep(step)
            result = ticks(from: lo, to: hi, step: step)
        }
        return result
    }

    /// Labels of the tick values `n × 10^exponent`, one style for the whole axis:
    /// - magnitudes from 10^15 or below 0.01: scientific, `1e-3`, `2.5e-4`, `1e15`;
    /// - from 10^4: k, M, G, T suffixes per value, `0`, `500k`, `1.5M` (when at most two decimals
    ///   are needed, otherwise plain);
    /// - otherwise plain decimals without trailing zeros: `0`, `0.25`, `1.5`, `2000`.
    static func formatTicks(_ multiples: [Int], exponent k: Int) -> [String] {
        let maxAbs = multiples.map { abs(value($0, exponent: k)) }.max() ?? 0
        if maxAbs >= 1e15 || (maxAbs > 0 && maxAbs < 0.01) {
            return multiples.map { scientific($0, exponent: k) }
        }
        if maxAbs >= 1e4 {
            let units = multiples.map { suffixUnit($0, exponent: k) }
            if zip(multiples, units).allSatisfy({ $0.0 == 0 || k - $0.1 >= -2 }) {
                return zip(multiples, units).map { n, u in
                    n == 0 ? "0" : decimal(n, exponent: k - u) + (u == 0 ? "" : suffixes[u / 3])
                }
            }
        }
        return multiples.map { decimal($0, exponent: k) }
    }

    static let suffixes = ["", "k", "M", "G", "T"]

    /// The power of 1000 (as 0, 3, 6, 9, 12) to write `n × 10^k` with: the largest not above it.
    static func suffixUnit(_ n: Int, exponent k: Int) -> Int {
        guard n != 0 else { return 0 }
        let e = k + String(n.magnitude).count - 1
        return e >= 3 ? min(12, e / 3 * 3) : 0
    }

    /// `n × 10^k` in plain decimal notation without trailing zeros: (25, -2) is "0.25",
    /// (15, 5) is "1500000".
    static func decimal(_ n: Int, exponent k: Int) -> String {
        let sign = n < 0 ? "-" : ""
        var digits = String(n.magnitude)
        if n == 0 { return "0" }
        if k >= 0 { return sign + digits + String(repeating: "0", count: k) }
        let places = -k
        if digits.count <= places { digits = String(repeating: "0", count: places - digits.count + 1) + digits }
        var int = String(digits.dropLast(places)), frac = String(digits.suffix(places))
        while frac.hasSuffix("0") { frac.removeLast() }
        if int.isEmpty { int = "0" }
        return sign + int + (frac.isEmpty ? "" : "." + frac)
    }

    /// `n × 10^k` as mantissa and exponent without trailing zeros: (25, -5) is "2.5e-4".
    static func scientific(_ n: Int, exponent k: Int) -> String {
        guard n != 0 else { return "0" }
        var m = n.magnitude, e = k
        while m % 10 == 0 { m /= 10; e += 1 }
        let digits = String(m)
        let exp = e + digits.count - 1
        let mantissa = digits.count == 1 ? digits : String(digits.prefix(1)) + "." + String(digits.dropFirst())
        return (n < 0 ? "-" : "") + mantissa + "e" + String(exp)
    }
}

extension Double {
    /// ⌊log10(self)⌋ for a positive finite value, by repeated scaling (no Foundation).
    fileprivate var log10Floor: Double {
        var v = self, k = 0.0
        while v >= 10 { v /= 10; k += 1 }
        while v < 1 { v *= 10; k -= 1 }
        return k
    }
}
