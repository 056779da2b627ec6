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
    public internal(set) var time: Double = 0
    /// Contacts created by the last substep, and the deepest penetration (m) seen since the last reset of the counter.
    public internal(set) var lastContactCount = 0
    public var maxPenetrationSeen = 0.0
    /// Informational ODE messages ("LCP internal error"…) seen while stepping this simulation.
    public internal(set) var engineMessages = 0

    let world: OpaquePointer
    let space: OpaquePointer
    let contactGroup: OpaquePointer
    /// ODE's default stepping "threading" is one process-wide job list: two worlds stepping at once on
    /// two threads corrupt it. Each world gets its own self-threaded implementation instead.
    let threading: OpaquePointer
    var poisoned = false

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

    var bodies: [BodyRecord] = []
    var geoms: [GeomRecord] = []
    var joints: [JointRecord] = []
    var actuators: [ActuatorRecord] = []
    var controls: [Double] = []
    /// Unwrapped angles of planar hinge coordinates, indexed like `joints`.
    var unwrapped: [Double] = []
    /// The quaternion last handed to ODE for each body (see `setQuaternion`).
    var preimages: [Quat] = []
    var excluded: Set<[Int]> = []
    var pairOverrides: [[Int]: ContactMaterial] = [:]
    var pairs: [mr_contact_pair] = []
    /// Joints with armature: their damper row's target velocity is refreshed every substep.
    var armatures: [StepPlan.Armature] = []
    var pairsDirty = true
    /// Sliders damped by a force each substep (`JointDynamics.explicitDamping`): handle and coefficient c.
    var explicitSliderDampers: [(OpaquePointer, Double)] = []
    /// Planar world (`setPlanarProjection`): unit normal, and per body its rest orientation and plane offset (n·com).
    var projectionNormal: Vec3?
    var planarRest: [(rotation: Quat, offset: Double)] = []
    /// Every pinned hinge, by slot.
    var pins: [PinnedHinge] = []
    /// What a substep walks (`StepPlan`); nil after bodies, joints or actuators change.
    var stepPlan: StepPlan?

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

    // MARK: - Helpers

    func check(_ b: BodyID) throws(PhysicsError) {
        guard b.index >= 0, b.index < bodies.count else { throw .invalidArgument("unknown body \(b.index)") }
    }

    func checkJoint(_ name: String, _ body: BodyID, _ parent: BodyID?, axis: Vec3, dynamics: JointDynamics, angular: Bool) throws(PhysicsError) {
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

    func attach(_ j: OpaquePointer, _ body: BodyID, _ parent: BodyID?) {
        dJointAttach(j, bodies[body.index].handle, parent.map { bodies[$0.index].handle })
        if let parent { excludeCollisions(body, parent) }
    }

    /// Implicit viscous damping: a velocity motor toward 0 whose CFM is 1/damping, on its own row so
    /// it never mixes with joint limits (ODE applies ±FMax directly when a powered joint sits at a stop).
    /// The axis is anchored to the body (it turns with it) for joints, to the world for planar coordinates.
    func makeDamper(_ body: BodyID, _ parent: BodyID?, axis: Vec3, damping: Double, angular: Bool, worldAxis: Bool = false) throws(PhysicsError) -> OpaquePointer {
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

    func appendJoint(_ r: JointRecord) -> JointID {
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
