import MRCore

/// Scripted expert for `ml10/window-open-v2`: come down on the −x side of the handle with the
/// gripper closed, then push it along +x past the goal.
final class WindowOpenExpert: SawyerExpert {
    let goal: Vec3
    var engaged = false
    init(_ d: SawyerGoal) { goal = d.goal }
    override func restart() { engaged = false }
    override func decide(_ v: SawyerView) -> [Float] {
        let tcp = v.tcp, h = v.object
        let side = h - Vec3(0.045, 0, 0)
        if !engaged {
            let xy = Self.xyDistance(tcp, side)
            if xy > 0.012 { return Self.move(tcp, to: Vec3(side.x, side.y, max(h.z + 0.12, tcp.z)), p: 10, grip: 1) }
            if tcp.z > h.z + 0.01 { return Self.move(tcp, to: Vec3(side.x, side.y, h.z), p: 10, grip: 1) }
            engaged = true
        }
        return Self.move(tcp, to: Vec3(goal.x + 0.03, h.y, h.z), p: 10, grip: 1)
    }
}
