import MRCore

/// Scripted expert for `ml10/sweep-v2`: grasp the puck and slide it along the table to the goal.
final class SweepExpert: GraspingExpert {
    let goal: Vec3
    init(_ d: SawyerGoal) { goal = d.goal }
    override func carryTarget(_ v: SawyerView) -> Vec3 { Vec3(goal.x, goal.y, v.object.z + 0.005) }
}
