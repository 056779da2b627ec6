import MRCore
import MRPhysics

/// `ml10/pick-place-v1`: pick a puck up and hold it at a goal in the air.
///
/// Reward (Meta-World v2 `SawyerPickPlaceEnvV3`): hamacher(caging, in_place) with caging (obj
/// radius 0.015, pad threshold 0.05, xz threshold 0.005) and in_place = tolerance(‖obj − goal‖,
/// (0, 0.05), margin ‖obj start − goal‖, long tail); + 1 + 5 · in_place when the tcp is within
/// 0.02 of the puck and the puck is lifted 0.01 above its start; 10 once ‖obj − goal‖ < 0.05.
/// Success: ‖obj − goal‖ ≤ 0.07. Goals: puck (−0.1, 0.6, 0.02)…(0.1, 0.7, 0.02), goal
/// (−0.1, 0.8, 0.05)…(0.1, 0.9, 0.3).
public struct PickPlaceTask: SawyerTask {
    public static let name = "pick-place"
    public static let scene = "models/ml10_pick_place.xml"
    public static let split = Split.train
    static let objLow = Vec3(-0.1, 0.6, 0.02), objHigh = Vec3(0.1, 0.7, 0.02)
    static let goalLow = Vec3(-0.1, 0.8, 0.05), goalHigh = Vec3(0.1, 0.9, 0.3)

    public static let defaultDescriptor = SawyerGoal(object: Vec3(0, 0.6, 0.02), goal: Vec3(0, 0.85, 0.175))
    public static func sample(_ g: inout SeededGenerator) -> SawyerGoal {
        while true {
            let o = SawyerSampling.uniform(&g, objLow, objHigh), goal = SawyerSampling.uniform(&g, goalLow, goalHigh)
            if ((o.x - goal.x) * (o.x - goal.x) + (o.y - goal.y) * (o.y - goal.y)).squareRoot() >= 0.15 { return SawyerGoal(object: o, goal: goal) }
        }
    }
    public static func validate(_ d: SawyerGoal) throws {
        try SawyerSampling.check(d.object, objLow, objHigh, "puck", task: name)
        try SawyerSampling.check(d.goal, goalLow, goalHigh, "goal", task: name)
    }
    public static func goal(_ d: SawyerGoal) -> Vec3 { d.goal }
    public static func expert(_ d: SawyerGoal) -> any Policy { PickPlaceExpert(d) }

    let obj: BodyID
    var memory = PuckMemory()
    public init(rig: SawyerRig) throws { obj = try rig.body("obj") }

    public mutating func reset(_ d: SawyerGoal, rig: SawyerRig) throws {
        try rig.place([obj], at: d.object)
        memory.record(object: d.object, rig: rig)
    }

    public func objects(rig: SawyerRig) -> (Vec3, [Double], Vec3?, [Double]?) {
        let (p, q) = rig.observedPose(obj)
        return (p, q, nil, nil)
    }

    public func evaluate(_ d: SawyerGoal, rig: SawyerRig, action: [Float]) -> SawyerEvaluation {
        let o = rig.simulation.bodyPose(obj).position
        let toGoal = (o - d.goal).norm, tcpToObj = (o - rig.tcp).norm
        let inPlace = Shaping.tolerance(toGoal, bounds: (0, 0.05), margin: (memory.objectInitial - d.goal).norm)
        let grasped = memory.caging(rig, object: o, effort: action[3], objectRadius: 0.015, padThreshold: 0.05, reachRadius: 0.01, xzThreshold: 0.005)
        var r = Shaping.hamacher(grasped, inPlace)
        if tcpToObj < 0.02 && rig.gripperOpening > 0 && o.z - 0.01 > memory.objectInitial.z { r += 1 + 5 * inPlace }
        if toGoal < 0.05 { r = 10 }
        return SawyerEvaluation(reward: r, success: toGoal <= 0.07,
                                terms: [RewardTerm("grasp", grasped), RewardTerm("in_place", inPlace), RewardTerm("obj_to_goal", toGoal), RewardTerm("tcp_to_obj", tcpToObj)])
    }
}
