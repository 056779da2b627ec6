import MRCore
import MRPhysics

/// `ml10/window-open-v2`: slide a window 0.2 m along +x by its handle.
///
/// Object 1 is the handle. Reward (Meta-World v2 `SawyerWindowOpenEnvV3`): 10 · hamacher(reach,
/// in_place), in_place = tolerance(|handle x − goal x|, (0, 0.05), margin |handle start x − goal x| − 0.05,
/// long tail), reach = tolerance(‖handle − tcp‖, (0, 0.02), margin |‖handle start − tcp start‖ − 0.02|,
/// long tail). Success: |handle x − goal x| ≤ 0.05. Goals: window (−0.1, 0.7, 0.16)…(0.1, 0.9, 0.16),
/// goal = window + (0.2, 0, 0); hand starts at (0, 0.4, 0.2) (Meta-World's `hand_init_pos`).
public struct WindowOpenTask: SawyerTask {
    public static let name = "window-open"
    public static let scene = "models/ml10_window_open.xml"
    public static let split = Split.train
    public static let handInitial = Vec3(0, 0.4, 0.2)
    static let low = Vec3(-0.1, 0.7, 0.16), high = Vec3(0.1, 0.9, 0.16)
    static let goalOffset = Vec3(0.2, 0, 0)
    static let handleOffset = Vec3(0, -0.08, 0)

    public static let defaultDescriptor = SawyerGoal(object: Vec3(0, 0.8, 0.16), goal: Vec3(0, 0.8, 0.16) + goalOffset)
    public static func sample(_ g: inout SeededGenerator) -> SawyerGoal { SawyerSampling.offsetGoal(&g, low, high, offset: goalOffset) }
    public static func validate(_ d: SawyerGoal) throws { try SawyerSampling.checkOffsetGoal(d, low, high, offset: goalOffset, "window", task: name) }
    public static func expert(_ d: SawyerGoal) -> any Policy { WindowOpenExpert(d) }

    /// The handle on the sliding sash, carried by the window frame.
    let handle: FixturePoint
    /// The handle and the tcp at the start.
    var start = EpisodeStart()
    public init(rig: SawyerRig) throws { handle = try FixturePoint(rig: rig, fixture: "window", part: "window_link", offset: Self.handleOffset) }

    public mutating func reset(_ d: SawyerGoal, rig: SawyerRig) throws {
        try handle.place(at: d.object, rig: rig)
        start.record(object: handle.position(rig), rig: rig)
    }

    public func objects(rig: SawyerRig) -> (Vec3, [Double], Vec3?, [Double]?) { handle.observed(rig) }

    public func evaluate(_ d: SawyerGoal, rig: SawyerRig, action: [Float]) -> SawyerEvaluation {
        let h = handle.position(rig)
        let err = abs(h.x - d.goal.x), err0 = abs(start.object.x - d.goal.x)
        let inPlace = Shaping.tolerance(err, bounds: (0, 0.05), margin: abs(err0 - 0.05))
        let reach = Shaping.tolerance((h - rig.tcp).norm, bounds: (0, 0.02), margin: abs((start.object - start.tcp).norm - 0.02))
        return SawyerEvaluation(reward: 10 * Shaping.hamacher(reach, inPlace), success: err <= 0.05,
                                terms: [RewardTerm("reach", reach), RewardTerm("in_place", inPlace), RewardTerm("handle_to_goal_x", err)])
    }
}
