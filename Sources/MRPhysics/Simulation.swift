import CODE
import MRCore

/// The Swift face of ODE: one world, one collision space, one contact group, a fixed substep.
///
/// Bodies are placed at their centre of mass (ODE's rule) and remember where their model frame
/// lies, so poses are reported in the model's frames. Collision runs over an explicit, ordered list
/// of candidate geom pairs (built from contype/conaffinity, parent–child and explicit exclusions),
/// never over space iteration order, so stepping is deterministic. Stepping uses `dWorldStep` (exact
/// Dantzig LCP; for systems this small it is as fast as QuickStep, and QuickStep reorders
/// constraints with ODE's global random generator). Every argument is checked before it reaches
/// ODE; ODE errors raised inside a step come back as `PhysicsError.engine`.
///
/// Not thread-safe: use one simulation per thread. Several simulations may step on several
/// threads at once.
public final class Simulation {
    public let parameters: SimulationParameters
    /// Simulated seconds since creation or the last `restore`.
    public private(set) var time: Double = 0
    /// Contacts created by the last substep, and the deepest penetration (m) seen since the last reset of the counter.
    public private(set) var lastContactCount = 0
    public var maxPenetrationSeen = 0.0
    /// Informational ODE messages ("LCP internal error"…) seen while stepping this simulation.
    public private(set) var engineMessages = 0

    let world: OpaquePointer
    let space: OpaquePointer
    let contactGroup: OpaquePointer
    /// ODE's default stepping "threading" is one process-wide job list: two worlds stepping at once on
    /// two threads corrupt it. Each world gets its own self-threaded implementation instead.
    let threading: OpaquePointer
    private var poisoned = false

    struct BodyRecord {
        let handle: OpaquePointer
        let name: String
        /// Centre of mass in the body's model frame.
        let center: Vec3
        let kinematic: Bool
    }
    struct GeomRecord {
        let handle: OpaquePointer
        let name: String
        let body: BodyID?
        let shape: GeomShape
        /// Pose in the body's model frame (world frame for static geoms).
        let pose: Transform
        let friction: Double
        let filter: CollisionFilter
        let rgba: (Float, Float, Float, Float)
    }
    struct JointRecord {
        let name: String
        let kind: JointKind
        let body: BodyID
        let parent: BodyID?
        var handles: [OpaquePointer]
        let dynamics: JointDynamics
        /// For planar coordinates: the body frame's origin and rotation at creation.
        let origin0: Vec3
        let rotation0: Quat
        /// A hinge made of a ball joint and a motor in a projected planar world (`addPlanarHinge`).
        var pinned: PinnedHinge? = nil
    }
    struct PinnedHinge {
        /// Unit axis (world; constant in the plane), the anchor in the child's model frame, and both
        /// bodies' orientations when the joint was made (angle zero).
        let axis: Vec3
        let anchorLocal: Vec3
        let childRest: Quat
        let parentRest: Quat
        let child: OpaquePointer
        let parent: OpaquePointer?
        let motor: OpaquePointer
        let limited: Bool
        /// Index in `pins` (and in `StepPlan.pinAngles`).
        let slot: Int
    }
    struct ActuatorRecord {
        let name: String
        let joint: JointID
        let gear: Double
        let controlRange: ClosedRange<Double>
    }

    private(set) var bodies: [BodyRecord] = []
    private(set) var geoms: [GeomRecord] = []
    private(set) var joints: [JointRecord] = []
    private(set) var actuators: [ActuatorRecord] = []
    private var controls: [Double] = []
    /// Unwrapped angles of planar hinge coordinates, indexed like `joints`.
    private var unwrapped: [Double] = []
    /// The quaternion last handed to ODE for each body (see `setQuaternion`).
    private var preimages: [Quat] = []
    private var excluded: Set<[Int]> = []
    private var pairOverrides: [[Int]: ContactMaterial] = [:]
    private var pairs: [mr_contact_pair] = []
    /// Joints with armature: their damper row's target velocity is refreshed every substep.
    private var armatures: [StepPlan.Armature] = []
    private var pairsDirty = true
    /// Sliders damped by a force each substep (`JointDynamics.explicitDamping`): handle and coefficient c.
    private var explicitSliderDampers: [(OpaquePointer, Double)] = []
    /// Planar world (`setPlanarProjection`): unit normal, and per body its rest orientation and plane offset (n·com).
    private var projectionNormal: Vec3?
    private var planarRest: [(rotation: Quat, offset: Double)] = []
    /// Every pinned hinge, by slot.
    private var pins: [PinnedHinge] = []
    /// What a substep walks (`StepPlan`); nil after bodies, joints or actuators change.
    private var stepPlan: StepPlan?

    /// Creates an empty world.
    /// - Throws: `PhysicsError.invalidArgument` for a non-positive timestep or non-finite gravity.
    public init(parameters: SimulationParameters) throws(PhysicsError) {
        guard parameters.timestep.isFinite, parameters.timestep > 0 else { throw .invalidArgument("timestep must be > 0") }
        guard parameters.gravity.isFinite else { throw .invalidArgument("gravity must be finite") }
        guard parameters.cfm.isFinite, parameters.cfm > 0 else { throw .invalidArgument("world CFM must be > 0") }
        guard parameters.erp.isFinite, (0...1).contains(parameters.erp) else { throw .invalidArgument("world ERP must be in [0, 1]") }
        try parameters.defaultContact.validate()
        mr_ode_prepare_thread()
        guard let w = dWorldCreate() else { throw .engine("dWorldCreate failed") }
        guard let s = dSimpleSpaceCreate(nil) else { dWorldDestroy(w); throw .engine("dSimpleSpaceCreate failed") }
        guard let g = dJointGroupCreate(0) else { dSpaceDestroy(s); dWorldDestroy(w); throw .engine("dJointGroupCreate failed") }
        guard let t = dThreadingAllocateSelfThreadedImplementation() else {
            dJointGroupDestroy(g); dSpaceDestroy(s); dWorldDestroy(w); throw .engine("dThreadingAllocateSelfThreadedImplementation failed")
        }
        dWorldSetStepThreadingImplementation(w, dThreadingImplementationGetFunctions(t), t)
        world = w; space = s; contactGroup = g; threading = t
        self.parameters = parameters
        dWorldSetGravity(w, parameters.gravity.x, parameters.gravity.y, parameters.gravity.z)
        dWorldSetCFM(w, parameters.cfm)
        dWorldSetERP(w, parameters.erp)
        dWorldSetContactSurfaceLayer(w, parameters.contactSurfaceLayer)
        dWorldSetContactMaxCorrectingVel(w, parameters.contactMaxCorrectingVelocity)
        dWorldSetAutoDisableFlag(w, 0)
        engineMessages = Int(mr_ode_message_count())
    }

    deinit {
        mr_ode_prepare_thread()
        dJointGroupDestroy(contactGroup)
        dSpaceDestroy(space)  // destroys the geoms it holds (cleanup mode is on by default)
        dWorldSetStepThreadingImplementation(world, nil, nil)
        dWorldDestroy(world)  // destroys bodies and joints
        dThreadingFreeImplementation(threading)
    }

    // MARK: - Building

    /// Adds a dynamic body whose model frame is at `pose` (world) with mass properties given in that frame.
    @discardableResult
    public func addBody(name: String, pose: Transform, mass: MassProperties) throws(PhysicsError) -> BodyID {
        guard pose.position.isFinite, pose.rotation.norm.isFinite, abs(pose.rotation.norm - 1) < 1e-6 else {
            throw .invalidArgument("body \(name): pose must be finite with a unit quaternion")
        }
        guard mass.isValid, mass.center.isFinite else {
            throw .invalidArgument("body \(name): mass must be > 0 with a positive definite inertia (mass \(mass.mass))")
        }
        mr_ode_prepare_thread()
        guard let b = dBodyCreate(world) else { throw .engine("dBodyCreate failed") }
        var m = dMass()
        let (xx, yy, zz, xy, xz, yz) = mass.inertia
        dMassSetParameters(&m, mass.mass, 0, 0, 0, xx, yy, zz, xy, xz, yz)
        dBodySetMass(b, &m)
        let com = pose.apply(mass.center)
        dBodySetPosition(b, com.x, com.y, com.z)
        return register(BodyRecord(handle: b, name: name, center: mass.center, kinematic: false), rotation: pose.rotation)
    }

