import MRCore
import MRPhysics

/// `ml10/sweep-into-v2`: sweep a puck into the hole at (0, 0.84) (here a marked spot on the
/// unbounded table top: the goal is the puck resting there).
///
/// Reward (Meta-World v3 `SawyerSweepIntoGoalEnvV3`, its v2 reward), against the target (goal x,
/// goal y, puck z): 2 · grasp + 6 · hamacher(grasp, in_place), grasp = sweep-into's own caging
/// (`Shaping.localCaging`: obj radius 0.02, pads within 0.05 in y, gripping within 0.025, xz
/// threshold 0.01; (caging + gripping) / 2); in_place = tolerance(‖obj − target‖, (0, 0.05), margin
/// ‖obj start − target‖, long tail); 10 once ‖obj − target‖ < 0.05. Success: ‖obj − target‖ ≤ 0.05.
/// Goals: puck (−0.1, 0.6, 0.02)…(0.1, 0.7, 0.02), goal (0, 0.84, 0.02).
public struct SweepIntoTask: PuckTask {
    public static let name = "sweep-into"
    public static let scene = "models/ml10_sweep_into.xml"
    public static let split = Split.test
    static let objLow = Vec3(-0.1, 0.6, 0.02), objHigh = Vec3(0.1, 0.7, 0.02)
    static let hole = Vec3(0, 0.84, 0.02)

    public static let defaultDescriptor = SawyerGoal(object: Vec3(0, 0.65, 0.02), goal: hole)
    public static func sample(_ g: inout SeededGenerator) -> SawyerGoal {
        SawyerGoal(object: SawyerSampling.uniform(&g, objLow, objHigh), goal: hole)
    }
    public static func validate(_ d: SawyerGoal) throws {
        try SawyerSampling.check(d.object, objLow, objHigh, "puck", task: name)
        guard (d.goal - hole).norm < 1e-5 else { throw EnvironmentError.invalidTask("\(name): goal must be the hole \(hole)") }
    }
    public static func expert(_ d: SawyerGoal) -> any Policy { SweepIntoExpert(d) }

    var puck: Puck

    public func evaluate(_ d: SawyerGoal, rig: SawyerRig, action: [Float]) -> SawyerEvaluation {
        let z = puck.position(rig).z
        return puck.sweepEvaluation(toward: Vec3(d.goal.x, d.goal.y, z), rig: rig, action: action, gripMargin: 0.025, xzThreshold: 0.01)
    }
}
