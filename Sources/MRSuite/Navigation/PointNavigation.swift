import MRCore

#if canImport(Glibc)
import Glibc
#endif

/// The goal of a point-navigation task: a point on the upper half of the unit circle.
public struct PointGoal: TaskDescriptor {
    public static let kind = "point-nav"
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }

    /// A goal at angle θ ~ U[0, π] on the unit circle.
    public static func sample(using g: inout SeededGenerator) -> PointGoal {
        let a = g.uniform(0, .pi)
        return PointGoal(x: taskSetRounded(cos(a)), y: taskSetRounded(sin(a)))
    }
}

/// `point-nav-v1` and `point-nav-sparse-v1`: a point in the plane starting at the origin, moved by
/// a velocity command towards an unseen goal on the upper half of the unit circle (the 2-D
/// navigation task of MAML and PEARL's point robot). No physics: tiny and fast on purpose, for
/// debugging meta-learners and for the evaluation tests.
///
/// | action | meaning | scaling |
/// | --- | --- | --- |
/// | 0 | x velocity | × 0.1 per step |
/// | 1 | y velocity | × 0.1 per step |
///
/// | observation | meaning |
/// | --- | --- |
/// | 0 | x |
/// | 1 | y |
///
/// Reward (after the move, d = ‖p − g‖): dense `−d` (term `distance`); sparse `1` if d ≤ 0.2 else
/// `0` (term `inside`). Success: d ≤ 0.2 (both variants). Horizon 100 control steps (the control
/// step is nominally 1 s). Reset: p = (0, 0), nothing random. The goal is never observed.
public final class PointNavigationEnvironment: Environment {
    public typealias Task = PointGoal
    public static let denseID = "point-nav-v1"
    public static let sparseID = "point-nav-sparse-v1"
    static let goalRadius = 0.2
    static let maxStep = 0.1

    public static let denseSpec = spec(sparse: false)
    public static let sparseSpec = spec(sparse: true)

    static func spec(sparse: Bool) -> EnvironmentSpec {
        EnvironmentSpec(
            id: sparse ? sparseID : denseID, observationSize: 2, actionSize: 2, horizon: 100, controlTimestep: 1,
            tags: ["navigation", "debug", sparse ? "sparse" : "dense"],
            factory: { _ in PointNavigationEnvironment(sparse: sparse) },
            expert: { PointNavigationExpert(goal: [$0.x, $0.y], maxStep: maxStep) })
    }

    public let id: String
    public let sparse: Bool
    public let observationSpace = BoxSpace(dimension: 2, bound: .infinity)
    public let observationLayout = ObservationLayout([("position", 2)])
    public let actionSpace = BoxSpace.unit(2)
    public let horizon = 100
    public let controlTimestep = 1.0
    public private(set) var task = PointGoal(x: 1, y: 0)
    private var position = (x: 0.0, y: 0.0)

    public init(sparse: Bool, task: PointGoal = PointGoal(x: 1, y: 0)) {
        self.sparse = sparse
        self.id = sparse ? PointNavigationEnvironment.sparseID : PointNavigationEnvironment.denseID
        self.task = task
    }

    public func setTask(_ task: PointGoal) throws {
        guard task.x.isFinite, task.y.isFinite else { throw EnvironmentError.invalidTask("goal must be finite") }
        self.task = task
    }

    public func reset(seed: UInt64) -> [Float] {
        position = (0, 0)
        return observation()
    }

    func observation() -> [Float] { [Float(position.x), Float(position.y)] }

    public func step(_ action: [Float]) throws -> StepResult {
        let a = try actionSpace.validatedAndClipped(action)
        position.x += PointNavigationEnvironment.maxStep * Double(a[0])
        position.y += PointNavigationEnvironment.maxStep * Double(a[1])
        let d = ((position.x - task.x) * (position.x - task.x) + (position.y - task.y) * (position.y - task.y)).squareRoot()
        let inside = d <= PointNavigationEnvironment.goalRadius
        let term = sparse ? RewardTerm("inside", inside ? 1 : 0) : RewardTerm("distance", -d)
        return StepResult(observation: observation(), reward: term.value, status: .running, info: StepInfo(success: inside, terms: [term]))
    }

    public func snapshot() -> EnvironmentSnapshot { EnvironmentSnapshot(State(x: position.x, y: position.y, task: task)) }

    public func restore(_ snapshot: EnvironmentSnapshot) throws {
        guard let s = snapshot.payload as? State else { throw EnvironmentError.foreignSnapshot }
        position = (s.x, s.y)
        task = s.task
    }

    struct State { let x: Double; let y: Double; let task: PointGoal }
}

/// The privileged expert of the navigation tasks: straight to the goal at full speed, then stay.
/// It is given the goal, so its scores are an upper reference, not a competitor.
final class PointNavigationExpert: Policy {
    let goal: [Double]
    let maxStep: Double
    /// The observation index of each goal coordinate's current position.
    let positionRange: Range<Int>

    init(goal: [Double], maxStep: Double, positionRange: Range<Int>? = nil) {
        self.goal = goal; self.maxStep = maxStep; self.positionRange = positionRange ?? 0..<goal.count
    }

    func beginTrial(seed: UInt64) {}
    func beginEpisode(phase: EpisodePhase) {}
    func observe(_ transition: Transition) {}

    func act(_ observation: [Float]) -> [Float] {
        zip(goal, positionRange).map { g, i in Float(max(-1, min(1, (g - Double(observation[i])) / maxStep))) }
    }
}
