import MRCore
import MRPhysics

#if canImport(Glibc)
import Glibc
#endif

/// Which of the four Fetch tasks an environment runs.
public enum FetchTaskKind: String, Codable, Hashable, Sendable, CaseIterable {
    case reach
    case push
    case pickAndPlace = "pick-place"
    case slide
}

/// A Fetch task: the desired goal and the object's start, each pinned or left to the reset seed.
///
/// A frozen task set pins both (`goal`, and `object` for the tasks with an object), and then a
/// reset seed adds nothing: the episode is fully determined by the task. A field left nil is
/// sampled at every reset from the reset seed, with Gymnasium-Robotics v4's distribution (the
/// default task, for goal-conditioned training with fresh goals every episode).
public struct FetchTask: TaskDescriptor {
    public static let kind = "fetch-goal"
    /// Desired goal (x, y, z) in the world frame, metres; nil: sampled per reset.
    public var goal: [Double]?
    /// Object start (x, y) on the table, metres (its height and orientation are fixed); nil: sampled per reset.
    public var object: [Double]?
    public init(goal: [Double]? = nil, object: [Double]? = nil) { self.goal = goal; self.object = object }

    func validate(for kind: FetchTaskKind) throws {
        if let g = goal, g.count != 3 || !g.allSatisfy(\.isFinite) { throw EnvironmentError.invalidTask("goal must be 3 finite numbers, got \(g)") }
        if let o = object {
            guard kind != .reach else { throw EnvironmentError.invalidTask("fetch reach has no object") }
            guard o.count == 2, o.allSatisfy(\.isFinite) else { throw EnvironmentError.invalidTask("object must be 2 finite numbers (x, y), got \(o)") }
        }
    }
}

/// The fixed facts of one Fetch task (Gymnasium-Robotics v4 values unless stated).
struct FetchConfiguration: Sendable {
    let kind: FetchTaskKind
    let model: String
    let hasObject: Bool
    /// Fingers held closed (reach, push, slide): the model's fingers are rigid parts of the gripper.
    let blockGripper: Bool
    /// The grip point at reset (v4's `initial_gripper_xpos`).
    let initialGrip: Vec3
    /// Height of the object's centre resting on the table (v4's `height_offset`).
    let objectHeight: Double
    let targetInTheAir: Bool
    let targetOffset: Vec3
    let objectRange: Double
    let targetRange: Double
    /// The box the mocap target is clipped to: the arm's reach, which this gripper-only model lacks.
    let workspace: (low: Vec3, high: Vec3)
    /// Footprint of the table top (x, y) and its height, for the never-inside-the-table check.
    let table: (low: Vec3, high: Vec3)

    static func of(_ kind: FetchTaskKind) -> FetchConfiguration {
        let grip = Vec3(1.3419, 0.7491, 0.5347)
        let standardTable = (low: Vec3(1.05, 0.40, 0), high: Vec3(1.55, 1.10, 0.4))
        let standardWorkspace = (low: Vec3(1.0, 0.35, 0.414), high: Vec3(1.65, 1.15, 0.95))
        switch kind {
        case .reach:
            return FetchConfiguration(kind: kind, model: "models/fetch_reach.xml", hasObject: false, blockGripper: true, initialGrip: grip,
                                      objectHeight: 0.425, targetInTheAir: true, targetOffset: .zero, objectRange: 0.15, targetRange: 0.15,
                                      workspace: standardWorkspace, table: standardTable)
        case .push:
            return FetchConfiguration(kind: kind, model: "models/fetch_push.xml", hasObject: true, blockGripper: true, initialGrip: Vec3(1.3419, 0.7491, 0.4132),
                                      objectHeight: 0.425, targetInTheAir: false, targetOffset: .zero, objectRange: 0.15, targetRange: 0.15,
                                      workspace: standardWorkspace, table: standardTable)
        case .pickAndPlace:
            return FetchConfiguration(kind: kind, model: "models/fetch_pick_and_place.xml", hasObject: true, blockGripper: false, initialGrip: grip,
                                      objectHeight: 0.425, targetInTheAir: true, targetOffset: .zero, objectRange: 0.15, targetRange: 0.15,
                                      workspace: standardWorkspace, table: standardTable)
        case .slide:
            return FetchConfiguration(kind: kind, model: "models/fetch_slide.xml", hasObject: true, blockGripper: true, initialGrip: Vec3(0.9869, 0.7491, 0.4132),
                                      objectHeight: 0.42, targetInTheAir: false, targetOffset: Vec3(0.4, 0, 0), objectRange: 0.1, targetRange: 0.3,
                                      workspace: (low: Vec3(0.75, 0.35, 0.414), high: Vec3(1.25, 1.15, 0.95)),
                                      table: (low: Vec3(0.69942, 0.30018, 0), high: Vec3(1.94942, 1.20018, 0.4)))
        }
    }

    /// Gymnasium-Robotics v4 `_reset_sim` and `_sample_goal`, drawing from `g` (object first, then goal).
    func sample(_ task: FetchTask, _ g: inout SeededGenerator) -> (object: Vec3?, goal: Vec3) {
        var object: Vec3?
        if hasObject {
            if let o = task.object {
                object = Vec3(o[0], o[1], objectHeight)
            } else {
                var x = initialGrip.x, y = initialGrip.y
                while ((x - initialGrip.x) * (x - initialGrip.x) + (y - initialGrip.y) * (y - initialGrip.y)).squareRoot() < 0.1 {
                    x = initialGrip.x + g.uniform(-objectRange, objectRange)
                    y = initialGrip.y + g.uniform(-objectRange, objectRange)
                }
                object = Vec3(x, y, objectHeight)
            }
        }
        if let gl = task.goal { return (object, Vec3(gl[0], gl[1], gl[2])) }
        var goal = initialGrip + Vec3(g.uniform(-targetRange, targetRange), g.uniform(-targetRange, targetRange), g.uniform(-targetRange, targetRange))
        if hasObject {
            goal += targetOffset
            goal.z = objectHeight
            if targetInTheAir && g.uniform(0, 1) < 0.5 { goal.z += g.uniform(0, 0.45) }
        }
        return (object, goal)
    }
}
