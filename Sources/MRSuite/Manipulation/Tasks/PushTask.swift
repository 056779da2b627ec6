import MRCore
import MRPhysics

/// `ml10/push-v2`: push (or drag) a puck to a goal on the table.
///
/// Reward (Meta-World v2 `SawyerPushEnvV3`): 2 · caging (obj radius 0.015, pad threshold 0.05,
/// xz threshold 0.005, high density); when the tcp is within 0.02 of the puck, + 1 + that + 5 ·
/// in_place with in_place = tolerance(‖obj − goal‖, (0, 0.05), margin ‖obj start − goal‖, long
/// tail); 10 once ‖obj − goal‖ < 0.05. Success: ‖obj − goal‖ ≤ 0.05.
/// Goals: puck (−0.1, 0.6, 0.02)…(0.1, 0.7, 0.02), goal (−0.1, 0.8, 0.01)…(0.1, 0.9, 0.02).
public struct PushTask: PuckTask {
    public static let name = "push"
    public static let scene = "models/ml10_push.xml"
    public static let split = Split.train
    static let ranges = PlacementRanges(objectLow: Vec3(-0.1, 0.6, 0.02), objectHigh: Vec3(0.1, 0.7, 0.02),
                                        goalLow: Vec3(-0.1, 0.8, 0.01), goalHigh: Vec3(0.1, 0.9, 0.02))

    public static let defaultDescriptor = SawyerGoal(object: Vec3(0, 0.6, 0.02), goal: Vec3(0, 0.85, 0.015))
    public static func sample(_ g: inout SeededGenerator) -> SawyerGoal { ranges.sampleGoal(&g) }
    public static func validate(_ d: SawyerGoal) throws { try ranges.check(object: d.object, goal: d.goal, task: name) }
    public static func expert(_ d: SawyerGoal) -> any Policy { PushExpert(d) }

    var puck: Puck

    public func evaluate(_ d: SawyerGoal, rig: SawyerRig, action: [Float]) -> SawyerEvaluation {
        let p = puck.progress(toward: d.goal, inPlaceBounds: (0, 0.05), rig: rig, effort: action[3],
                              caging: CagingShape(objectRadius: 0.015, padThreshold: 0.05, xzThreshold: 0.005, density: .high))
        var r = 2 * p.grasped
        if p.tcpToObject < 0.02 && rig.gripperOpening > 0 { r += 1 + r + 5 * p.inPlace }
        if p.toGoal < 0.05 { r = 10 }
        return p.evaluation(reward: r, success: p.toGoal <= 0.05)
    }
}
