import MRCore

#if canImport(Glibc)
import Glibc
#endif

/// Scripted expert for `ml10/lever-pull-v2`: with the gripper open, bring the left pad (0.05 m to
/// the hand's +y, with nothing above it) under the grip bar that sticks out from the lever's end,
/// coming in from the front and below, then push the bar along the arm's arc (about the pivot,
/// known from the privileged lever position) until the arm points up.
final class LeverPullExpert: SawyerExpert {
    let pivot: Vec3
    var engaged = false, underneath = false
    init(_ d: SawyerGoal) { pivot = d.object + Vec3(0.12, 0, 0.25) }
    override func restart() { engaged = false; underneath = false }
    override func decide(_ v: SawyerView) -> [Float] {
        let hand = v.hand, e = v.object
        let alpha = atan2(e.z - pivot.z, -(e.y - pivot.y))
        let t = Vec3(0, sin(alpha), cos(alpha))          // direction the arm's end moves when lifted
        let bar = e + LeverPullTask.gripOffset
        // The left pad's pushing point relative to the hand: its top while pushing up, its front face
        // while pushing along +y; the bar is 0.012 thick.
        let pad = Vec3(0, 0.05 + 0.004 * abs(t.y), 0.045 * abs(t.z))
        let contact = bar - t * 0.016 - pad
        if !engaged {
            if !underneath {
                let below = Vec3(contact.x, contact.y - 0.04, contact.z - 0.06)
                if (hand - below).norm < 0.015 { underneath = true }
                return Self.move(hand, to: below, p: 10, grip: -1)
            }
            if (hand - contact).norm < 0.01 { engaged = true }
            return Self.move(hand, to: contact, p: 10, grip: -1)
        }
        if alpha > Double.pi / 2 { return Self.move(hand, to: contact, p: 10, grip: -1) }
        return Self.move(hand, to: contact + t * 0.03, p: 10, grip: -1)
    }
}
