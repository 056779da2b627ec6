import MRCore
import MRPhysics

#if canImport(Glibc)
import Glibc
#endif

/// `ml10/lever-pull-v2`: lift a lever arm (radius 0.2 m) from pointing at the robot to pointing up.
///
/// Object 1 is the arm's end (Meta-World's `leverStart` site, the centre of the ball on the arm's
/// end). Reward (Meta-World v3 `SawyerLeverPullEnvV3`, its v2 reward): 10 · hamacher(ready, in_place)
/// with ready = tolerance(‖(hand + (0, 0.055, 0.07) − end) ⊙ (4, 1, 4)‖, (0, 0.02), margin ‖(tcp start
/// + (0, 0.055, 0.07) − end start) ⊙ (4, 1, 4)‖, long tail) (Meta-World's "shoulder" under the lever:
/// the hand position, obs[:3], now; the tcp at the start) and in_place = tolerance(‖end − goal‖,
/// (0, 0.04), margin ‖end start − goal‖, long tail). Success: |angle − π/2| ≤ π/24.
/// Goals: lever base (−0.1, 0.7, 0)…(0.1, 0.8, 0), goal = base + (0.12, 0, 0.45); hand starts at
/// (0, 0.4, 0.2); hand z may go down to −0.15 (Meta-World's bounds).
public struct LeverPullTask: SawyerTask {
    public static let name = "lever-pull"
    public static let scene = "models/ml10_lever_pull.xml"
    public static let split = Split.test
    public static let handInitial = Vec3(0, 0.4, 0.2)
    public static let handLow = Vec3(-0.5, 0.40, -0.15)
    static let low = Vec3(-0.1, 0.7, 0), high = Vec3(0.1, 0.8, 0)
    static let goalOffset = Vec3(0.12, 0, 0.45)
    static let endOffset = Vec3(0, -0.2, 0), gripOffset = Vec3(0.06, 0, 0)

    public static let defaultDescriptor = SawyerGoal(object: Vec3(0, 0.75, 0), goal: Vec3(0, 0.75, 0) + goalOffset)
    public static func sample(_ g: inout SeededGenerator) -> SawyerGoal { SawyerSampling.offsetGoal(&g, low, high, offset: goalOffset) }
    public static func validate(_ d: SawyerGoal) throws { try SawyerSampling.checkOffsetGoal(d, low, high, offset: goalOffset, "lever", task: name) }
    public static func expert(_ d: SawyerGoal) -> any Policy { LeverPullExpert(d) }

    /// The arm's end on the lever link, carried by the lever base.
    let arm: FixturePoint, axis: JointID
    /// The arm's end and the tcp at the start.
    var start = EpisodeStart()
    public init(rig: SawyerRig) throws {
        arm = try FixturePoint(rig: rig, fixture: "lever", part: "lever_link", offset: Self.endOffset); axis = try rig.joint("LeverAxis")
    }

    public mutating func reset(_ d: SawyerGoal, rig: SawyerRig) throws {
        try arm.place(at: d.object, rig: rig)
        start.record(object: arm.position(rig), rig: rig)
    }

    public func objects(rig: SawyerRig) -> (Vec3, [Double], Vec3?, [Double]?) { arm.observed(rig) }

    public func evaluate(_ d: SawyerGoal, rig: SawyerRig, action: [Float]) -> SawyerEvaluation {
        let e = arm.position(rig)
        let shoulder = Vec3(0, 0.055, 0.07), scale = Vec3(4, 1, 4)
        let ready = Shaping.tolerance((rig.handPosition + shoulder - e).scaled(scale).norm, bounds: (0, 0.02),
                                      margin: (start.tcp + shoulder - start.object).scaled(scale).norm)
        let inPlace = Shaping.tolerance((e - d.goal).norm, bounds: (0, 0.04), margin: (start.object - d.goal).norm)
        let angle = rig.simulation.jointPosition(axis)
        let err = abs(angle - Double.pi / 2)
        return SawyerEvaluation(reward: 10 * Shaping.hamacher(ready, inPlace), success: err <= Double.pi / 24,
                                terms: [RewardTerm("ready", ready), RewardTerm("in_place", inPlace), RewardTerm("angle_error", err)])
    }
}
