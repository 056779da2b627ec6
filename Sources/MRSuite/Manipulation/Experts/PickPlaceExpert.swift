import MRCore

/// Scripted expert for `ml10/pick-place-v2`: grasp the puck, lift it and carry it to the goal.
final class PickPlaceExpert: GraspingExpert {
    let goal: Vec3
    init(_ d: SawyerGoal) { goal = d.goal }
    override func carryTarget(_ v: SawyerView) -> Vec3 {
        // Lift first, then travel.
        let xy = Self.xyDistance(v.object, goal)
        return xy > 0.05 && v.object.z < 0.06 ? Vec3(v.object.x, v.object.y, 0.1) : goal
    }
}
