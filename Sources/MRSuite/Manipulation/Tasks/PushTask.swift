import MRCore
import MRPhysics

/// `ml10/push-v1`: push (or drag) a puck to a goal on the table.
///
/// Reward (Meta-World v2 `SawyerPushEnvV3`): 2 · caging (obj radius 0.015, pad threshold 0.05,
/// xz threshold 0.005, high density); when the tcp is within 0.02 of the puck, + 1 + that + 5 ·
/// in_place with in_place = tolerance(‖obj − goal‖, (0, 0.05), margin ‖obj start − goal‖, long
/// tail); 10 once ‖obj − goal‖ < 0.05. Success: ‖obj − goal‖ ≤ 0.05.
/// Goals: puck (−0.1, 0.6, 0.02)…(0.1, 0.7, 0.02), goal (−0.1, 0.8, 0.01)…(0.1, 0.9, 0.02).
public struct PushTask: SawyerTask {
    public static let name = "push"
    public static let scene = "models/ml10_push.xml"
    public static let split = Split.train
    static let objLow = Vec3(-0.1, 0.6, 0.02), objHigh = Vec3(0.1, 0.7, 0.02)
    static let goalLow = Vec3(-0.1, 0.8, 0.01), goalHigh = Vec3(0.1, 0.9, 0.02)

    public static let defaultDescriptor = SawyerGoal(object: Vec3(0, 0.6, 0.02), goal: Vec3(0, 0.85, 0.015))
    public static func sample(_ g: inout SeededGenerator) -> SawyerGoal {
        SawyerGoal(object: SawyerSampling.uniform(&g, objLow, objHigh), goal: SawyerSampling.uniform(&g, goalLow, goalHigh))
    }
    public static func validate(_ d: SawyerGoal) throws {
        try SawyerSampling.check(d.object, objLow, objHigh, "puck", task: name)
        try SawyerSampling.check(d.goal, goalLow, goalHigh, "goal", task: name)
    }
    public static func goal(_ d: SawyerGoal) -> Vec3 { d.goal }
    public static func expert(_ d: SawyerGoal) -> any Policy { PushExpert(d) }

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
        let grasped = memory.caging(rig, object: o, effort: action[3], objectRadius: 0.015, padThreshold: 0.05, reachRadius: 0.01, xzThreshold: 0.005, density: .high)
        var r = 2 * grasped
        if tcpToObj < 0.02 && rig.gripperOpening > 0 { r += 1 + r + 5 * inPlace }
        if toGoal < 0.05 { r = 10 }
        return SawyerEvaluation(reward: r, success: toGoal <= 0.05,
                                terms: [RewardTerm("grasp", grasped), RewardTerm("in_place", inPlace), RewardTerm("obj_to_goal", toGoal), RewardTerm("tcp_to_obj", tcpToObj)])
    }
}
