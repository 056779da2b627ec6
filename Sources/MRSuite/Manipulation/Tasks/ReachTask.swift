import MRCore
import MRPhysics

/// `ml10/reach-v2`: move the tcp to a goal point in the air; a puck on the table is a distractor.
///
/// Reward (Meta-World v2 `SawyerReachEnvV3`): 10 · tolerance(‖tcp − goal‖, bounds (0, 0.05),
/// margin ‖hand start − goal‖, long tail); term `in_place`. Success: ‖tcp − goal‖ ≤ 0.05.
/// Goals: puck (−0.1, 0.6, 0.02)…(0.1, 0.7, 0.02), goal (−0.1, 0.8, 0.05)…(0.1, 0.9, 0.3), their xy at least 0.15 apart.
public struct ReachTask: PuckTask {
    public static let name = "reach"
    public static let scene = "models/ml10_reach.xml"
    public static let split = Split.train
    static let ranges = PlacementRanges(objectLow: Vec3(-0.1, 0.6, 0.02), objectHigh: Vec3(0.1, 0.7, 0.02),
                                        goalLow: Vec3(-0.1, 0.8, 0.05), goalHigh: Vec3(0.1, 0.9, 0.3))

    public static let defaultDescriptor = SawyerGoal(object: Vec3(0, 0.6, 0.02), goal: Vec3(0, 0.85, 0.175))
    public static func sample(_ g: inout SeededGenerator) -> SawyerGoal { ranges.sampleGoal(&g, minXYGap: 0.15) }
    public static func validate(_ d: SawyerGoal) throws { try ranges.check(object: d.object, goal: d.goal, task: name) }
    public static func expert(_ d: SawyerGoal) -> any Policy { ReachExpert(d) }

    /// The distractor puck (its recorded start is unused).
    var puck: Puck

    public func evaluate(_ d: SawyerGoal, rig: SawyerRig, action: [Float]) -> SawyerEvaluation {
        let dist = (rig.tcp - d.goal).norm
        let inPlace = Shaping.tolerance(dist, bounds: (0, 0.05), margin: (Self.handInitial - d.goal).norm)
        return SawyerEvaluation(reward: 10 * inPlace, success: dist <= 0.05, terms: [RewardTerm("in_place", inPlace), RewardTerm("tcp_to_goal", dist)])
    }
}
