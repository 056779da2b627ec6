import MRCore

/// Scripted expert for `ml10/button-press-topdown-v2`: hover over the button with the gripper
/// closed, then push straight down past the goal depth.
final class ButtonPressTopdownExpert: SawyerExpert {
    let goal: Vec3
    init(_ d: SawyerGoal) { goal = d.goal }
    override func decide(_ v: SawyerView) -> [Float] {
        let tcp = v.tcp, b = v.object
        let xy = Self.xyDistance(tcp, b)
        if xy > 0.01 { return Self.move(tcp, to: Vec3(b.x, b.y, max(b.z + 0.06, tcp.z)), p: 10, grip: 1) }
        return Self.move(tcp, to: Vec3(b.x, b.y, goal.z + 0.018 - 0.02), p: 10, grip: 1)
    }
}
