import MRCore
import MRPhysics

/// The drawer scene shared by drawer-open and drawer-close (`models/ml10_drawer.xml`).
struct DrawerParts: Sendable {
    /// The handle bar on the drawer link, carried by the case.
    let handlePoint: FixturePoint, slide: JointID
    /// The handle bar's centre relative to the drawer link's frame.
    static let handleOffset = Vec3(0, -0.16, 0.03)
    static let caseLow = Vec3(-0.1, 0.9, 0), caseHigh = Vec3(0.1, 0.9, 0)

    init(rig: SawyerRig) throws {
        handlePoint = try FixturePoint(rig: rig, fixture: "drawer", part: "drawer_link", offset: Self.handleOffset); slide = try rig.joint("drawer_slide")
    }

    /// Places the case at `position` with the drawer pulled out by `opening` (m).
    func place(at position: Vec3, opening: Double, rig: SawyerRig) throws {
        try handlePoint.place(at: position, rig: rig)
        if opening != 0 { try rig.translate(handlePoint.part, by: Vec3(0, -opening, 0)) }
    }

    func handle(_ rig: SawyerRig) -> Vec3 { handlePoint.position(rig) }
    func observed(_ rig: SawyerRig) -> (Vec3, [Double], Vec3?, [Double]?) { handlePoint.observed(rig) }
}
