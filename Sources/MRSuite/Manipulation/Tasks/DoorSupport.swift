import MRCore
import MRPhysics

#if canImport(Glibc)
import Glibc
#endif

/// The door scene shared by door-open and door-close (`models/ml10_door.xml`).
struct DoorParts: Sendable {
    /// The handle on the door link, carried by the frame.
    let handlePoint: FixturePoint, hinge: JointID
    /// The handle block's centre in the door link's frame (the link's origin is on the hinge axis).
    static let handleOffset = Vec3(0.32, -0.10, 0)
    /// The hinge axis relative to the door position D.
    static let hingeOffset = Vec3(-0.12, -0.10, 0)
    static let doorLow = Vec3(0, 0.85, 0.15), doorHigh = Vec3(0.1, 0.95, 0.15)

    init(rig: SawyerRig) throws {
        handlePoint = try FixturePoint(rig: rig, fixture: "door", part: "door_link", offset: Self.handleOffset); hinge = try rig.joint("doorjoint")
    }

    /// Places the frame at `position` with the door swung open by `angle` (rad).
    func place(at position: Vec3, angle: Double, rig: SawyerRig) throws {
        try handlePoint.place(at: position, rig: rig)
        if angle != 0 {
            let link = handlePoint.part, p = rig.simulation.bodyPose(link)
            try rig.simulation.setBodyState(link, pose: Transform(position: p.position, rotation: Quat(axis: Vec3(0, 0, -1), angle: angle) * p.rotation))
        }
    }

    func handle(_ rig: SawyerRig) -> Vec3 { handlePoint.position(rig) }
    func angle(_ rig: SawyerRig) -> Double { rig.simulation.jointPosition(hinge) }
    func observed(_ rig: SawyerRig) -> (Vec3, [Double], Vec3?, [Double]?) { handlePoint.observed(rig) }
}