    /// Appends a created body to `bodies` and its parallel per-body arrays, sets its orientation,
    /// and marks the collision pairs for rebuilding.
    private func register(_ record: BodyRecord, rotation: Quat) -> BodyID {
        bodies.append(record)
        planarRest.append((rotation, 0))
        preimages.append(.identity)
        if let n = projectionNormal { enterPlane(bodies.count - 1, n, rotation: rotation) }
        stepPlan = nil
        setQuaternion(bodies.count - 1, rotation)
        pairsDirty = true
        return BodyID(index: bodies.count - 1)
    }

    /// Adds a kinematic ("mocap") body: moved only by `setMocapPose`, unaffected by forces, infinite mass in contacts.
    @discardableResult
    public func addKinematicBody(name: String, pose: Transform) throws(PhysicsError) -> BodyID {
        guard pose.position.isFinite, abs(pose.rotation.norm - 1) < 1e-6 else { throw .invalidArgument("mocap body \(name): bad pose") }
        mr_ode_prepare_thread()
        guard let b = dBodyCreate(world) else { throw .engine("dBodyCreate failed") }
        dBodySetKinematic(b)
        dBodySetPosition(b, pose.position.x, pose.position.y, pose.position.z)
        return register(BodyRecord(handle: b, name: name, center: .zero, kinematic: true), rotation: pose.rotation)
    }

    /// Adds a collision geom to `body` at `pose` in the body's model frame, or to the static world when `body` is nil.
    ///
    /// `margin` (m, ≥ 0; MuJoCo's geom margin): the collider is the shape grown by `margin` (radii
    /// and box half-extents), so contacts start that far before the shapes touch and a resting body
    /// settles `margin` above its support, where MuJoCo's contact constraint puts its reference
    /// (distance = margin). Mass comes from the bodies, never from geoms; `shape` is what is drawn.
    @discardableResult
    public func addGeom(
        name: String = "", _ shape: GeomShape, body: BodyID?, pose: Transform = .identity,
        friction: Double = 1, filter: CollisionFilter = CollisionFilter(), rgba: (Float, Float, Float, Float) = (0.7, 0.7, 0.7, 1),
        margin: Double = 0
    ) throws(PhysicsError) -> GeomID {
        try shape.validate()
        guard pose.position.isFinite, abs(pose.rotation.norm - 1) < 1e-6 else { throw .invalidArgument("geom \(name): bad pose") }
        guard friction.isFinite, friction >= 0 else { throw .invalidArgument("geom \(name): friction must be ≥ 0") }
        guard margin.isFinite, margin >= 0 else { throw .invalidArgument("geom \(name): margin must be finite and ≥ 0") }
        if let body { try check(body) }
        if case .plane = shape, body != nil { throw .invalidArgument("geom \(name): a plane can only be static world geometry") }
        if case .plane = shape, margin > 0 { throw .invalidArgument("geom \(name): a plane takes no margin (give it to the other geom)") }
        mr_ode_prepare_thread()
        let handle: OpaquePointer?
        switch shape.grown(by: margin) {
        case let .plane(n, d):
            let u = n.normalized
            handle = dCreatePlane(space, u.x, u.y, u.z, d / n.norm)
        case let .box(h): handle = dCreateBox(space, 2 * h.x, 2 * h.y, 2 * h.z)
        case let .sphere(r): handle = dCreateSphere(space, r)
        case let .capsule(r, hl): handle = dCreateCapsule(space, r, 2 * hl)
        case let .cylinder(r, hl): handle = dCreateCylinder(space, r, 2 * hl)
        }
        guard let g = handle else { throw .engine("geom creation failed for \(name)") }
        var q: [dReal] = [pose.rotation.w, pose.rotation.x, pose.rotation.y, pose.rotation.z]
        if let body {
            let rec = bodies[body.index]
            dGeomSetBody(g, rec.handle)
            let off = pose.position - rec.center
            dGeomSetOffsetPosition(g, off.x, off.y, off.z)
            dGeomSetOffsetQuaternion(g, &q)
        } else if case .plane = shape {
            // planes are not placeable
        } else {
            dGeomSetPosition(g, pose.position.x, pose.position.y, pose.position.z)
            dGeomSetQuaternion(g, &q)
        }
        geoms.append(GeomRecord(handle: g, name: name, body: body, shape: shape, pose: pose, friction: friction, filter: filter, rgba: rgba))
        pairsDirty = true
        return GeomID(index: geoms.count - 1)
    }

    /// A hinge about `axis` (world) through `anchor` (world), between `body` and `parent` (nil: the world).
    /// The joint angle is zero in the current configuration.
    @discardableResult
    public func addHinge(name: String, body: BodyID, parent: BodyID?, anchor: Vec3, axis: Vec3, dynamics: JointDynamics = JointDynamics()) throws(PhysicsError) -> JointID {
        try checkJoint(name, body, parent, axis: axis, dynamics: dynamics, angular: true)
        guard !dynamics.explicitDamping else { throw .invalidArgument("joint \(name): explicit damping is for sliders only") }
        guard anchor.isFinite else { throw .invalidArgument("joint \(name): anchor must be finite") }
        guard let j = dJointCreateHinge(world, nil) else { throw .engine("dJointCreateHinge failed") }
        attach(j, body, parent)
        dJointSetHingeAnchor(j, anchor.x, anchor.y, anchor.z)
        let a = axis.normalized
        dJointSetHingeAxis(j, a.x, a.y, a.z)
        if let l = dynamics.limits {
            dJointSetHingeParam(j, Int32(dParamLoStop), l.lowerBound)
            dJointSetHingeParam(j, Int32(dParamHiStop), l.upperBound)
            dJointSetHingeParam(j, Int32(dParamStopERP), 0.8)
        }
        var handles = [j]
        if dynamics.damping > 0 || dynamics.armature > 0 {
            handles.append(try makeDamper(body, parent, axis: a, damping: dynamics.damping + dynamics.armature / parameters.timestep, angular: true))
        }
        return appendJoint(JointRecord(name: name, kind: .hinge, body: body, parent: parent, handles: handles, dynamics: dynamics, origin0: .zero, rotation0: .identity))
    }

    /// A slider along `axis` (world) between `body` and `parent` (nil: the world); position zero now.
    @discardableResult
    public func addSlider(name: String, body: BodyID, parent: BodyID?, axis: Vec3, dynamics: JointDynamics = JointDynamics()) throws(PhysicsError) -> JointID {
        try checkJoint(name, body, parent, axis: axis, dynamics: dynamics, angular: false)
        guard let j = dJointCreateSlider(world, nil) else { throw .engine("dJointCreateSlider failed") }
        attach(j, body, parent)
        let a = axis.normalized
        dJointSetSliderAxis(j, a.x, a.y, a.z)
        if let l = dynamics.limits {
            dJointSetSliderParam(j, Int32(dParamLoStop), l.lowerBound)
            dJointSetSliderParam(j, Int32(dParamHiStop), l.upperBound)
            dJointSetSliderParam(j, Int32(dParamStopERP), 0.8)
        }
        var handles = [j]
        if dynamics.explicitDamping {
            guard dynamics.armature == 0 else { throw .invalidArgument("joint \(name): explicit damping needs armature 0") }
            if dynamics.damping > 0 {
                var m = dMass()
                dBodyGetMass(bodies[body.index].handle, &m)
                var inverse = 1 / m.mass
                if let parent, !bodies[parent.index].kinematic {
                    dBodyGetMass(bodies[parent.index].handle, &m)
                    inverse += 1 / m.mass
                }
                let h = parameters.timestep, mu = 1 / inverse
                explicitSliderDampers.append((j, mu / h * (1 - exp(-dynamics.damping * h / mu))))
            }
        } else if dynamics.damping > 0 || dynamics.armature > 0 {
            handles.append(try makeDamper(body, parent, axis: a, damping: dynamics.damping + dynamics.armature / parameters.timestep, angular: false))
        }
        return appendJoint(JointRecord(name: name, kind: .slider, body: body, parent: parent, handles: handles, dynamics: dynamics, origin0: .zero, rotation0: .identity))
    }

