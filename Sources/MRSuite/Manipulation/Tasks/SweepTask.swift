import MRCore
import MRPhysics

/// `ml10/sweep-v2`: sweep a puck along the table to the goal at x = 0.5 (Meta-World sweeps it to the
/// table's edge; here the table top is unbounded, so the goal is the spot at the edge).
///
/// Reward (Meta-World v3 `SawyerSweepEnvV3`, its v2 reward): 2 · grasp + 6 · hamacher(grasp,
/// in_place), grasp = sweep's own caging (`Shaping.localCaging`: obj radius 0.02, pads within 0.05
/// in y, gripping within 0.03, xz threshold 0.005; (caging + gripping) / 2, which pays for
/// approaching the puck); in_place = tolerance(‖obj − goal‖, (0, 0.05), margin ‖obj start − goal‖,
/// long tail); 10 once ‖obj − goal‖ < 0.05. Success: ‖obj − goal‖ ≤ 0.05. Goals: puck (−0.1, 0.6, 0.02)…(0.1, 0.7, 0.02), goal (0.5, puck y, 0.01).
public struct SweepTask: PuckTask {
    public static let name = "sweep"
    public static let scene = "models/ml10_sweep.xml"
    public static let split = Split.train
    static let objLow = Vec3(-0.1, 0.6, 0.02), objHigh = Vec3(0.1, 0.7, 0.02)

    public static let defaultDescriptor = SawyerGoal(object: Vec3(0, 0.65, 0.02), goal: Vec3(0.5, 0.65, 0.01))
    public static func sample(_ g: inout SeededGenerator) -> SawyerGoal {
        let o = SawyerSampling.uniform(&g, objLow, objHigh)
        return SawyerGoal(object: o, goal: Vec3(0.5, o.y, 0.01))
    }
    public static func validate(_ d: SawyerGoal) throws {
        try SawyerSampling.check(d.object, objLow, objHigh, "puck", task: name)
        guard (d.goal - Vec3(0.5, d.object.y, 0.01)).norm < 1e-5 else { throw EnvironmentError.invalidTask("\(name): goal must be (0.5, puck y, 0.01)") }
    }
    public static func expert(_ d: SawyerGoal) -> any Policy { SweepExpert(d) }

    var puck: Puck

    public func evaluate(_ d: SawyerGoal, rig: SawyerRig, action: [Float]) -> SawyerEvaluation {
        puck.sweepEvaluation(toward: d.goal, rig: rig, action: action, gripMargin: 0.03, xzThreshold: 0.005)
    }
}
