import CODE
import MRCore

/// Building a world: bodies, geoms, joints, motors, contact materials.
extension Simulation {
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
    func register(_ record: BodyRecord, rotation: Quat) -> BodyID {
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
    func enterPlane(_ i: Int, _ n: Vec3, rotation: Quat) {
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
}
