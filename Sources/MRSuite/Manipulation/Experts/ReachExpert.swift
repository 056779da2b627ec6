import MRCore

/// Scripted expert for `ml10/reach-v2`: head straight for the goal, gripper open.
final class ReachExpert: SawyerExpert {
    let goal: Vec3
    init(_ d: SawyerGoal) { goal = d.goal }
    override func decide(_ v: SawyerView) -> [Float] { Self.move(v.hand, to: goal, p: 10, grip: -1) }
}
