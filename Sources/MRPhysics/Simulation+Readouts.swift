import CODE
import MRCore

/// Reading state: names, poses, velocities, joint coordinates, geometry for rendering.
extension Simulation {
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
}