    /// A rigid joint holding `body` to `parent` (nil: the world) in their current relative pose.
    @discardableResult
    public func addFixed(name: String, body: BodyID, parent: BodyID?) throws(PhysicsError) -> JointID {
        try checkJoint(name, body, parent, axis: Vec3(0, 0, 1), dynamics: JointDynamics(), angular: true)
        guard let j = dJointCreateFixed(world, nil) else { throw .engine("dJointCreateFixed failed") }
        attach(j, body, parent)
        dJointSetFixed(j)
        return appendJoint(JointRecord(name: name, kind: .fixed, body: body, parent: parent, handles: [j], dynamics: JointDynamics(), origin0: .zero, rotation0: .identity))
    }

    /// A ball-and-socket joint at `anchor` (world).
    @discardableResult
    public func addBall(name: String, body: BodyID, parent: BodyID?, anchor: Vec3) throws(PhysicsError) -> JointID {
        try checkJoint(name, body, parent, axis: Vec3(0, 0, 1), dynamics: JointDynamics(), angular: true)
        guard anchor.isFinite else { throw .invalidArgument("joint \(name): anchor must be finite") }
        guard let j = dJointCreateBall(world, nil) else { throw .engine("dJointCreateBall failed") }
        attach(j, body, parent)
        dJointSetBallAnchor(j, anchor.x, anchor.y, anchor.z)
        return appendJoint(JointRecord(name: name, kind: .ball, body: body, parent: parent, handles: [j], dynamics: JointDynamics(), origin0: .zero, rotation0: .identity))
    }

    /// Holds `body` to the plane through its current position with unit normal `normal` (world):
    /// a linear motor removes velocity along the normal, an angular motor rotation about the two
    /// in-plane axes (exact velocity constraints; `dWorldStep` keeps the position in the plane).
    @discardableResult
    public func addPlanarConstraint(name: String, body: BodyID, normal: Vec3) throws(PhysicsError) -> JointID {
        try checkJoint(name, body, nil, axis: normal, dynamics: JointDynamics(), angular: false)
        let n = normal.normalized
        var u = n.cross(Vec3(1, 0, 0))
        if u.norm < 0.1 { u = n.cross(Vec3(0, 1, 0)) }
        u = u.normalized
        let v = n.cross(u).normalized
        let b = bodies[body.index].handle
        guard let lin = dJointCreateLMotor(world, nil), let ang = dJointCreateAMotor(world, nil) else { throw .engine("motor creation failed") }
        dJointAttach(lin, b, nil)
        dJointSetLMotorNumAxes(lin, 1)
        dJointSetLMotorAxis(lin, 0, 0, n.x, n.y, n.z)
        dJointSetLMotorParam(lin, Int32(dParamVel), 0)
        dJointSetLMotorParam(lin, Int32(dParamFMax), .infinity)
        dJointAttach(ang, b, nil)
        dJointSetAMotorMode(ang, Int32(dAMotorUser))
        dJointSetAMotorNumAxes(ang, 2)
        dJointSetAMotorAxis(ang, 0, 0, u.x, u.y, u.z)
        dJointSetAMotorAxis(ang, 1, 0, v.x, v.y, v.z)
        dJointSetAMotorParam(ang, Int32(dParamVel), 0)
        dJointSetAMotorParam(ang, Int32(dParamFMax), .infinity)
        dJointSetAMotorParam(ang, Int32(dParamVel2), 0)
        dJointSetAMotorParam(ang, Int32(dParamFMax2), .infinity)
        // Near-rigid rows: the world's CFM would let ~1e-6 m/s leak out of the plane.
        dJointSetLMotorParam(lin, Int32(dParamCFM), 1e-10)
        dJointSetAMotorParam(ang, Int32(dParamCFM), 1e-10)
        dJointSetAMotorParam(ang, Int32(dParamCFM2), 1e-10)
        let pose = bodyPose(body)
        return appendJoint(JointRecord(name: name, kind: .planar(normal: n), body: body, parent: nil, handles: [lin, ang], dynamics: JointDynamics(), origin0: pose.position, rotation0: pose.rotation))
    }

    /// Makes this a planar world: after every substep each dynamic body's state is projected onto
    /// the plane through its current centre of mass with unit normal `normal` (position along the
    /// normal, velocity along it and angular velocity about the in-plane axes removed, orientation
    /// reduced to its rotation about the normal from the body's pose at creation). Call it before
    /// `addPlanarHinge`, with every body in its rest pose. For bodies symmetric about the plane the
    /// out-of-plane forces are zero, so this replaces ODE's out-of-plane constraint rows
    /// (`PlanarScheme.projection`) and removes only rounding drift.
    public func setPlanarProjection(normal: Vec3) throws(PhysicsError) {
        guard normal.isFinite, normal.norm > 1e-9 else { throw .invalidArgument("planar projection: normal must be finite and non-zero") }
        guard projectionNormal == nil else { throw .invalidArgument("planar projection is already set") }
        let n = normal.normalized
        projectionNormal = n
        pairsDirty = true
        for i in bodies.indices { enterPlane(i, n, rotation: bodyPose(BodyID(index: i)).rotation) }
        stepPlan = nil
    }

    /// Records body `i`'s rest orientation and plane offset, and turns off ODE's implicit gyroscopic
    /// term for it: with the angular velocity along `n`, a principal axis of every body symmetric
    /// about the plane, ω × Iω is zero, and ODE's implicit form (a 3×3 inverse per body per substep)
    /// would only add rounding noise.
    private func enterPlane(_ i: Int, _ n: Vec3, rotation: Quat) {
        planarRest[i] = (rotation, centerOfMass(BodyID(index: i)).dot(n))
        if !bodies[i].kinematic { dBodySetGyroscopicMode(bodies[i].handle, 0) }
    }

