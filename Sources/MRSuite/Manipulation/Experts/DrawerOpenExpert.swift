import MRCore

/// Scripted expert for `ml10/drawer-open-v2`: come down over the handle with the pads open
/// (straddling the bar), then pull toward the goal.
final class DrawerOpenExpert: SawyerExpert {
    let goal: Vec3
    var pulling = false
    init(_ d: SawyerGoal) { goal = d.goal }
    override func restart() { pulling = false }
    override func decide(_ v: SawyerView) -> [Float] {
        let tcp = v.tcp, h = v.object
        if pulling { return Self.move(tcp, to: Vec3(goal.x, goal.y - 0.03, h.z), p: 10, grip: -1) }
        let xy = Self.xyDistance(tcp, h)
        if xy > 0.012 { return Self.move(tcp, to: Vec3(h.x, h.y, max(h.z + 0.1, tcp.z)), p: 10, grip: -1) }
        if tcp.z < h.z + 0.005 { pulling = true }
        return Self.move(tcp, to: h, p: 10, grip: -1)
    }
}
