import MRCore
import MRPhysics

/// `ml10/pick-place-v2`: pick a puck up and hold it at a goal in the air.
///
/// Reward (Meta-World v3 `SawyerPickPlaceEnvV3`, its v2 reward): hamacher(grasp, in_place) with
/// grasp = pick-place's own caging (`Shaping.localCaging`: obj radius 0.015, pads within 0.05 in y,
/// xz threshold 0.005; (hamacher(caging, effort once caging > 0.97) + caging) / 2) and in_place = tolerance(‖obj − goal‖,
/// (0, 0.05), margin ‖obj start − goal‖, long tail); + 1 + 5 · in_place when the tcp is within
/// 0.02 of the puck and the puck is lifted 0.01 above its start; 10 once ‖obj − goal‖ < 0.05.
/// Success: ‖obj − goal‖ ≤ 0.07. Goals: puck (−0.1, 0.6, 0.02)…(0.1, 0.7, 0.02), goal
/// (−0.1, 0.8, 0.05)…(0.1, 0.9, 0.3).
public struct PickPlaceTask: PuckTask {
    public static let name = "pick-place"
    public static let scene = "models/ml10_pick_place.xml"
    public static let split = Split.train
    static let ranges = PlacementRanges(objectLow: Vec3(-0.1, 0.6, 0.02), objectHigh: Vec3(0.1, 0.7, 0.02),
                                        goalLow: Vec3(-0.1, 0.8, 0.05), goalHigh: Vec3(0.1, 0.9, 0.3))

    public static let defaultDescriptor = SawyerGoal(object: Vec3(0, 0.6, 0.02), goal: Vec3(0, 0.85, 0.175))
    public static func sample(_ g: inout SeededGenerator) -> SawyerGoal { ranges.sampleGoal(&g, minXYGap: 0.15) }
    public static func validate(_ d: SawyerGoal) throws { try ranges.check(object: d.object, goal: d.goal, task: name) }
    public static func expert(_ d: SawyerGoal) -> any Policy { PickPlaceExpert(d) }

    var puck: Puck

    public func evaluate(_ d: SawyerGoal, rig: SawyerRig, action: [Float]) -> SawyerEvaluation {
        var p = puck.progress(toward: d.goal, inPlaceBounds: (0, 0.05), rig: rig, effort: action[3],
                              caging: CagingShape(objectRadius: 0.015, padThreshold: 0.05, xzThreshold: 0.005))
        p.grasped = puck.localCaging(rig, object: p.object, effort: action[3], objectRadius: 0.015, xzThreshold: 0.005, kind: .effort)
        var r = Shaping.liftReward(grasped: p.grasped, inPlace: p.inPlace, lifted: puck.isLifted(p.object, rig: rig, tcpWithin: 0.02))
        if p.toGoal < 0.05 { r = 10 }
        return p.evaluation(reward: r, success: p.toGoal <= 0.07)
    }
}
