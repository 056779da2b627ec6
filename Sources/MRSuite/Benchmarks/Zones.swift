import MRCore

/// The four goal zones of the zone benchmarks (`fetch-zones-v1`, `cube-nav-zones-v1`): the goal
/// region is split by the signs of x and y relative to its centre. A: (+x, +y), B: (−x, +y),
/// C: (−x, −y), D: (+x, −y). Train goals come from A, B and C, test goals from D.
public enum GoalZone: String, Codable, Hashable, Sendable, CaseIterable {
    case a = "A", b = "B", c = "C", d = "D"

    /// The zone of an offset (dx, dy) from the region's centre (ties go to the + side).
    public static func of(dx: Double, dy: Double) -> GoalZone {
        switch (dx >= 0, dy >= 0) {
        case (true, true): return .a
        case (false, true): return .b
        case (false, false): return .c
        case (true, false): return .d
        }
    }

    /// The signs (sx, sy) of the zone's quadrant.
    public var signs: (x: Double, y: Double) {
        switch self {
        case .a: return (1, 1)
        case .b: return (-1, 1)
        case .c: return (-1, -1)
        case .d: return (1, -1)
        }
    }

    public static let train: [GoalZone] = [.a, .b, .c]
    public static let test: [GoalZone] = [.d]
}
