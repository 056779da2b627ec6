import MRCore
import MRPhysics

/// `ml10/shelf-place-v1`: pick a puck up and put it on a shelf board 0.28 m above the table.
///
/// `fixture` is the shelf base S, the goal S + (0, 0, 0.3). Reward (Meta-World v2
/// `SawyerShelfPlaceEnvV3`): hamacher(caging, in_place) with caging (obj radius 0.02, pad threshold
/// 0.05, xz threshold 0.01) and in_place = tolerance(‖obj − goal‖, (0, 0.05), margin ‖obj start −
/// goal‖, long tail), in_place reduced below the board's front (hamacher of y and z scalings) and
/// zeroed behind it; + 1 + 5 · in_place when the tcp is within 0.025 of the lifted puck; 10 once
/// ‖obj − goal‖ < 0.05. Success: ‖obj − goal‖ ≤ 0.07. Goals: puck (−0.1, 0.5, 0.02)…(0.1, 0.6, 0.02),
/// goal (−0.1, 0.8, 0.3)…(0.1, 0.9, 0.3).
public struct ShelfPlaceTask: SawyerTask {
    public static let name = "shelf-place"
    public static let scene = "models/ml10_shelf_place.xml"
    public static let split = Split.test
    static let objLow = Vec3(-0.1, 0.5, 0.02), objHigh = Vec3(0.1, 0.6, 0.02)
    static let goalLow = Vec3(-0.1, 0.8, 0.3), goalHigh = Vec3(0.1, 0.9, 0.3)
    static let shelfToGoal = Vec3(0, 0, 0.3)

    public static let defaultDescriptor = SawyerGoal(object: Vec3(0, 0.55, 0.02), goal: Vec3(0, 0.85, 0.3), fixture: Vec3(0, 0.85, 0))
    public static func sample(_ g: inout SeededGenerator) -> SawyerGoal {
        let o = SawyerSampling.uniform(&g, objLow, objHigh), goal = SawyerSampling.uniform(&g, goalLow, goalHigh)
        return SawyerGoal(object: o, goal: goal, fixture: goal - shelfToGoal)
    }
    public static func validate(_ d: SawyerGoal) throws {
        try SawyerSampling.check(d.object, objLow, objHigh, "puck", task: name)
        try SawyerSampling.check(d.goal, goalLow, goalHigh, "goal", task: name)
        guard let f = d.fixture, (f + shelfToGoal - d.goal).norm < 1e-5 else { throw EnvironmentError.invalidTask("\(name): fixture must be the shelf base, goal − \(shelfToGoal)") }
    }
    public static func goal(_ d: SawyerGoal) -> Vec3 { d.goal }
    public static func expert(_ d: SawyerGoal) -> any Policy { ShelfPlaceExpert(d) }

    let obj: BodyID, shelf: BodyID
    var memory = PuckMemory()
    public init(rig: SawyerRig) throws { obj = try rig.body("obj"); shelf = try rig.body("shelf") }

    public mutating func reset(_ d: SawyerGoal, rig: SawyerRig) throws {
        try rig.place([shelf], at: d.fixture ?? d.goal - Self.shelfToGoal)
        try rig.place([obj], at: d.object)
        memory.record(object: d.object, rig: rig)
    }

    public func objects(rig: SawyerRig) -> (Vec3, [Double], Vec3?, [Double]?) {
        let (p, q) = rig.observedPose(obj)
        return (p, q, nil, nil)
    }

    public func evaluate(_ d: SawyerGoal, rig: SawyerRig, action: [Float]) -> SawyerEvaluation {
        let o = rig.simulation.bodyPose(obj).position, target = d.goal
        let toGoal = (o - target).norm, tcpToObj = (o - rig.tcp).norm
        var inPlace = Shaping.tolerance(toGoal, bounds: (0, 0.05), margin: (memory.objectInitial - target).norm)
        let grasped = memory.caging(rig, object: o, effort: action[3], objectRadius: 0.02, padThreshold: 0.05, reachRadius: 0.01, xzThreshold: 0.01)
        var r = Shaping.hamacher(grasped, inPlace)
        let besideShelf = o.z > 0 && o.z < 0.24 && o.x > target.x - 0.15 && o.x < target.x + 0.15
        if besideShelf && o.y > target.y - 0.15 && o.y < target.y {
            let bound = Shaping.hamacher((o.y - (target.y - 0.15)) / 0.15, (0.24 - o.z) / 0.24)
            inPlace = min(max(inPlace - bound, 0), 1)
        }
        if besideShelf && o.y > target.y { inPlace = 0 }
        if tcpToObj < 0.025 && rig.gripperOpening > 0 && o.z - 0.01 > memory.objectInitial.z { r += 1 + 5 * inPlace }
        if toGoal < 0.05 { r = 10 }
        return SawyerEvaluation(reward: r, success: toGoal <= 0.07,
                                terms: [RewardTerm("grasp", grasped), RewardTerm("in_place", inPlace), RewardTerm("obj_to_goal", toGoal), RewardTerm("tcp_to_obj", tcpToObj)])
    }
}
