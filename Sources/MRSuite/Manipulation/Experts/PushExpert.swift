import MRCore

/// Scripted expert for `ml10/push-v2`: grasp the puck and drag it along the table to the goal.
final class PushExpert: GraspingExpert {
    let goal: Vec3
    init(_ d: SawyerGoal) { goal = d.goal }
    override func carryTarget(_ v: SawyerView) -> Vec3 { Vec3(goal.x, goal.y, v.object.z + 0.005) }
}