    /// A hinge in a planar world (`setPlanarProjection` first; `axis` along the plane's normal): a
    /// ball joint at `anchor` (3 rows) and one angular motor that carries the implicit damping and
    /// armature row and, on a second axis, the limits (a row only while at a stop, stop ERP 0.8, as
    /// `addHinge`). The plane itself holds the other two rotations, so the hinge needs 3 rows + 1
    /// instead of 5 + 1. Angle and rate are read from the two bodies' rotations about the axis.
    @discardableResult
    public func addPlanarHinge(name: String, body: BodyID, parent: BodyID?, anchor: Vec3, axis: Vec3, dynamics: JointDynamics = JointDynamics()) throws(PhysicsError) -> JointID {
        try checkJoint(name, body, parent, axis: axis, dynamics: dynamics, angular: true)
        guard anchor.isFinite else { throw .invalidArgument("joint \(name): anchor must be finite") }
        guard let n = projectionNormal else { throw .invalidArgument("joint \(name): a planar hinge needs setPlanarProjection first") }
        let a = axis.normalized
        guard abs(abs(a.dot(n)) - 1) < 1e-9 else { throw .invalidArgument("joint \(name): a planar hinge's axis must be normal to the plane") }
        guard let ball = dJointCreateBall(world, nil), let m = dJointCreateAMotor(world, nil) else { throw .engine("joint creation failed") }
        attach(ball, body, parent)
        dJointSetBallAnchor(ball, anchor.x, anchor.y, anchor.z)
        let child = bodies[body.index].handle, parentHandle = parent.map { bodies[$0.index].handle }
        dJointAttach(m, child, parentHandle)
        dJointSetAMotorMode(m, Int32(dAMotorUser))
        dJointSetAMotorNumAxes(m, 2)
        dJointSetAMotorAxis(m, 0, 1, a.x, a.y, a.z)
        dJointSetAMotorAxis(m, 1, 1, a.x, a.y, a.z)
        dJointSetAMotorParam(m, Int32(dParamVel), 0)
        let gain = dynamics.damping + dynamics.armature / parameters.timestep
        if gain > 0 {
            dJointSetAMotorParam(m, Int32(dParamFMax), .infinity)
            dJointSetAMotorParam(m, Int32(dParamCFM), 1 / gain)
        }
        if let l = dynamics.limits {
            dJointSetAMotorParam(m, Int32(dParamLoStop2), l.lowerBound)
            dJointSetAMotorParam(m, Int32(dParamHiStop2), l.upperBound)
            dJointSetAMotorParam(m, Int32(dParamStopERP2), 0.8)
        }
        let pin = PinnedHinge(axis: a, anchorLocal: bodyPose(body).inverse.apply(anchor), childRest: bodyPose(body).rotation,
                              parentRest: parent.map { bodyPose($0).rotation } ?? .identity, child: child, parent: parentHandle,
                              motor: m, limited: dynamics.limits != nil, slot: pins.count)
        pins.append(pin)
        var record = JointRecord(name: name, kind: .hinge, body: body, parent: parent, handles: [ball, m], dynamics: dynamics, origin0: .zero, rotation0: .identity)
        record.pinned = pin
        return appendJoint(record)
    }

    /// A coordinate of a planar body read from its pose: displacement of the model frame's origin
    /// along `axis`, or its rotation about `axis` (MJCF rootx / rootz / rooty). Damping and
    /// stiffness are applied through forces; limits are not supported on these.
    @discardableResult
    public func addPlanarCoordinate(name: String, body: BodyID, axis: Vec3, rotational: Bool, dynamics: JointDynamics = JointDynamics()) throws(PhysicsError) -> JointID {
        try checkJoint(name, body, nil, axis: axis, dynamics: dynamics, angular: rotational)
        guard dynamics.limits == nil else { throw .invalidArgument("joint \(name): limits are not supported on planar coordinates") }
        guard dynamics.armature == 0 else { throw .invalidArgument("joint \(name): armature is not supported on planar coordinates") }
        let a = axis.normalized
        let pose = bodyPose(body)
        var handles: [OpaquePointer] = []
        if dynamics.damping > 0 { handles.append(try makeDamper(body, nil, axis: a, damping: dynamics.damping, angular: rotational, worldAxis: true)) }
        let kind: JointKind = rotational ? .planarHinge(axis: a) : .planarSlide(axis: a)
        return appendJoint(JointRecord(name: name, kind: kind, body: body, parent: nil, handles: handles, dynamics: dynamics, origin0: pose.position, rotation0: pose.rotation))
    }

    /// Welds dynamic `body` to kinematic `mocap` in their current relative pose, softly: the weld
    /// behaves as a spring of `stiffness` (N/m, N·m/rad per unit effective mass) and `damping`
    /// through ODE's ERP = h·kp/(h·kp + kd), CFM = 1/(h·kp + kd).
    @discardableResult
    public func addWeld(name: String, mocap: BodyID, body: BodyID, stiffness: Double, damping: Double) throws(PhysicsError) -> JointID {
        try check(mocap); try check(body)
        guard bodies[mocap.index].kinematic, !bodies[body.index].kinematic else { throw .invalidArgument("weld \(name): needs a kinematic body and a dynamic body") }
        guard stiffness.isFinite, stiffness > 0, damping.isFinite, damping >= 0 else { throw .invalidArgument("weld \(name): stiffness must be > 0 and damping ≥ 0") }
        let h = parameters.timestep
        let erp = h * stiffness / (h * stiffness + damping), cfm = 1 / (h * stiffness + damping)
        guard let j = dJointCreateFixed(world, nil) else { throw .engine("dJointCreateFixed failed") }
        dJointAttach(j, bodies[body.index].handle, bodies[mocap.index].handle)
        dJointSetFixed(j)
        dJointSetFixedParam(j, Int32(dParamERP), erp)
        dJointSetFixedParam(j, Int32(dParamCFM), cfm)
        return appendJoint(JointRecord(name: name, kind: .weld, body: body, parent: mocap, handles: [j], dynamics: JointDynamics(), origin0: .zero, rotation0: .identity))
    }

    /// A torque (hinge) or force (slider, planar coordinate) motor: force = gear × clamp(control, range).
    @discardableResult
    public func addMotor(name: String, joint: JointID, gear: Double, controlRange: ClosedRange<Double>) throws(PhysicsError) -> ActuatorID {
        guard joint.index >= 0, joint.index < joints.count else { throw .invalidArgument("motor \(name): unknown joint") }
        switch joints[joint.index].kind {
        case .hinge, .slider, .planarSlide, .planarHinge: break
        default: throw .invalidArgument("motor \(name): joint \(joints[joint.index].name) cannot be actuated")
        }
        guard gear.isFinite, controlRange.lowerBound.isFinite, controlRange.upperBound.isFinite else { throw .invalidArgument("motor \(name): gear and range must be finite") }
        actuators.append(ActuatorRecord(name: name, joint: joint, gear: gear, controlRange: controlRange))
        controls.append(0)
        stepPlan = nil
        return ActuatorID(index: actuators.count - 1)
    }

    /// Never let geoms of these two bodies collide.
    public func excludeCollisions(_ a: BodyID, _ b: BodyID) {
        excluded.insert([min(a.index, b.index), max(a.index, b.index)])
        pairsDirty = true
    }

    /// Sets how a limited hinge or slider's stops act: error reduction `erp` (0…1), constraint force
    /// mixing `cfm` (> 0) and restitution `bounce` (0…1). Default: ERP 0.8, the world's CFM, no bounce.
    public func setLimitSoftness(_ joint: JointID, erp: Double, cfm: Double, bounce: Double = 0) throws(PhysicsError) {
        guard joint.index < joints.count else { throw .invalidArgument("unknown joint") }
        guard erp.isFinite, (0...1).contains(erp), cfm.isFinite, cfm > 0, bounce.isFinite, (0...1).contains(bounce) else {
            throw .invalidArgument("limit softness needs ERP in [0, 1], CFM > 0, bounce in [0, 1]")
        }
        let r = joints[joint.index]
        guard r.dynamics.limits != nil else { throw .invalidArgument("joint \(r.name) has no limits") }
        if let p = r.pinned {
            dJointSetAMotorParam(p.motor, Int32(dParamStopERP2), erp)
            dJointSetAMotorParam(p.motor, Int32(dParamStopCFM2), cfm)
            dJointSetAMotorParam(p.motor, Int32(dParamBounce2), bounce)
            return
        }
        switch r.kind {
        case .hinge:
            dJointSetHingeParam(r.handles[0], Int32(dParamStopERP), erp)
            dJointSetHingeParam(r.handles[0], Int32(dParamStopCFM), cfm)
            dJointSetHingeParam(r.handles[0], Int32(dParamBounce), bounce)
        case .slider:
            dJointSetSliderParam(r.handles[0], Int32(dParamStopERP), erp)
            dJointSetSliderParam(r.handles[0], Int32(dParamStopCFM), cfm)
            dJointSetSliderParam(r.handles[0], Int32(dParamBounce), bounce)
        default: throw .invalidArgument("joint \(r.name) is not a hinge or slider")
        }
    }

