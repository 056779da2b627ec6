import CODE
import MRCore

/// What a substep walks, resolved once from the simulation's records into flat buffers.
///
/// `Simulation.step` runs its bookkeeping (motor and spring forces, armature targets, pinned-hinge
/// angles, the planar projection, quaternion pre-images, unwrapped angles, bounds) on every substep.
/// Walking the records directly cost retain/release pairs and exclusivity checks on every array and
/// copies of records holding strings; the plan holds only plain values in buffers it owns, so a step
/// retains it once. It is rebuilt whenever bodies, joints or actuators change.
final class StepPlan {
    /// Where a generalized force goes.
    enum Target {
        case hinge(OpaquePointer)
        case slider(OpaquePointer)
        /// A pinned hinge (`Simulation.addPlanarHinge`), by its slot in `pins`.
        case pinned(Int)
        /// Anything else (planar coordinates): `Simulation.applyGeneralizedForce`.
        case other(JointID)
    }
    struct Motor { let target: Target; let gear: Double }
    struct Spring { let target: Target; let stiffness: Double; let reference: Double }
    /// A damper row whose target velocity carries the armature term (`Simulation.updateArmatureTargets`).
    struct Armature {
        enum Kind { case pinned(Int), hinge, slider }
        let kind: Kind
        let joint: OpaquePointer
        let motor: OpaquePointer
        let fraction: Double
    }
    struct Body {
        let handle: OpaquePointer
        let dynamic: Bool
        /// Planar world: orientation at rest and plane offset (n · com).
        let rest: Quat
        let offset: Double
    }
    /// A planar rotation coordinate (MJCF rooty): its joint index, body, rest rotation and axis.
    struct PlanarHinge { let joint: Int; let body: OpaquePointer; let rotation0: Quat; let axis: Vec3 }

    let pins: UnsafeMutableBufferPointer<Simulation.PinnedHinge>
    /// Each pinned hinge's angle at the start of the current substep (springs, limits).
    let pinAngles: UnsafeMutableBufferPointer<Double>
    /// Slots of the pinned hinges with limits.
    let limitedPins: UnsafeMutableBufferPointer<Int>
    /// Per actuator, in control order.
    let motors: UnsafeMutableBufferPointer<Motor>
    let springs: UnsafeMutableBufferPointer<Spring>
    let armatures: UnsafeMutableBufferPointer<Armature>
    /// Sliders damped by an explicit force: handle and coefficient.
    let sliderDampers: UnsafeMutableBufferPointer<(OpaquePointer, Double)>
    let bodies: UnsafeMutableBufferPointer<Body>
    let planarHinges: UnsafeMutableBufferPointer<PlanarHinge>
    /// The planar world's normal (nil: not a planar world).
    let normal: Vec3?

    init(pins: [Simulation.PinnedHinge], motors: [Motor], springs: [Spring], armatures: [Armature],
         sliderDampers: [(OpaquePointer, Double)], bodies: [Body], planarHinges: [PlanarHinge], normal: Vec3?) {
        self.pins = Self.buffer(pins)
        pinAngles = Self.buffer([Double](repeating: 0, count: pins.count))
        limitedPins = Self.buffer(pins.filter(\.limited).map(\.slot))
        self.motors = Self.buffer(motors)
        self.springs = Self.buffer(springs)
        self.armatures = Self.buffer(armatures)
        self.sliderDampers = Self.buffer(sliderDampers)
        self.bodies = Self.buffer(bodies)
        self.planarHinges = Self.buffer(planarHinges)
        self.normal = normal
    }

    deinit {
        // Every element type is trivial: freeing the memory is all there is.
        pins.deallocate(); pinAngles.deallocate(); limitedPins.deallocate(); motors.deallocate()
        springs.deallocate(); armatures.deallocate(); sliderDampers.deallocate(); bodies.deallocate()
        planarHinges.deallocate()
    }

    private static func buffer<T>(_ values: [T]) -> UnsafeMutableBufferPointer<T> {
        let b = UnsafeMutableBufferPointer<T>.allocate(capacity: max(values.count, 1))
        _ = b.initialize(from: values)
        return UnsafeMutableBufferPointer(rebasing: b[0..<values.count])
    }

    /// Reads every pinned hinge's angle and hands the limited ones to their motors' stop axis.
    func refreshPinAngles() {
        for p in pins { pinAngles[p.slot] = p.angle }
        for slot in limitedPins { dJointSetAMotorAngle(pins[slot].motor, 1, pinAngles[slot]) }
    }

    /// The quaternion ODE stores when handed `q` (`dBodySetQuaternion` normalizes it exactly so:
    /// 1/√(w² + x² + y² + z²), summed in that order, times each component).
    static func odeNormalized(_ q: Quat) -> Quat {
        let l = q.w * q.w + q.x * q.x + q.y * q.y + q.z * q.z
        guard l > 0 else { return q }
        let r = 1.0 / l.squareRoot()
        return Quat(w: q.w * r, x: q.x * r, y: q.y * r, z: q.z * r)
    }
}

extension Simulation.PinnedHinge {
    /// The child's rotation about the axis relative to the parent's, from rest, in (−π, π].
    var angle: Double {
        guard let qc = dBodyGetQuaternion(child) else { return 0 }
        let rc = Quat(w: qc[0], x: qc[1], y: qc[2], z: qc[3]) * childRest.conjugate
        var rp = Quat.identity
        if let parent, let qp = dBodyGetQuaternion(parent) { rp = Quat(w: qp[0], x: qp[1], y: qp[2], z: qp[3]) * parentRest.conjugate }
        let rel = rp.conjugate * rc
        // q and −q are the same rotation: with w ≥ 0 the angle lies in [−π, π].
        let sign: Double = rel.w < 0 ? -1 : 1
        return 2 * atan2(sign * (rel.x * axis.x + rel.y * axis.y + rel.z * axis.z), sign * rel.w)
    }

    /// (ω_child − ω_parent)·axis.
    var rate: Double {
        guard let wc = dBodyGetAngularVel(child) else { return 0 }
        var r = wc[0] * axis.x + wc[1] * axis.y + wc[2] * axis.z
        if let parent, let wp = dBodyGetAngularVel(parent) { r -= wp[0] * axis.x + wp[1] * axis.y + wp[2] * axis.z }
        return r
    }

    /// Torque `f` about the axis on the child, −f on the parent (as dJointAddHingeTorque).
    func addTorque(_ f: Double) {
        dBodyAddTorque(child, axis.x * f, axis.y * f, axis.z * f)
        if let parent { dBodyAddTorque(parent, -axis.x * f, -axis.y * f, -axis.z * f) }
    }
}

