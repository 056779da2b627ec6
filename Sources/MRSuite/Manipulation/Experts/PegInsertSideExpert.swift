import MRCore

/// Scripted expert for `ml10/peg-insert-side-v2`: grasp the peg 4 cm behind its centre (away from
/// the head; the observation is the grasp point, centre + (0.03, 0, 0.01)), lift it to the hole's
/// height, line it up in front of the hole and push it in along −x.
final class PegInsertSideExpert: GraspingExpert {
    let goal: Vec3
    init(_ d: SawyerGoal) {
        goal = d.goal
        super.init()
        graspOffset = Vec3(0.01, 0, -0.01)
    }
    override func carryTarget(_ v: SawyerView) -> Vec3 {
        // Targets are for the tcp, which holds the peg at centre + 0.04 (the head is 0.14 in −x from it).
        let grip = v.object + graspOffset
        let head = v.object - Vec3(0.13, 0, 0.01)
        let lined = abs(head.y - goal.y) < 0.006 && abs(head.z - goal.z) < 0.006
        if grip.z < goal.z - 0.03 && !lined { return Vec3(grip.x, grip.y, goal.z) }
        if !lined || head.x > goal.x + 0.06 && !(abs(head.y - goal.y) < 0.006) { return Vec3(goal.x + 0.2, goal.y, goal.z) }
        return Vec3(goal.x - 0.05 + 0.14, goal.y, goal.z)
    }
}