    /// Overrides the contact material of one geom pair.
    public func setContactMaterial(_ m: ContactMaterial, between a: GeomID, and b: GeomID) throws(PhysicsError) {
        try m.validate()
        guard a.index < geoms.count, b.index < geoms.count else { throw .invalidArgument("unknown geom") }
        pairOverrides[[min(a.index, b.index), max(a.index, b.index)]] = m
        pairsDirty = true
    }

    // MARK: - Stepping

    /// Sets actuator controls (clamped to each control range).
    /// - Throws: `invalidArgument` for a wrong count or a non-finite value; nothing is changed then.
    public func setControls(_ values: [Double]) throws(PhysicsError) {
        guard values.count == actuators.count else { throw .invalidArgument("\(values.count) controls for \(actuators.count) actuators") }
        for (i, v) in values.enumerated() {
            guard v.isFinite else { throw .invalidArgument("control \(i) is not finite") }
        }
        for (i, v) in values.enumerated() { controls[i] = min(max(v, actuators[i].controlRange.lowerBound), actuators[i].controlRange.upperBound) }
    }

    /// The current (clamped) controls.
    public var currentControls: [Double] { controls }

    /// Moves a kinematic body to `pose` (teleport, zero velocity).
    public func setMocapPose(_ body: BodyID, _ pose: Transform) throws(PhysicsError) {
        try check(body)
        guard bodies[body.index].kinematic else { throw .invalidArgument("\(bodies[body.index].name) is not a mocap body") }
        guard pose.position.isFinite, abs(pose.rotation.norm - 1) < 1e-6 else { throw .invalidArgument("mocap pose must be finite with a unit quaternion") }
        let b = bodies[body.index].handle
        dBodySetPosition(b, pose.position.x, pose.position.y, pose.position.z)
        setQuaternion(body.index, pose.rotation)
        dBodySetLinearVel(b, 0, 0, 0)
        dBodySetAngularVel(b, 0, 0, 0)
    }

    /// Advances `substeps` physics steps of `parameters.timestep`, applying the controls, joint
    /// springs and collision each substep.
    /// - Throws: `diverged` when a body's state leaves its bounds (the state stays readable and
    ///   `restore` works), `engine` when ODE itself fails (the simulation is unusable afterwards).
    public func step(substeps: Int = 1) throws(PhysicsError) {
        guard !poisoned else { throw .unusable }
        guard substeps >= 0 else { throw .invalidArgument("substeps must be ≥ 0") }
        mr_ode_prepare_thread()
        if pairsDirty { rebuildPairs() }
        let plan = currentStepPlan()
        for _ in 0..<substeps {
            plan.refreshPinAngles()
            applyForces(plan)
            updateArmatureTargets(plan)
            var report = mr_substep_report()
            let rc = pairs.withUnsafeBufferPointer { buf in
                mr_ode_substep(world, contactGroup, buf.baseAddress, Int32(buf.count), parameters.timestep, 0, &report)
            }
            if rc != 0 {
                poisoned = true
                throw .engine(String(cString: mr_ode_last_error()))
            }
            lastContactCount = Int(report.contacts)
            maxPenetrationSeen = max(maxPenetrationSeen, report.maxPenetration)
            time += parameters.timestep
            canonicalizeQuaternions(plan)
            updateUnwrappedAngles(plan)
            try checkBounds(plan)
        }
        engineMessages = Int(mr_ode_message_count())
    }

    private func currentStepPlan() -> StepPlan {
        if let plan = stepPlan { return plan }
        let plan = makeStepPlan()
        stepPlan = plan
        return plan
    }

    /// Resolves the records into a `StepPlan`: hinge and slider handles are read directly (copying
    /// a `JointRecord` per call cost ~270 instructions); planar coordinates go through
    /// `applyGeneralizedForce`. Same forces, same order as walking the records.
    private func makeStepPlan() -> StepPlan {
        func target(_ j: JointID) -> StepPlan.Target {
            let r = joints[j.index]
            if let p = r.pinned { return .pinned(p.slot) }
            switch r.kind {
            case .hinge: return .hinge(r.handles[0])
            case .slider: return .slider(r.handles[0])
            default: return .other(j)
            }
        }
        let springs = joints.indices.filter { joints[$0].dynamics.stiffness != 0 }.map { i in
            StepPlan.Spring(target: target(JointID(index: i)), stiffness: joints[i].dynamics.stiffness, reference: joints[i].dynamics.springReference)
        }
        let planarHinges: [StepPlan.PlanarHinge] = joints.indices.compactMap { i in
            guard case let .planarHinge(axis) = joints[i].kind else { return nil }
            return StepPlan.PlanarHinge(joint: i, body: bodies[joints[i].body.index].handle, rotation0: joints[i].rotation0, axis: axis)
        }
        return StepPlan(
            pins: pins,
            motors: actuators.map { StepPlan.Motor(target: target($0.joint), gear: $0.gear) },
            springs: springs, armatures: armatures, sliderDampers: explicitSliderDampers,
            bodies: bodies.indices.map { StepPlan.Body(handle: bodies[$0].handle, dynamic: !bodies[$0].kinematic, rest: planarRest[$0].rotation, offset: planarRest[$0].offset) },
            planarHinges: planarHinges, normal: projectionNormal)
    }

    private func applyForces(_ plan: StepPlan) {
        controls.withUnsafeBufferPointer { controls in
            for (i, m) in plan.motors.enumerated() {
                let f = m.gear * controls[i]
                switch m.target {
                case let .hinge(h): dJointAddHingeTorque(h, f)
                case let .slider(h): dJointAddSliderForce(h, f)
                case let .pinned(slot): plan.pins[slot].addTorque(f)
                case let .other(j): applyGeneralizedForce(j, f)
                }
            }
        }
        for s in plan.springs {
            switch s.target {
            case let .hinge(h): dJointAddHingeTorque(h, -s.stiffness * (dJointGetHingeAngle(h) - s.reference))
            case let .slider(h): dJointAddSliderForce(h, -s.stiffness * (dJointGetSliderPosition(h) - s.reference))
            case let .pinned(slot): plan.pins[slot].addTorque(-s.stiffness * (plan.pinAngles[slot] - s.reference))
            case let .other(j): applyGeneralizedForce(j, -s.stiffness * (jointPosition(j) - s.reference))
            }
        }
        for (h, c) in plan.sliderDampers { dJointAddSliderForce(h, -c * dJointGetSliderPositionRate(h)) }
    }

    /// Armature (MuJoCo's reflected rotor inertia I_a on a joint's diagonal of the mass matrix) has no
    /// ODE equivalent; semi-implicit Euler gives it exactly as the torque −(I_a/h)(q̇′ − q̇) on the
    /// joint, q̇ the rate at the start of the substep and q̇′ the new one. With damping kd the two
    /// share one motor row: τ = (kd + I_a/h)(v* − q̇′) with CFM 1/(kd + I_a/h) and target
    /// v* = q̇ · (I_a/h)/(kd + I_a/h), set here before each substep.
    private func updateArmatureTargets(_ plan: StepPlan) {
        for a in plan.armatures {
            switch a.kind {
            case let .pinned(slot): dJointSetAMotorParam(a.motor, Int32(dParamVel), a.fraction * plan.pins[slot].rate)
            case .hinge: dJointSetAMotorParam(a.motor, Int32(dParamVel), a.fraction * dJointGetHingeAngleRate(a.joint))
            case .slider: dJointSetLMotorParam(a.motor, Int32(dParamVel), a.fraction * dJointGetSliderPositionRate(a.joint))
            }
        }
    }

