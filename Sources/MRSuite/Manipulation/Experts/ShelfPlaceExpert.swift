import MRCore

/// Scripted expert for `ml10/shelf-place-v2`: grasp the puck, lift it above the board's height in
/// front of the shelf, slide it in over the board and set it at the goal.
final class ShelfPlaceExpert: GraspingExpert {
    let goal: Vec3
    init(_ d: SawyerGoal) { goal = d.goal }
    override func carryTarget(_ v: SawyerView) -> Vec3 {
        let o = v.object
        if o.z < goal.z + 0.015 && abs(o.y - goal.y) > 0.03 { return Vec3(goal.x, min(o.y, goal.y - 0.1), goal.z + 0.03) }
        return Vec3(goal.x, goal.y, goal.z + 0.01)
    }
}
