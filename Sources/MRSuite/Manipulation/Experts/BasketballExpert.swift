import MRCore

/// Scripted expert for `ml10/basketball-v2`: grasp the ball, lift it above the rim, carry it over
/// the hoop and lower it into the ring.
final class BasketballExpert: GraspingExpert {
    let goal: Vec3
    init(_ d: SawyerGoal) { goal = d.goal }
    override func carryTarget(_ v: SawyerView) -> Vec3 {
        let o = v.object
        let xy = Self.xyDistance(o, goal)
        // Lift clear of the rim's front (stay 0.12 m in front of the hoop's centre while low), then travel over it.
        if xy > 0.015 { return o.z < goal.z + 0.06 ? Vec3(o.x, min(o.y, goal.y - 0.12), goal.z + 0.1) : Vec3(goal.x, goal.y, goal.z + 0.1) }
        return goal
    }
}
