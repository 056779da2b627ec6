/// An axis-aligned box of `Float` vectors: the observation and action spaces.
public struct BoxSpace: Hashable, Codable, Sendable {
    public let low: [Float]
    public let high: [Float]

    /// Creates a box; `low` and `high` must have the same length and `low ≤ high` everywhere.
    public init(low: [Float], high: [Float]) {
        precondition(low.count == high.count, "BoxSpace: low and high differ in length")
        precondition(zip(low, high).allSatisfy { $0 <= $1 }, "BoxSpace: low > high")
        self.low = low
        self.high = high
    }

    /// The box [-bound, bound]^n.
    public init(dimension n: Int, bound: Float) {
        self.init(low: Array(repeating: -bound, count: n), high: Array(repeating: bound, count: n))
    }

    /// The action box of every mrbench environment: [-1, 1]^n.
    public static func unit(_ n: Int) -> BoxSpace { BoxSpace(dimension: n, bound: 1) }

    /// Number of dimensions.
    public var dimension: Int { low.count }

    /// True when `v` has the right length, is finite and lies inside the box.
    public func contains(_ v: [Float]) -> Bool {
        guard v.count == dimension else { return false }
        for i in 0..<v.count where !(v[i].isFinite && v[i] >= low[i] && v[i] <= high[i]) { return false }
        return true
    }

    /// A uniform sample (infinite bounds are replaced by a standard normal draw).
    public func sample(using g: inout SeededGenerator) -> [Float] {
        (0..<dimension).map { i in
            if low[i].isFinite && high[i].isFinite { return Float(g.uniform(Double(low[i]), Double(high[i]))) }
            return Float(g.normal())
        }
    }

    /// `v` clipped into the box, after checking its length and finiteness.
    /// - Throws: `ActionError` for a wrong length or a non-finite component.
    public func validatedAndClipped(_ v: [Float]) throws(ActionError) -> [Float] {
        guard v.count == dimension else { throw .wrongLength(expected: dimension, got: v.count) }
        var out = v
        for i in 0..<v.count {
            guard v[i].isFinite else { throw .nonFinite(index: i, value: v[i]) }
            out[i] = min(max(v[i], low[i]), high[i])
        }
        return out
    }
}

/// Why an action was refused. Environments clip out-of-range values but refuse these.
public enum ActionError: Error, Equatable, Sendable, CustomStringConvertible {
    case wrongLength(expected: Int, got: Int)
    case nonFinite(index: Int, value: Float)

    public var description: String {
        switch self {
        case let .wrongLength(e, g): return "action has \(g) components, the action space has \(e)"
        case let .nonFinite(i, v): return "action component \(i) is \(v), not a finite number"
        }
    }
}

/// Named, contiguous ranges of a flat observation vector, in order.
public struct ObservationLayout: Hashable, Codable, Sendable {
    /// One named segment: `name` covers `start ..< start + count`.
    public struct Segment: Hashable, Codable, Sendable {
        public let name: String
        public let start: Int
        public let count: Int
        public var range: Range<Int> { start..<(start + count) }
    }

    public let segments: [Segment]

    /// Builds a layout from (name, size) pairs laid end to end. Names must be unique.
    public init(_ parts: [(String, Int)]) {
        var s: [Segment] = []
        var at = 0
        for (name, n) in parts {
            precondition(n >= 0, "ObservationLayout: negative size for \(name)")
            precondition(!s.contains { $0.name == name }, "ObservationLayout: duplicate name \(name)")
            s.append(Segment(name: name, start: at, count: n))
            at += n
        }
        segments = s
    }

    /// Total length of the vectors this layout describes.
    public var count: Int { segments.last.map { $0.start + $0.count } ?? 0 }

    /// The range of a named segment, or nil.
    public func range(of name: String) -> Range<Int>? { segments.first { $0.name == name }?.range }

    /// The values of a named segment of `v` (empty if the name is unknown).
    public func slice(_ v: [Float], _ name: String) -> ArraySlice<Float> {
        guard let r = range(of: name) else { return [] }
        return v[r]
    }
}
