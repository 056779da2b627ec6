#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one pseudo-random generator of mrbench: xoshiro256** seeded through SplitMix64.
///
/// No library code touches a global or system generator. Every stochastic API takes a seed or an
/// `inout SeededGenerator`. Sub-streams come from `derived(_:)`: the child's seed is
/// `splitmix64(seed ^ splitmix64(label))`, so a child depends only on the parent's *seed* and the
/// label, never on how many numbers the parent has drawn.
public struct SeededGenerator: RandomNumberGenerator, Sendable, Hashable, Codable {
    /// The seed this generator was created from.
    public let seed: UInt64
    private var s0: UInt64, s1: UInt64, s2: UInt64, s3: UInt64

    public init(seed: UInt64) {
        self.seed = seed
        var sm = seed
        s0 = SeededGenerator.splitmix64(&sm)
        s1 = SeededGenerator.splitmix64(&sm)
        s2 = SeededGenerator.splitmix64(&sm)
        s3 = SeededGenerator.splitmix64(&sm)
    }

    /// SplitMix64 step (Steele, Lea, Flood 2014); advances `state` and returns the mixed value.
    @inlinable public static func splitmix64(_ state: inout UInt64) -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A stateless mix of one value (SplitMix64 of it).
    @inlinable public static func mix(_ value: UInt64) -> UInt64 { var s = value; return splitmix64(&s) }

    /// The seed of sub-stream `label`: `mix(seed ^ mix(label))`.
    public static func derive(_ seed: UInt64, _ label: UInt64) -> UInt64 { mix(seed ^ mix(label)) }

    /// The seed of a sub-stream named by a string (FNV-1a of its UTF-8 bytes as the label).
    public static func derive(_ seed: UInt64, _ label: String) -> UInt64 { derive(seed, fnv1a(label)) }

    /// An independent generator for sub-stream `label` of this generator's seed.
    public func derived(_ label: UInt64) -> SeededGenerator { SeededGenerator(seed: Self.derive(seed, label)) }
    public func derived(_ label: String) -> SeededGenerator { SeededGenerator(seed: Self.derive(seed, label)) }

    /// 64-bit FNV-1a hash of a string's UTF-8 bytes (stable across runs and platforms).
    public static func fnv1a(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in s.utf8 { h ^= UInt64(b); h = h &* 0x100_0000_01b3 }
        return h
    }

    @inlinable static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// Uniform in [low, high).
    public mutating func uniform(_ low: Double, _ high: Double) -> Double { low + (high - low) * nextUnit() }

    /// Standard normal by the Box–Muller transform (one draw of two uniforms per call).
    public mutating func normal(mean: Double = 0, std: Double = 1) -> Double {
        var u1 = nextUnit()
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = nextUnit()
        return mean + std * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// Uniform integer in 0..<n (Lemire's method via the standard library's bounded draw).
    public mutating func index(below n: Int) -> Int { Int.random(in: 0..<n, using: &self) }
}
