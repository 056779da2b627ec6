import MRCore

#if canImport(Glibc)
import Glibc
#endif

/// Scripted expert for `ml10/door-open-v2` and `ml10/door-close-v2` (one routine, two swing
/// directions; the hinge is known from the privileged door position). Opening: come down with the
/// gripper closed into the gap between the handle bar and the panel, then pull the bar along the
/// swing's tangent. Closing: come down on the outside of the handle and push it along the closing
/// tangent.
final class DoorExpert: SawyerExpert {
    let hinge: Vec3, opening: Bool, target: Vec3
    var engaged = false
    init(door: Vec3, opening: Bool, target: Vec3) {
        hinge = door + DoorParts.hingeOffset; self.opening = opening; self.target = target
    }
    override func restart() { engaged = false }
    override func decide(_ v: SawyerView) -> [Float] {
        let tcp = v.tcp, h = v.object
        let r = Vec3(h.x - hinge.x, h.y - hinge.y, 0)
        let n = max(r.norm, 1e-6)
        // Opening turns the door clockwise seen from above (free end toward −y).
        let tOpen = Vec3(r.y / n, -r.x / n, 0)
        // Door angle from the handle's bearing about the hinge, and the panel's outward normal (local +y).
        let local = DoorParts.handleOffset
        let theta = atan2(local.y, local.x) - atan2(r.y, r.x)
        let normal = Vec3(sin(theta), cos(theta), 0)
        let contact = opening ? h + normal * 0.03 : h + tOpen * 0.045
        let push = opening ? contact + tOpen * 0.04 : h - tOpen * 0.03
        if !engaged {
            let xy = Self.xyDistance(tcp, contact)
            if xy > 0.012 { return Self.move(tcp, to: Vec3(contact.x, contact.y, max(h.z + 0.17, tcp.z)), p: 10, grip: 1) }
            if tcp.z > h.z + 0.01 { return Self.move(tcp, to: Vec3(contact.x, contact.y, h.z), p: 10, grip: 1) }
            engaged = true
        }
        return Self.move(tcp, to: Vec3(push.x, push.y, h.z), p: 10, grip: 1)
    }
}