    /// Adds a force (slider, planar slide) or torque (hinge, planar hinge) along a joint for the next substep only.
    func applyGeneralizedForce(_ joint: JointID, _ f: Double) {
        let j = joints[joint.index]
        if let p = j.pinned { p.addTorque(f); return }
        switch j.kind {
        case .hinge: dJointAddHingeTorque(j.handles[0], f)
        case .slider: dJointAddSliderForce(j.handles[0], f)
        case let .planarSlide(axis):
            // Force through the model frame's origin along the axis.
            let b = bodies[j.body.index].handle
            let origin = bodyPose(j.body).position
            dBodyAddForceAtPos(b, axis.x * f, axis.y * f, axis.z * f, origin.x, origin.y, origin.z)
        case let .planarHinge(axis):
            dBodyAddTorque(bodies[j.body.index].handle, axis.x * f, axis.y * f, axis.z * f)
        default: break
        }
    }

    private func rebuildPairs() {
        var list: [mr_contact_pair] = []
        let dynamicBody: (BodyID?) -> Bool = { b in b.map { !self.bodies[$0.index].kinematic } ?? false }
        for i in 0..<geoms.count {
            for k in (i + 1)..<max(i + 1, geoms.count) {
                let a = geoms[i], b = geoms[k]
                guard a.filter.collides(with: b.filter) else { continue }
                guard dynamicBody(a.body) || dynamicBody(b.body) else { continue }
                if let ba = a.body, let bb = b.body {
                    if ba == bb || excluded.contains([min(ba.index, bb.index), max(ba.index, bb.index)]) { continue }
                }
                let m = pairOverrides[[i, k]] ?? {
                    var d = parameters.defaultContact
                    d.friction = max(a.friction, b.friction)
                    return d
                }()
                var boxes = 0
                if case .box = a.shape { boxes += 1 }
                if case .box = b.shape { boxes += 1 }
                list.append(mr_contact_pair(
                    geomA: a.handle, geomB: b.handle,
                    bodyA: a.body.map { bodies[$0.index].handle }, bodyB: b.body.map { bodies[$0.index].handle },
                    mu: m.friction, softERP: m.erp, softCFM: m.cfm, bounce: m.bounce, maxContacts: boxes == 2 ? 8 : 4,
                    planeNormal: projectionNormal.map { ($0.x, $0.y, $0.z) } ?? (0, 0, 0)))
            }
        }
        pairs = list
        pairsDirty = false
    }

    /// Number of candidate collision pairs (after filtering).
    public var candidatePairCount: Int { if pairsDirty { rebuildPairs() }; return pairs.count }

    /// ODE re-normalises a quaternion whenever it is set, and that normalisation can move it by an
    /// ulp (it even has 2-cycles), so a state cannot be restored from the live quaternion exactly.
    /// Instead every quaternion enters ODE through `setQuaternion`, which remembers the value given
    /// (the pre-image); after each substep the integrated quaternion is passed through it too.
    /// Snapshots carry pre-images, so `restore` reproduces the live state bit for bit.
    /// A live quaternion that ODE's normalization leaves unchanged is its own pre-image: handing it
    /// to ODE again would change nothing (the rotation matrix already comes from it), so it is not.
    private func canonicalizeQuaternions(_ plan: StepPlan) {
        let n = plan.normal
        preimages.withUnsafeMutableBufferPointer { pre in
            for (i, b) in plan.bodies.enumerated() {
                let h = b.handle
                guard let p = dBodyGetQuaternion(h) else { continue }
                let live = Quat(w: p[0], x: p[1], y: p[2], z: p[3])
                var q = live
                if let n, b.dynamic { q = Self.projectOntoPlane(h, (b.rest, b.offset), q, n) }
                pre[i] = q
                if q == live, StepPlan.odeNormalized(q) == q { continue }
                var v: (dReal, dReal, dReal, dReal) = (q.w, q.x, q.y, q.z)
                withUnsafeMutablePointer(to: &v) { $0.withMemoryRebound(to: dReal.self, capacity: 4) { dBodySetQuaternion(h, $0) } }
            }
        }
    }

    /// `setPlanarProjection`: puts body `i` back in its plane and returns its orientation reduced to
    /// the rotation about `n` from its rest orientation.
    private static func projectOntoPlane(_ h: OpaquePointer, _ rest: (rotation: Quat, offset: Double), _ q: Quat, _ n: Vec3) -> Quat {
        if let p = dBodyGetPosition(h) {
            let d = p[0] * n.x + p[1] * n.y + p[2] * n.z - rest.offset
            if d != 0 { dBodySetPosition(h, p[0] - d * n.x, p[1] - d * n.y, p[2] - d * n.z) }
        }
        if let v = dBodyGetLinearVel(h) {
            let d = v[0] * n.x + v[1] * n.y + v[2] * n.z
            if d != 0 { dBodySetLinearVel(h, v[0] - d * n.x, v[1] - d * n.y, v[2] - d * n.z) }
        }
        if let w = dBodyGetAngularVel(h) {
            let d = w[0] * n.x + w[1] * n.y + w[2] * n.z
            if w[0] != d * n.x || w[1] != d * n.y || w[2] != d * n.z { dBodySetAngularVel(h, d * n.x, d * n.y, d * n.z) }
        }
        let r = q * rest.rotation.conjugate
        let s = r.x * n.x + r.y * n.y + r.z * n.z
        // Already a pure rotation about n: leave it bit for bit.
        if r.x == s * n.x, r.y == s * n.y, r.z == s * n.z { return q }
        let twist = Quat(w: r.w, x: s * n.x, y: s * n.y, z: s * n.z).normalized
        return (twist * rest.rotation).normalized
    }

    private func setQuaternion(_ i: Int, _ q: Quat) {
        var v: [dReal] = [q.w, q.x, q.y, q.z]
        dBodySetQuaternion(bodies[i].handle, &v)
        preimages[i] = q
    }

    private func updateUnwrappedAngles(_ plan: StepPlan) {
        guard !plan.planarHinges.isEmpty else { return }
        unwrapped.withUnsafeMutableBufferPointer { unwrapped in
            for c in plan.planarHinges {
                let raw = Self.planarAngle(c.body, c.rotation0, c.axis)
                var delta = raw - remainder(unwrapped[c.joint], 2 * Double.pi)
                delta = remainder(delta, 2 * Double.pi)
                unwrapped[c.joint] += delta
            }
        }
    }

    private func planarAngle(_ j: JointRecord, _ axis: Vec3) -> Double {
        Self.planarAngle(bodies[j.body.index].handle, j.rotation0, axis)
    }

    private static func planarAngle(_ body: OpaquePointer, _ rotation0: Quat, _ axis: Vec3) -> Double {
        guard let q = dBodyGetQuaternion(body) else { return 0 }
        let rel = Quat(w: q[0], x: q[1], y: q[2], z: q[3]) * rotation0.conjugate
        return 2 * atan2(Vec3(rel.x, rel.y, rel.z).dot(axis), rel.w)
    }

    private func checkBounds(_ plan: StepPlan) throws(PhysicsError) {
        let bound = parameters.positionBound, speed = parameters.speedBound
        for (i, b) in plan.bodies.enumerated() where b.dynamic {
            let h = b.handle
            guard let p = dBodyGetPosition(h), let v = dBodyGetLinearVel(h), let w = dBodyGetAngularVel(h) else { continue }
            let pos = Vec3(p[0], p[1], p[2]), vel = Vec3(v[0], v[1], v[2]), ang = Vec3(w[0], w[1], w[2])
            // Non-finite values fail every comparison: test the good case.
            if abs(pos.x) <= bound, abs(pos.y) <= bound, abs(pos.z) <= bound, vel.dot(vel) <= speed * speed, ang.dot(ang) <= speed * speed { continue }
            guard pos.isFinite, vel.isFinite, ang.isFinite else { throw .diverged("body \(bodies[i].name) has a non-finite state") }
            if pos.maxAbs > parameters.positionBound { throw .diverged("body \(bodies[i].name) is \(pos.norm) m from the origin") }
            if vel.norm > parameters.speedBound || ang.norm > parameters.speedBound {
                throw .diverged("body \(bodies[i].name) moves at \(vel.norm) m/s, \(ang.norm) rad/s")
            }
        }
    }

