import MRCore
import MRPhysics

/// `ml10/drawer-close-v2`: push a drawer that starts 0.15 m open shut.
///
/// Object 1 is the handle. Reward (Meta-World v2 `SawyerDrawerCloseEnvV3`): 10 · hamacher(reach,
/// in_place), reach = hamacher(tolerance(‖handle − tcp‖, (0, 0.005), margin |‖handle start − tcp
/// start‖ − 0.005|, gaussian), gripper effort clipped to [0, 1]), in_place = tolerance(‖handle −
/// goal‖, (0, 0.05), margin |‖handle start − goal‖ − 0.05|, long tail); 10 once ‖handle − goal‖ ≤
/// 0.065. Success: ‖handle − goal‖ ≤ 0.065. Goals: case (−0.1, 0.9, 0)…(0.1, 0.9, 0), goal = case + (0, −0.16, 0.09).
public struct DrawerCloseTask: DrawerTask {
    public static let name = "drawer-close"
    public static let split = Split.train
    static let goalOffset = Vec3(0, -0.16, 0.09)
    static let startOpening = 0.15

    public static func expert(_ d: SawyerGoal) -> any Policy { DrawerCloseExpert(d) }

    let parts: DrawerParts
    var start = EpisodeStart()
    init(parts: DrawerParts) { self.parts = parts }

    public func evaluate(_ d: SawyerGoal, rig: SawyerRig, action: [Float]) -> SawyerEvaluation {
        let handle = parts.handle(rig)
        let err = (handle - d.goal).norm, err0 = (start.object - d.goal).norm
        let inPlace = Shaping.tolerance(err, bounds: (0, 0.05), margin: abs(err0 - 0.05))
        let reachRadius = 0.005
        let tcpToHandle = (handle - rig.tcp).norm
        var reach = Shaping.tolerance(tcpToHandle, bounds: (0, reachRadius), margin: abs((start.object - start.tcp).norm - reachRadius), sigmoid: .gaussian)
        reach = Shaping.hamacher(reach, min(max(0, Double(action[3])), 1))
        var r = Shaping.hamacher(reach, inPlace)
        if err <= 0.065 { r = 1 }
        return SawyerEvaluation(reward: 10 * r, success: err <= 0.065,
                                terms: [RewardTerm("reach", reach), RewardTerm("in_place", inPlace), RewardTerm("handle_to_goal", err)])
    }
}
