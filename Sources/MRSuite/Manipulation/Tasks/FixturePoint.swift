import MRCore
import MRPhysics

/// A point on the moving part of a placed fixture (drawer, door, window sash, lever arm, button)
/// that the task observes as object 1, with the part's orientation.
struct FixturePoint: Sendable {
    /// The fixture (a mocap body) and its moving part, placed together.
    let fixture: BodyID, part: BodyID
    /// The point in the part's frame.
    let offset: Vec3

    init(rig: SawyerRig, fixture: String, part: String, offset: Vec3) throws {
        self.fixture = try rig.body(fixture); self.part = try rig.body(part); self.offset = offset
    }

    /// Moves the fixture with its part so that the fixture lands at `position`.
    func place(at position: Vec3, rig: SawyerRig) throws { try rig.place([fixture, part], at: position) }

    func position(_ rig: SawyerRig) -> Vec3 { rig.simulation.bodyPose(part).apply(offset) }

    /// Object 1 = the point with the part's quaternion; no object 2.
    func observed(_ rig: SawyerRig) -> (Vec3, [Double], Vec3?, [Double]?) {
        let (_, q) = rig.observedPose(part)
        return (position(rig), q, nil, nil)
    }
}
