import MRCore

/// The goal of a cube-navigation task: a point inside the unit cube.
public struct CubeGoal: TaskDescriptor {
    public static let kind = "cube-nav"
    public var x: Double
    public var y: Double
    public var z: Double
    public init(x: Double, y: Double, z: Double) { self.x = x; self.y = y; self.z = z }

    /// The zone of the goal (signs of x − 0.5 and y − 0.5).
    public var zone: GoalZone { GoalZone.of(dx: x - 0.5, dy: y - 0.5) }

    /// A goal uniform in [0.05, 0.95]³ restricted to `zone`, at least 0.1 from the centre in x and y
    /// so that no goal sits on a zone boundary.
    public static func sample(in zone: GoalZone, using g: inout SeededGenerator) -> CubeGoal {
        let s = zone.signs
        return CubeGoal(x: taskSetRounded(0.5 + s.x * g.uniform(0.1, 0.45)),
                        y: taskSetRounded(0.5 + s.y * g.uniform(0.1, 0.45)),
                        z: taskSetRounded(g.uniform(0.05, 0.95)))
    }
}

/// `cube-nav-v1`: a point in the unit cube, always starting at its centre, moved by a 3-D velocity
/// command to a goal it can see: the goal-conditioned miniature of the Fetch tasks, for HER-based
/// meta-learners (GARGAML) and fast tests.
///
/// | action | meaning | scaling |
/// | --- | --- | --- |
/// | 0…2 | x, y, z velocity | × 0.05 per step; the position is clipped to [0, 1]³ |
///
/// | observation | meaning |
/// | --- | --- |
/// | 0…2 | `observation`: position |
/// | 3…5 | `achieved_goal`: position |
/// | 6…8 | `desired_goal`: the goal |
///
/// Reward: sparse `1` if ‖achieved − desired‖ ≤ 0.05 else `0` (term `reached`), the pure function
/// `computeReward(achieved:desired:)`. Success: the same condition. Horizon 50. Reset: position
/// (0.5, 0.5, 0.5), nothing random.
public final class CubeNavigationEnvironment: Environment {
    public typealias Task = CubeGoal
    public static let identifier = "cube-nav-v1"
    static let threshold = 0.05
    static let maxStep = 0.05

    public static let spec = EnvironmentSpec(
        id: identifier, observationSize: 9, actionSize: 3, horizon: 50, controlTimestep: 1, tags: ["navigation", "goal-conditioned", "sparse"],
        factory: { _ in CubeNavigationEnvironment() },
        expert: { PointNavigationExpert(goal: [$0.x, $0.y, $0.z], maxStep: maxStep) })

    public let id = CubeNavigationEnvironment.identifier
    public let observationSpace = BoxSpace(dimension: 9, bound: 1)
    public let observationLayout = ObservationLayout([("observation", 3), ("achieved_goal", 3), ("desired_goal", 3)])
    public let actionSpace = BoxSpace.unit(3)
    public let horizon = 50
    public let controlTimestep = 1.0
    public private(set) var task = CubeGoal(x: 0.8, y: 0.8, z: 0.5)
    private var p = [0.5, 0.5, 0.5]

    public init() {}

    public func setTask(_ task: CubeGoal) throws {
        guard [task.x, task.y, task.z].allSatisfy({ $0 >= 0 && $0 <= 1 }) else { throw EnvironmentError.invalidTask("goal must lie in [0, 1]³") }
        self.task = task
    }

    /// The sparse reward for an achieved and a desired goal (pure; for hindsight relabelling).
    public static func computeReward(achieved: [Float], desired: [Float]) -> Double {
        var s = 0.0
        for i in 0..<3 { let d = Double(achieved[i]) - Double(desired[i]); s += d * d }
        return s.squareRoot() <= threshold ? 1 : 0
    }

    public func reset(seed: UInt64) -> [Float] {
        p = [0.5, 0.5, 0.5]
        return observation()
    }

    func observation() -> [Float] {
        let pos = p.map { Float($0) }
        return pos + pos + [Float(task.x), Float(task.y), Float(task.z)]
    }

    public func step(_ action: [Float]) throws -> StepResult {
        let a = try actionSpace.validatedAndClipped(action)
        for i in 0..<3 { p[i] = min(1, max(0, p[i] + CubeNavigationEnvironment.maxStep * Double(a[i]))) }
        let o = observation()
        let r = CubeNavigationEnvironment.computeReward(achieved: Array(o[3..<6]), desired: Array(o[6..<9]))
        return StepResult(observation: o, reward: r, status: .running, info: StepInfo(success: r > 0, terms: [RewardTerm("reached", r)]))
    }

    public func snapshot() -> EnvironmentSnapshot { EnvironmentSnapshot(State(p: p, task: task)) }

    public func restore(_ snapshot: EnvironmentSnapshot) throws {
        guard let s = snapshot.payload as? State else { throw EnvironmentError.foreignSnapshot }
        p = s.p
        task = s.task
    }

    struct State { let p: [Double]; let task: CubeGoal }
}
