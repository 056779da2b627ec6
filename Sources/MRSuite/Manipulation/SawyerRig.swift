import MRCore
import MRPhysics

/// The shared Sawyer rig of the `ml10/*` tasks, loaded from a task's scene file (which includes
/// `Assets/models/sawyer_rig.xml` and `sawyer_rig_control.xml`): a kinematic mocap target, the hand
/// welded to it (orientation fixed), two slide-jointed finger pads closing along world y, and the
/// table top (a plane at z = 0). Task objects are the scene's other bodies, looked up by name.
///
/// The hand's origin is the tool centre point (tcp), midway between the pads, as Meta-World's
/// `tcp_center`. Fixtures that a task places per goal (drawer case, door frame…) are mocap bodies
/// of the scene, moved with `place(_:at:)` together with the jointed parts they carry.
public struct SawyerRig {
    /// Meta-World's timing: 0.0025 s × 5 substeps = 12.5 ms per control step; 500 steps per episode.
    public static let timestep = 0.0025
    public static let substeps = 5
    public static let horizon = 500
    /// Δxyz per unit action (m).
    public static let actionScale = 0.01
    /// The tcp (midway between the pads) lies this far below the hand position.
    public static let tcpBelowHand = 0.03
    /// Where the scene file puts the hand and mocap (the rig's build pose).
    public static let buildHandPosition = Vec3(0, 0.6, 0.2)
    /// Default hand bounds (Meta-World's `hand_low` / `hand_high`).
    public static let defaultHandLow = Vec3(-0.5, 0.40, 0.05), defaultHandHigh = Vec3(0.5, 1.0, 0.5)

    public let model: Model
    public var simulation: Simulation { model.simulation }
    public let mocap: BodyID, hand: BodyID, rightPad: BodyID, leftPad: BodyID
    let rightJoint: JointID, leftJoint: JointID
    /// Indices of the finger motors in the control vector.
    let rightMotor: Int, leftMotor: Int
    /// Explicit viscous dampers: motors named `damper_<joint>` whose control is −(joint velocity)
    /// each substep (force = gear × control), so that damping adds no constraint rows.
    let dampers: [(control: Int, joint: JointID)]
    /// The control vector handed to the simulation (finger efforts and damper controls).
    private var controls: [Double]
    /// The state right after loading: every reset starts from it.
    let buildState: Simulation.State

    /// Loads a task scene and finds the rig's parts in it.
    public init(scene relativePath: String, assets: String?) throws {
        model = try AssetModels.load(relativePath, assets: assets)
        guard let m = model.body("mocap"), let h = model.body("hand"), let r = model.body("rightpad"), let l = model.body("leftpad"),
              let rj = model.joint("r_close"), let lj = model.joint("l_close"), model.simulation.actuatorCount >= 2 else {
            throw EnvironmentError.invalidTask("\(relativePath) lacks the Sawyer rig (mocap, hand, rightpad, leftpad, r_close, l_close)")
        }
        mocap = m; hand = h; rightPad = r; leftPad = l; rightJoint = rj; leftJoint = lj
        guard let rm = model.actuator("r_close"), let lm = model.actuator("l_close") else {
            throw EnvironmentError.invalidTask("\(relativePath) lacks the finger motors r_close and l_close")
        }
        rightMotor = rm.index; leftMotor = lm.index
        var d: [(Int, JointID)] = []
        for (name, id) in model.actuators where name.hasPrefix("damper_") {
            guard let j = model.joint(String(name.dropFirst("damper_".count))) else {
                throw EnvironmentError.invalidTask("\(relativePath): damper \(name) names no joint")
            }
            d.append((id.index, j))
        }
        dampers = d.map { (control: $0.0, joint: $0.1) }
        controls = Array(repeating: 0, count: model.simulation.actuatorCount)
        buildState = model.simulation.snapshot()
    }

    /// A scene body that the task needs.
    public func body(_ name: String) throws -> BodyID {
        guard let b = model.body(name) else { throw EnvironmentError.invalidTask("scene \(model.name) has no dynamic or mocap body '\(name)'") }
        return b
    }

    /// A scene joint that the task needs.
    public func joint(_ name: String) throws -> JointID {
        guard let j = model.joint(name) else { throw EnvironmentError.invalidTask("scene \(model.name) has no joint '\(name)'") }
        return j
    }

    // MARK: state

    /// The hand's position (observation 0…2).
    public var handPosition: Vec3 { simulation.bodyPose(hand).position }
    /// Midway between the pads (Meta-World's `tcp_center`).
    public var tcp: Vec3 { (padCenter(rightPad) + padCenter(leftPad)) * 0.5 }
    public var rightPadPosition: Vec3 { padCenter(rightPad) }
    public var leftPadPosition: Vec3 { padCenter(leftPad) }
    func padCenter(_ b: BodyID) -> Vec3 { simulation.centerOfMass(b) }
    /// Pad distance / 0.1 clipped to [0, 1] (observation 3).
    public var gripperOpening: Double { min(max((padCenter(rightPad) - padCenter(leftPad)).norm / 0.1, 0), 1) }
    /// The mocap target.
    public var mocapPosition: Vec3 { simulation.bodyPose(mocap).position }

    // MARK: control

    /// Moves the mocap target by `delta` clipped to [low, high].
    func drive(delta: Vec3, low: Vec3, high: Vec3) throws {
        let p = mocapPosition + delta
        let clipped = Vec3(min(max(p.x, low.x), high.x), min(max(p.y, low.y), high.y), min(max(p.z, low.z), high.z))
        try simulation.setMocapPose(mocap, Transform(position: clipped))
    }

    /// Sets the finger effort and every damper's control from the current joint velocities; call
    /// before each substep.
    mutating func applyControls(effort: Double) throws {
        controls[rightMotor] = effort; controls[leftMotor] = effort
        for d in dampers { controls[d.control] = -simulation.jointVelocity(d.joint) }
        try simulation.setControls(controls)
    }

    /// Restores the build state and moves the hand (with mocap and fingers, open) to `handInitial`.
    func resetHand(to handInitial: Vec3) throws {
        try simulation.restore(buildState)
        let d = handInitial - Self.buildHandPosition
        try simulation.setMocapPose(mocap, Transform(position: handInitial))
        for b in [hand, rightPad, leftPad] { try translate(b, by: d) }
    }

    /// Moves a body (dynamic or mocap) by `d` from where it is, at rest.
    public func translate(_ b: BodyID, by d: Vec3) throws {
        let p = simulation.bodyPose(b)
        let moved = Transform(position: p.position + d, rotation: p.rotation)
        if simulation.isKinematic(b) { try simulation.setMocapPose(b, moved) } else { try simulation.setBodyState(b, pose: moved) }
    }

    /// Moves a group of bodies together (a fixture and the parts jointed to it) so that `anchor`
    /// (the group's first body) lands at `position`.
    public func place(_ group: [BodyID], at position: Vec3) throws {
        guard let first = group.first else { return }
        let d = position - simulation.bodyPose(first).position
        for b in group { try translate(b, by: d) }
    }

    /// A body's pose as the observation reports it: position and quaternion (x, y, z, w, scipy's
    /// order as in Meta-World's observation).
    public func observedPose(_ b: BodyID) -> (Vec3, [Double]) {
        let p = simulation.bodyPose(b)
        return (p.position, [p.rotation.x, p.rotation.y, p.rotation.z, p.rotation.w])
    }
}
