import MRCore

#if canImport(Glibc)
import Glibc
#endif

/// Scripted expert for `ml10/lever-pull-v1`: with the gripper closed, come up under the lever's grip
/// from the front and below, then push the grip along the arm's arc (about the pivot, known from the
/// privileged lever position) until the arm points up.
final class LeverPullExpert: SawyerExpert {
    let pivot: Vec3
    var engaged = false
    init(_ d: SawyerGoal) { pivot = d.object + Vec3(0.12, 0, 0.25) }
    override func restart() { engaged = false }
    override func decide(_ v: SawyerView) -> [Float] {
        let tcp = v.tcp, e = v.object
        let alpha = atan2(e.z - pivot.z, -(e.y - pivot.y))
        let t = Vec3(0, sin(alpha), cos(alpha))          // direction the arm's end moves when lifted
        let grip = e + LeverPullTask.gripOffset
        let contact = grip - t * 0.034
        if !engaged {
            let d = (tcp - contact).norm
            if d < 0.008 { engaged = true }
            // Come in from the front and below, then up to the contact point.
            if tcp.y > contact.y - 0.03 || abs(tcp.x - contact.x) > 0.01 {
                if abs(tcp.x - contact.x) > 0.01 || tcp.y < contact.y - 0.03 {
                    return Self.move(tcp, to: Vec3(contact.x, contact.y - 0.06, contact.z - 0.04), p: 10, grip: 1)
                }
            }
            return Self.move(tcp, to: contact, p: 10, grip: 1)
        }
        if alpha > Double.pi / 2 { return Self.move(tcp, to: contact, p: 10, grip: 1) }
        return Self.move(tcp, to: grip + t * 0.03 - t * 0.034, p: 10, grip: 1)
    }
}