    // MARK: - Reading state

    /// Number of bodies, geoms, joints and actuators.
    public var bodyCount: Int { bodies.count }
    public var geomCount: Int { geoms.count }
    public var jointCount: Int { joints.count }
    public var actuatorCount: Int { actuators.count }

    public func bodyName(_ b: BodyID) -> String { bodies[b.index].name }
    public func jointName(_ j: JointID) -> String { joints[j.index].name }
    public func actuatorName(_ a: ActuatorID) -> String { actuators[a.index].name }
    public func actuatorControlRange(_ a: ActuatorID) -> ClosedRange<Double> { actuators[a.index].controlRange }
    public func isKinematic(_ b: BodyID) -> Bool { bodies[b.index].kinematic }

    /// The body's model frame in world coordinates.
    public func bodyPose(_ b: BodyID) -> Transform {
        let rec = bodies[b.index]
        guard let p = dBodyGetPosition(rec.handle), let q = dBodyGetQuaternion(rec.handle) else { return .identity }
        let rot = Quat(w: q[0], x: q[1], y: q[2], z: q[3])
        let com = Vec3(p[0], p[1], p[2])
        return Transform(position: com - rot.rotate(rec.center), rotation: rot)
    }

    /// The body's centre of mass in world coordinates.
    public func centerOfMass(_ b: BodyID) -> Vec3 {
        guard let p = dBodyGetPosition(bodies[b.index].handle) else { return .zero }
        return Vec3(p[0], p[1], p[2])
    }

    /// Linear velocity of the body's centre of mass (m/s, world).
    public func linearVelocity(_ b: BodyID) -> Vec3 {
        guard let v = dBodyGetLinearVel(bodies[b.index].handle) else { return .zero }
        return Vec3(v[0], v[1], v[2])
    }

    /// Angular velocity (rad/s, world).
    public func angularVelocity(_ b: BodyID) -> Vec3 {
        guard let v = dBodyGetAngularVel(bodies[b.index].handle) else { return .zero }
        return Vec3(v[0], v[1], v[2])
    }

    /// Velocity of a point fixed to the body, given in world coordinates.
    public func pointVelocity(_ b: BodyID, atWorld p: Vec3) -> Vec3 {
        linearVelocity(b) + angularVelocity(b).cross(p - centerOfMass(b))
    }

    /// Sets a dynamic body's model-frame pose and velocities (e.g. initial-state noise at reset).
    /// `linearVelocity` is the velocity of the model frame's origin (MJCF's convention), so a body
    /// spun about a hinge at its origin needs only `angularVelocity`; the centre of mass then moves
    /// with v + ω × (c − origin).
    public func setBodyState(_ b: BodyID, pose: Transform, linearVelocity v: Vec3 = .zero, angularVelocity w: Vec3 = .zero) throws(PhysicsError) {
        try check(b)
        guard pose.position.isFinite, abs(pose.rotation.norm - 1) < 1e-6, v.isFinite, w.isFinite else { throw .invalidArgument("body state must be finite") }
        let rec = bodies[b.index]
        let com = pose.apply(rec.center)
        dBodySetPosition(rec.handle, com.x, com.y, com.z)
        setQuaternion(b.index, pose.rotation)
        let vc = v + w.cross(com - pose.position)
        dBodySetLinearVel(rec.handle, vc.x, vc.y, vc.z)
        dBodySetAngularVel(rec.handle, w.x, w.y, w.z)
    }

    /// Freezes a dynamic body where it is (ODE's disable: zero velocity, no part in the step until
    /// released; a joint or contact to an enabled body wakes it) or releases it. An environment may
    /// freeze a body at rest that nothing can reach within the next step, as physics engines' sleeping
    /// does; the decision must be a function of the state so that rollouts stay deterministic.
    /// `restore` releases every body.
    public func setFrozen(_ b: BodyID, _ frozen: Bool) throws(PhysicsError) {
        try check(b)
        guard !bodies[b.index].kinematic else { throw .invalidArgument("\(bodies[b.index].name) is kinematic") }
        let h = bodies[b.index].handle
        if frozen {
            dBodySetLinearVel(h, 0, 0, 0)
            dBodySetAngularVel(h, 0, 0, 0)
            dBodyDisable(h)
        } else {
            dBodyEnable(h)
        }
    }

    /// Whether a body is frozen (`setFrozen`), or was woken since by a contact or joint.
    public func isFrozen(_ b: BodyID) -> Bool { dBodyIsEnabled(bodies[b.index].handle) == 0 }

    /// Joint position: hinge angle (rad), slider displacement (m), planar coordinates; 0 for other kinds.
    public func jointPosition(_ j: JointID) -> Double {
        let r = joints[j.index]
        if let p = r.pinned { return p.angle }
        switch r.kind {
        case .hinge: return dJointGetHingeAngle(r.handles[0])
        case .slider: return dJointGetSliderPosition(r.handles[0])
        case let .planarSlide(axis): return (bodyPose(r.body).position - r.origin0).dot(axis)
        case .planarHinge: return unwrapped[j.index]
        default: return 0
        }
    }

    /// Joint velocity (rad/s or m/s), matching `jointPosition`.
    public func jointVelocity(_ j: JointID) -> Double {
        let r = joints[j.index]
        if let p = r.pinned { return p.rate }
        switch r.kind {
        case .hinge: return dJointGetHingeAngleRate(r.handles[0])
        case .slider: return dJointGetSliderPositionRate(r.handles[0])
        case let .planarSlide(axis): return pointVelocity(r.body, atWorld: bodyPose(r.body).position).dot(axis)
        case let .planarHinge(axis): return angularVelocity(r.body).dot(axis)
        default: return 0
        }
    }

    /// The body a joint moves and its parent (nil: the world).
    public func jointBodies(_ j: JointID) -> (body: BodyID, parent: BodyID?) { (joints[j.index].body, joints[j.index].parent) }

    /// A joint's position limits (nil: unlimited).
    public func jointLimits(_ j: JointID) -> ClosedRange<Double>? { joints[j.index].dynamics.limits }

    /// A hinge's anchor and unit axis in world coordinates now (nil for other kinds of joint).
    public func hingeFrame(_ j: JointID) -> (anchor: Vec3, axis: Vec3)? {
        let r = joints[j.index]
        guard r.kind == .hinge else { return nil }
        if let pin = r.pinned { return (bodyPose(r.body).apply(pin.anchorLocal), pin.axis) }
        var p = [dReal](repeating: 0, count: 4), a = [dReal](repeating: 0, count: 4)
        dJointGetHingeAnchor(r.handles[0], &p)
        dJointGetHingeAxis(r.handles[0], &a)
        return (Vec3(p[0], p[1], p[2]), Vec3(a[0], a[1], a[2]))
    }

    /// Re-reads every planar hinge coordinate (MJCF rooty) from its body's pose, in (−π, π]. Call it
    /// after setting poses directly (a reset): the unwrapped angle otherwise follows only stepping.
    public func resyncPlanarAngles() {
        for i in joints.indices {
            guard case let .planarHinge(axis) = joints[i].kind else { continue }
            unwrapped[i] = planarAngle(joints[i], axis)
        }
    }

    /// Fastest linear speed of any dynamic body's centre of mass (m/s).
    public var maxBodySpeed: Double {
        bodies.indices.filter { !bodies[$0].kinematic }.map { linearVelocity(BodyID(index: $0)).norm }.max() ?? 0
    }

