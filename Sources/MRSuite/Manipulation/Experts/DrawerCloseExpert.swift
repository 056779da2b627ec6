import MRCore

/// Scripted expert for `ml10/drawer-close-v2`: come down in front of the handle with the gripper
/// closed, then push the drawer shut.
final class DrawerCloseExpert: SawyerExpert {
    let goal: Vec3
    init(_ d: SawyerGoal) { goal = d.goal }
    override func decide(_ v: SawyerView) -> [Float] {
        let tcp = v.tcp, h = v.object
        let front = Vec3(h.x, h.y - 0.04, h.z)
        if tcp.z > h.z + 0.015 {
            let xy = Self.xyDistance(tcp, front)
            return Self.move(tcp, to: xy > 0.01 ? Vec3(front.x, front.y, max(tcp.z, h.z + 0.05)) : front, p: 10, grip: 1)
        }
        return Self.move(tcp, to: Vec3(goal.x, goal.y + 0.05, goal.z), p: 10, grip: 1)
    }
}
