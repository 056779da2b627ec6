import CODE
import MRCore

/// Stepping: controls, mocap poses, the substep loop and the per-substep bookkeeping
/// (forces, collision pairs, quaternion canonicalisation, planar angles, bounds).
extension Simulation {
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

    func currentStepPlan() -> StepPlan {
        if let plan = stepPlan { return plan }
        let plan = makeStepPlan()
        stepPlan = plan
        return plan
    }

    /// Resolves the records into a `StepPlan`: hinge and slider handles are read directly (copying
    /// a `JointRecord` per call cost ~270 instructions); planar coordinates go through
    /// `applyGeneralizedForce`. Same forces, same order as walking the records.
    func makeStepPlan() -> StepPlan {
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

    func applyForces(_ plan: StepPlan) {
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
    func updateArmatureTargets(_ plan: StepPlan) {
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

    func rebuildPairs() {
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
                    mu: m.friction, softERP: m.erp, softCFM: m.cfm, bounce: m.bounce, slip: m.slip, maxContacts: boxes == 2 ? 8 : 4,
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
    func canonicalizeQuaternions(_ plan: StepPlan) {
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
    static func projectOntoPlane(_ h: OpaquePointer, _ rest: (rotation: Quat, offset: Double), _ q: Quat, _ n: Vec3) -> Quat {
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

    func setQuaternion(_ i: Int, _ q: Quat) {
        var v: [dReal] = [q.w, q.x, q.y, q.z]
        dBodySetQuaternion(bodies[i].handle, &v)
        preimages[i] = q
    }

    func updateUnwrappedAngles(_ plan: StepPlan) {
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

    func planarAngle(_ j: JointRecord, _ axis: Vec3) -> Double {
        Self.planarAngle(bodies[j.body.index].handle, j.rotation0, axis)
    }

    static func planarAngle(_ body: OpaquePointer, _ rotation0: Quat, _ axis: Vec3) -> Double {
        guard let q = dBodyGetQuaternion(body) else { return 0 }
        let rel = Quat(w: q[0], x: q[1], y: q[2], z: q[3]) * rotation0.conjugate
        return 2 * atan2(Vec3(rel.x, rel.y, rel.z).dot(axis), rel.w)
    }

    func checkBounds(_ plan: StepPlan) throws(PhysicsError) {
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
}