    /// What a renderer needs of a geom: its name, shape, world pose, colour and whether it is static.
    public struct GeomVisual: Sendable {
        public let name: String
        public let shape: GeomShape
        public let pose: Transform
        /// Red, green, blue, alpha in [0, 1] (MJCF `rgba`).
        public let rgba: (Float, Float, Float, Float)
        /// True for world geometry (no body).
        public let isStatic: Bool
    }

    /// Every geom as a renderer sees it now, in creation order.
    public func geomVisuals() -> [GeomVisual] {
        geoms.indices.map { i in
            let r = geoms[i]
            return GeomVisual(name: r.name, shape: r.shape, pose: geomPose(GeomID(index: i)), rgba: r.rgba, isStatic: r.body == nil)
        }
    }

    /// World pose of a geom.
    public func geomPose(_ g: GeomID) -> Transform {
        let r = geoms[g.index]
        guard let b = r.body else { return r.pose }
        return bodyPose(b).composed(with: r.pose)
    }

    // MARK: - Snapshots

    /// The full dynamic state of a simulation as a value.
    public struct State: Hashable, Sendable {
        public struct Body: Hashable, Sendable {
            /// `quaternion` is the value that, handed to ODE, reproduces the body's orientation exactly.
            public var position: Vec3, quaternion: Quat, linearVelocity: Vec3, angularVelocity: Vec3
        }
        public var time: Double
        public var bodies: [Body]
        public var controls: [Double]
        public var unwrappedAngles: [Double]
    }

    /// Captures everything that determines the future: every body's ODE state, controls, time.
    public func snapshot() -> State {
        State(time: time, bodies: bodies.indices.map { i in
            let h = bodies[i].handle
            guard let p = dBodyGetPosition(h), let v = dBodyGetLinearVel(h), let w = dBodyGetAngularVel(h) else {
                return State.Body(position: .zero, quaternion: .identity, linearVelocity: .zero, angularVelocity: .zero)
            }
            return State.Body(position: Vec3(p[0], p[1], p[2]), quaternion: preimages[i],
                              linearVelocity: Vec3(v[0], v[1], v[2]), angularVelocity: Vec3(w[0], w[1], w[2]))
        }, controls: controls, unwrappedAngles: unwrapped)
    }

    /// Restores a state captured from this simulation (or one built identically); replays bit-exactly.
    public func restore(_ s: State) throws(PhysicsError) {
        guard s.bodies.count == bodies.count, s.controls.count == controls.count, s.unwrappedAngles.count == unwrapped.count else {
            throw .snapshotMismatch("\(s.bodies.count) bodies / \(s.controls.count) controls, expected \(bodies.count) / \(controls.count)")
        }
        guard s.bodies.allSatisfy({ $0.position.isFinite && $0.linearVelocity.isFinite && $0.angularVelocity.isFinite }) else {
            throw .snapshotMismatch("non-finite body state")
        }
        mr_ode_prepare_thread()
        for (i, b) in s.bodies.enumerated() {
            let rec = bodies[i]
            if !rec.kinematic { dBodyEnable(rec.handle) }
            dBodySetPosition(rec.handle, b.position.x, b.position.y, b.position.z)
            setQuaternion(i, b.quaternion)
            dBodySetLinearVel(rec.handle, b.linearVelocity.x, b.linearVelocity.y, b.linearVelocity.z)
            dBodySetAngularVel(rec.handle, b.angularVelocity.x, b.angularVelocity.y, b.angularVelocity.z)
        }
        controls = s.controls
        unwrapped = s.unwrappedAngles
        time = s.time
    }

    // MARK: - Helpers

    private func check(_ b: BodyID) throws(PhysicsError) {
        guard b.index >= 0, b.index < bodies.count else { throw .invalidArgument("unknown body \(b.index)") }
    }

    private func checkJoint(_ name: String, _ body: BodyID, _ parent: BodyID?, axis: Vec3, dynamics: JointDynamics, angular: Bool) throws(PhysicsError) {
        try check(body)
        if let parent { try check(parent); guard parent != body else { throw .invalidArgument("joint \(name): a body cannot be jointed to itself") } }
        guard !bodies[body.index].kinematic else { throw .invalidArgument("joint \(name): \(bodies[body.index].name) is kinematic") }
        guard axis.isFinite, axis.norm > 1e-9 else { throw .invalidArgument("joint \(name): axis must be finite and non-zero") }
        guard dynamics.damping.isFinite, dynamics.damping >= 0 else { throw .invalidArgument("joint \(name): damping must be ≥ 0") }
        guard dynamics.stiffness.isFinite, dynamics.stiffness >= 0, dynamics.springReference.isFinite else { throw .invalidArgument("joint \(name): stiffness must be ≥ 0") }
        guard dynamics.armature.isFinite, dynamics.armature >= 0 else { throw .invalidArgument("joint \(name): armature must be ≥ 0") }
        if let l = dynamics.limits {
            guard l.lowerBound.isFinite, l.upperBound.isFinite, l.lowerBound < l.upperBound else { throw .invalidArgument("joint \(name): limits must be finite with lower < upper") }
            if angular { guard l.lowerBound >= -Double.pi, l.upperBound <= Double.pi else { throw .invalidArgument("joint \(name): hinge limits must lie in [-π, π]") } }
        }
    }

    private func attach(_ j: OpaquePointer, _ body: BodyID, _ parent: BodyID?) {
        dJointAttach(j, bodies[body.index].handle, parent.map { bodies[$0.index].handle })
        if let parent { excludeCollisions(body, parent) }
    }

    /// Implicit viscous damping: a velocity motor toward 0 whose CFM is 1/damping, on its own row so
    /// it never mixes with joint limits (ODE applies ±FMax directly when a powered joint sits at a stop).
    /// The axis is anchored to the body (it turns with it) for joints, to the world for planar coordinates.
    private func makeDamper(_ body: BodyID, _ parent: BodyID?, axis: Vec3, damping: Double, angular: Bool, worldAxis: Bool = false) throws(PhysicsError) -> OpaquePointer {
        let rel: Int32 = worldAxis ? 0 : 1
        let b1 = bodies[body.index].handle, b2 = parent.map { bodies[$0.index].handle }
        if angular {
            guard let m = dJointCreateAMotor(world, nil) else { throw .engine("dJointCreateAMotor failed") }
            dJointAttach(m, b1, b2)
            dJointSetAMotorMode(m, Int32(dAMotorUser))
            dJointSetAMotorNumAxes(m, 1)
            dJointSetAMotorAxis(m, 0, rel, axis.x, axis.y, axis.z)
            dJointSetAMotorParam(m, Int32(dParamVel), 0)
            dJointSetAMotorParam(m, Int32(dParamFMax), .infinity)
            dJointSetAMotorParam(m, Int32(dParamCFM), 1 / damping)
            return m
        } else {
            guard let m = dJointCreateLMotor(world, nil) else { throw .engine("dJointCreateLMotor failed") }
            dJointAttach(m, b1, b2)
            dJointSetLMotorNumAxes(m, 1)
            dJointSetLMotorAxis(m, 0, rel, axis.x, axis.y, axis.z)
            dJointSetLMotorParam(m, Int32(dParamVel), 0)
            dJointSetLMotorParam(m, Int32(dParamFMax), .infinity)
            dJointSetLMotorParam(m, Int32(dParamCFM), 1 / damping)
            return m
        }
    }

    private func appendJoint(_ r: JointRecord) -> JointID {
        if r.dynamics.armature > 0, r.handles.count > 1 {
            let gain = r.dynamics.armature / parameters.timestep
            let kind: StepPlan.Armature.Kind = r.pinned.map { .pinned($0.slot) } ?? (r.kind == .hinge ? .hinge : .slider)
            armatures.append(StepPlan.Armature(kind: kind, joint: r.handles[0], motor: r.handles[1], fraction: gain / (gain + r.dynamics.damping)))
        }
        joints.append(r)
        unwrapped.append(0)
        stepPlan = nil
        return JointID(index: joints.count - 1)
    }
}
