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

/// door-open and door-close: the door scene with the door at the descriptor's object position,
/// the goal a fixed offset from it, and the handle observed as object 1. Such a task supplies its
/// offset, reset (the start angle), reward and expert; this gives it the rest.
protocol DoorTask: SawyerTask where Descriptor == SawyerGoal {
    /// Goal − door.
    static var goalOffset: Vec3 { get }
    var parts: DoorParts { get }
    init(parts: DoorParts)
}

extension DoorTask {
    public static var scene: String { "models/ml10_door.xml" }
    public static var defaultDescriptor: SawyerGoal { SawyerGoal(object: Vec3(0.05, 0.9, 0.15), goal: Vec3(0.05, 0.9, 0.15) + goalOffset) }
    public static func sample(_ g: inout SeededGenerator) -> SawyerGoal {
        SawyerSampling.offsetGoal(&g, DoorParts.doorLow, DoorParts.doorHigh, offset: goalOffset)
    }
    public static func validate(_ d: SawyerGoal) throws {
        try SawyerSampling.checkOffsetGoal(d, DoorParts.doorLow, DoorParts.doorHigh, offset: goalOffset, "door", task: name)
    }

    public init(rig: SawyerRig) throws { self.init(parts: try DoorParts(rig: rig)) }

    public func objects(rig: SawyerRig) -> (Vec3, [Double], Vec3?, [Double]?) { parts.observed(rig) }
}
