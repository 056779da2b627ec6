import MRCore
import MRPhysics

/// The drawer scene shared by drawer-open and drawer-close (`models/ml10_drawer.xml`).
struct DrawerParts: Sendable {
    let drawerCase: BodyID, link: BodyID, slide: JointID
    /// The handle bar's centre relative to the drawer link's frame.
    static let handleOffset = Vec3(0, -0.16, 0.03)
    static let caseLow = Vec3(-0.1, 0.9, 0), caseHigh = Vec3(0.1, 0.9, 0)

    init(rig: SawyerRig) throws {
        drawerCase = try rig.body("drawer"); link = try rig.body("drawer_link"); slide = try rig.joint("drawer_slide")
    }

    /// Places the case at `position` with the drawer pulled out by `opening` (m).
    func place(at position: Vec3, opening: Double, rig: SawyerRig) throws {
        try rig.place([drawerCase, link], at: position)
        if opening != 0 { try rig.translate(link, by: Vec3(0, -opening, 0)) }
    }

    func handle(_ rig: SawyerRig) -> Vec3 { rig.simulation.bodyPose(link).apply(Self.handleOffset) }

    func observed(_ rig: SawyerRig) -> (Vec3, [Double], Vec3?, [Double]?) {
        let (_, q) = rig.observedPose(link)
        return (handle(rig), q, nil, nil)
    }
}
