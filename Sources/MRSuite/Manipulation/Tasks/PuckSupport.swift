import MRCore
import MRPhysics

/// What puck-moving tasks remember from the start of an episode (Meta-World's `obj_init_pos`,
/// `init_tcp`), and the caging term they share.
struct PuckMemory: Sendable {
    var objectInitial = Vec3.zero
    var tcpInitial = Vec3.zero

    mutating func record(object: Vec3, rig: SawyerRig) {
        objectInitial = object
        tcpInitial = rig.tcp
    }

    func caging(_ rig: SawyerRig, object: Vec3, effort: Float, objectRadius: Double, padThreshold: Double, reachRadius: Double,
                xzThreshold: Double, density: Shaping.Density = .low) -> Double {
        Shaping.gripperCaging(
            Shaping.CagingInput(leftPadY: rig.leftPadPosition.y, rightPadY: rig.rightPadPosition.y, tcp: rig.tcp, initialTcp: tcpInitial,
                                object: object, initialObject: objectInitial, effort: Double(effort)),
            objectRadius: objectRadius, padSuccessThreshold: padThreshold, objectReachRadius: reachRadius, xzThreshold: xzThreshold, density: density)
    }
}
