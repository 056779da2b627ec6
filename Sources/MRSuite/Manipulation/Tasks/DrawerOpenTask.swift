import MRCore
import MRPhysics

/// `ml10/drawer-open-v2`: pull a drawer 0.2 m open by its handle.
///
/// Object 1 is the handle. Reward (Meta-World v3 `SawyerDrawerOpenEnvV3`, its v2 reward): 5 · (caging + opening)
/// with opening = tolerance(‖handle − goal‖, (0, 0.02), margin 0.2, long tail) and caging =
/// tolerance(‖(handle − hand) ⊙ (3, 3, 1)‖, (0, 0.01), margin ‖(handle start − tcp start) ⊙ (3, 3, 1)‖,
/// long tail) (Meta-World v3 measures the current error from the hand position, obs[:3], and the
/// margin from the tcp). Success: ‖handle − goal‖ ≤ 0.03. Goals: case (−0.1, 0.9, 0)…(0.1, 0.9, 0), goal =
/// case + (0, −0.36, 0.09).
public struct DrawerOpenTask: DrawerTask {
    public static let name = "drawer-open"
    public static let split = Split.test
    static let goalOffset = Vec3(0, -0.36, 0.09)
    static let startOpening = 0.0

    public static func expert(_ d: SawyerGoal) -> any Policy { DrawerOpenExpert(d) }

    let parts: DrawerParts
    var start = EpisodeStart()
    init(parts: DrawerParts) { self.parts = parts }

    public func evaluate(_ d: SawyerGoal, rig: SawyerRig, action: [Float]) -> SawyerEvaluation {
        let handle = parts.handle(rig)
        let err = (handle - d.goal).norm
        let opening = Shaping.tolerance(err, bounds: (0, 0.02), margin: 0.2)
        let scale = Vec3(3, 3, 1)
        let gripErr = (handle - rig.handPosition).scaled(scale).norm, gripErr0 = (start.object - start.tcp).scaled(scale).norm
        let caging = Shaping.tolerance(gripErr, bounds: (0, 0.01), margin: gripErr0)
        return SawyerEvaluation(reward: 5 * (caging + opening), success: err <= 0.03,
                                terms: [RewardTerm("caging", caging), RewardTerm("opening", opening), RewardTerm("handle_to_goal", err)])
    }
}
