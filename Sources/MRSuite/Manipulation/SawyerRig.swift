import MRCore
import MRPhysics

/// The shared Sawyer rig of the `ml10/*` tasks, loaded from a task's scene file (which includes
/// `Assets/models/sawyer_rig.xml` and `sawyer_rig_control.xml`): a kinematic mocap target, the hand
/// welded to it softly (orientation fixed; Meta-World's lag), two 9 cm tall slide-jointed finger
/// pads centred on the hand and closing along world y (driven by `FingerServo`, Meta-World's
/// finger timing), and the table top (a plane at z = 0). Task objects are the scene's other
/// bodies, looked up by name.
///
/// The tool centre point (tcp, Meta-World's `tcp_center`) is midway between the pads' lower
/// edges, 0.045 m below the hand position. Fixtures that a task places per goal (drawer case, door frame…) are mocap bodies
/// of the scene, moved with `place(_:at:)` together with the jointed parts they carry.
public struct SawyerRig {
    /// Meta-World's timing: 0.0025 s × 5 substeps = 12.5 ms per control step; 500 steps per episode.
    public static let timestep = 0.0025
    public static let substeps = 5
    public static let horizon = 500
    /// Δxyz per unit action (m).
    public static let actionScale = 0.01
    /// The tcp (midway between the pads' lower edges, Meta-World's `tcp_center`) lies this far
    /// below the hand position (Meta-World: 0.045 m).
    public static let tcpBelowHand = 0.045
    /// The pads' centres lie this far above their lower edges (half the pad height).
    static let padHalfHeight = 0.045
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
    /// The finger motors' control bound (gear 1: newtons): the most a finger pushes with.
    let fingerForce: Double
    /// The finger servo's state (part of the environment's snapshot).
    var fingers = FingerServo()
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
        fingerForce = model.simulation.actuatorControlRange(rm).upperBound
        guard fingerForce > 0 else { throw EnvironmentError.invalidTask("\(relativePath): the finger motors need a positive control bound") }
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
    /// Midway between the pads' lower edges (Meta-World's `tcp_center`, between its fingertip sites).
    public var tcp: Vec3 { (padCenter(rightPad) + padCenter(leftPad)) * 0.5 - Vec3(0, 0, Self.padHalfHeight) }
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

    /// Advances the finger servo by one substep under gripper command `effort` and sets the finger
    /// motors from it, and every damper's control from the current joint velocities; call before
    /// each substep.
    mutating func applyControls(effort: Double) throws {
        let joints = [rightJoint, leftJoint], motors = [rightMotor, leftMotor]
        for i in 0..<2 {
            let force = fingers.advance(i, command: effort, position: simulation.jointPosition(joints[i]),
                                        velocity: simulation.jointVelocity(joints[i]), dt: Self.timestep, maxForce: fingerForce)
            controls[motors[i]] = force
        }
        for d in dampers { controls[d.control] = -simulation.jointVelocity(d.joint) }
        try simulation.setControls(controls)
    }

    /// How far the hand hangs below its mocap target at rest: the soft weld carries the hand and
    /// the pads (Meta-World's hand rests 5 mm low too).
    static let restingSag = 0.0074

    /// Restores the build state and moves the mocap to `handInitial` and the hand (with the fingers,
    /// open and at rest) to where it hangs below it.
    mutating func resetHand(to handInitial: Vec3) throws {
        try simulation.restore(buildState)
        fingers = FingerServo()
        let d = handInitial - Self.buildHandPosition - Vec3(0, 0, Self.restingSag)
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

/// Meta-World's fingers, reproduced: each is a position actuator (kp 400, target = the gripper
/// command u in [−1, 1] in joint metres, so +1 closes fully and 0 opens) on a slide joint with
/// armature 100 kg and damping 1000 N·s/m, integrated here as a virtual finger (q, v) with
/// MuJoCo's Euler step (implicit damping): M v' = 400 (u − q) − 1000 v, M = 100.2 kg, q clipped to the
/// joint's travel. The real pad (0.1 kg in ODE) follows the virtual finger through a stiff explicit
/// spring-damper (5000 N/m, 20 N·s/m: ωh = 0.56, hc/m = 0.5, stable) whose force is capped at the
/// motor's gear (25 N): so the pads close at Meta-World's pace (half closed after 9 control steps,
/// full travel 0.4 m/s) and grip with at most 25 N. When a pad is blocked (an object between the
/// pads) the virtual finger stops with it (held where the cap is reached), and a command the other
/// way releases at once. Rejected: 100 kg pads in ODE (the armature is the rotor's inertia in
/// MuJoCo, not mass the hand would carry), and an implicit damper row (cost; see the README).
struct FingerServo: Sendable, Hashable {
    static let kp = 400.0, damping = 1000.0, inertia = 100.2
    static let travel = 0.035
    static let trackStiffness = 5000.0, trackDamping = 20.0
    var position = [0.0, 0.0], velocity = [0.0, 0.0]

    /// Advances finger `i` by `dt` and returns the force on the pad.
    mutating func advance(_ i: Int, command: Double, position q: Double, velocity v: Double, dt: Double, maxForce: Double) -> Double {
        let u = min(max(command, -1), 1)
        let f = Self.kp * (u - position[i])
        let reach = maxForce / Self.trackStiffness
        // A pad pressed against an object while the command now pulls it back: release at once.
        if (position[i] - q) * f < 0 && abs(position[i] - q) > reach / 2 { position[i] = q; velocity[i] = 0 }
        velocity[i] = (velocity[i] + dt * f / Self.inertia) / (1 + dt * Self.damping / Self.inertia)
        position[i] += dt * velocity[i]
        if position[i] < 0 { position[i] = 0; velocity[i] = max(velocity[i], 0) }
        if position[i] > Self.travel { position[i] = Self.travel; velocity[i] = min(velocity[i], 0) }
        // Blocked: keep the virtual finger where the spring reaches the force cap.
        if abs(position[i] - q) > reach {
            position[i] = q + (position[i] > q ? reach : -reach)
            velocity[i] = 0
        }
        return Self.trackStiffness * (position[i] - q) + Self.trackDamping * (velocity[i] - v)
    }
}
