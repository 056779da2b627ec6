import MRCore
import MRPhysics

/// A HalfCheetah meta-task family: its environment id, default task and per-step reward.
public protocol HalfCheetahTask: TaskDescriptor {
    /// The versioned environment id of the family.
    static var environmentID: String { get }
    /// The task an environment starts with.
    static var defaultTask: Self { get }
    /// Throws for parameters outside the family's distribution's support.
    func validate() throws
    /// The reward terms of one control step: forward velocity `vx` (m/s, root x displacement over
    /// the step) and the squared norm of the (clipped) action.
    func rewardTerms(vx: Double, actionSquaredNorm: Double) -> [RewardTerm]
}

/// HalfCheetah on ODE from `Assets/models/half_cheetah.xml` (Gymnasium's HalfCheetah-v5 model; see
/// the file's header for what ODE could not reproduce), generic over its task family:
/// `half-cheetah-vel-v2` (`HalfCheetahVelocityTask`) and `half-cheetah-dir-v2` (`HalfCheetahDirectionTask`).
///
/// v2 (v1 retired): floor contacts as soft as MuJoCo's for this model (`floorContact`); under
/// uniform random actions the cheetah now drifts backward as HalfCheetah-v5's does (−0.11 m/s
/// against −0.09; v1: +0.01), with the same joint speeds, heights and flip rate.
///
/// A planar robot (root x, z, pitch) with six actuated hinges. Model timestep 0.01 s, 5 substeps:
/// control dt 0.05 s. Horizon 200 control steps (10 s), enforced by the registry's `TimeLimit`;
/// never terminated by the environment.
///
/// | action | joint (Gymnasium name) | torque |
/// | --- | --- | --- |
/// | 0 | back thigh (`bthigh`) | × 120 N·m |
/// | 1 | back shin (`bshin`) | × 90 N·m |
/// | 2 | back foot (`bfoot`) | × 60 N·m |
/// | 3 | front thigh (`fthigh`) | × 120 N·m |
/// | 4 | front shin (`fshin`) | × 60 N·m |
/// | 5 | front foot (`ffoot`) | × 30 N·m |
///
/// | observation | meaning (Gymnasium's `qpos[1:]`, `qvel`) |
/// | --- | --- |
/// | 0 | root z (m, relative to the initial 0.7 m) |
/// | 1 | root pitch (rad, about +y, unwrapped) |
/// | 2–7 | joint angles bthigh, bshin, bfoot, fthigh, fshin, ffoot (rad) |
/// | 8, 9 | root vx, vz (m/s, of the torso frame's origin) |
/// | 10 | root pitch rate (rad/s) |
/// | 11–16 | joint velocities, same order (rad/s) |
///
/// Reward per step (terms in `StepInfo`), with vx the root x displacement over the control step
/// divided by 0.05 s and a the clipped action:
/// - `half-cheetah-vel-v2`: `velocity` −|vx − v*|, `control` −0.05‖a‖².
/// - `half-cheetah-dir-v2`: `forward` d·vx, `control` −0.05‖a‖².
/// No success criterion. Reset (as Gymnasium): every qpos += U(−0.1, 0.1), every qvel += 0.1·N(0, 1),
/// from the seed only. The task parameter is never in the observation.
public final class HalfCheetahEnvironment<T: HalfCheetahTask>: PhysicsEnvironment {
    public typealias Task = T
    static var horizonSteps: Int { 200 }
    static var controlDt: Double { 0.05 }
    static var modelPath: String { "models/half_cheetah.xml" }
    /// Control cost weight of both families (ENVIRONMENTS.md).
    static var controlCost: Double { 0.05 }

    public let id = T.environmentID
    public let observationSpace = BoxSpace(dimension: 17, bound: .infinity)
    public let observationLayout = ObservationLayout([("root_z", 1), ("root_pitch", 1), ("joint_angles", 6),
                                                      ("root_velocity_xz", 2), ("root_pitch_rate", 1), ("joint_velocities", 6)])
    public let actionSpace = BoxSpace.unit(6)
    public let horizon = HalfCheetahEnvironment.horizonSteps
    public let controlTimestep = HalfCheetahEnvironment.controlDt
    public let substeps = 5

    let rig: LocomotionRig
    public var simulation: Simulation { rig.simulation }
    var model: Model { rig.model }
    /// rootx, rootz, rooty, then the six leg hinges (Gymnasium's qpos order).
    var coordinates: [JointID] { rig.joints }
    public private(set) var task: T
    /// The task of the running episode (a new task takes effect at reset).
    private(set) var episodeTask: T
    private var lastObservation: [Float] = []

    public init(assets: String? = nil, task: T = T.defaultTask) throws {
        try task.validate()
        rig = try LocomotionRig(model: Self.modelPath, assets: assets, planar: .projection, floorContact: Self.floorContact,
                                joints: ["rootx", "rootz", "rooty", "bthigh", "bshin", "bfoot", "fthigh", "fshin", "ffoot"], treeJoints: 6, motors: 6)
        self.task = task
        episodeTask = task
        _ = reset(seed: 0)
    }

    /// Contact with the floor: ERP 0.5, CFM 5e-3, friction 0.4 (the geoms' own). The CFM is MuJoCo's
    /// impedance regularisation h(1 − d)/(d·m) for this model's contact solimp (its impedance rises
    /// to d = 0.8, where the ant's defaults reach 0.95) at h = 0.01 s for a foot's effective mass of
    /// m ≈ 0.5 kg: feet sink and slip as MuJoCo's do. The ERP is calibrated: 0.31 (MuJoCo's
    /// equivalent) sinks the torso 2 cm below MuJoCo's, 0.8 flips the cheetah more often. With v1's
    /// stiff contacts (ERP 0.2, CFM 1e-4) the random-action drift was +0.009 m/s against
    /// HalfCheetah-v5's −0.092; with these, −0.11 (tools/fidelity/README.md).
    static var floorContact: ContactMaterial { ContactMaterial(friction: 0.4, erp: 0.5, cfm: 5e-3) }

    public func setTask(_ task: T) throws {
        try task.validate()
        self.task = task
    }

    public var maxBodySpeed: Double { simulation.maxBodySpeed }

    public func reset(seed: UInt64) -> [Float] {
        episodeTask = task
        var g = SeededGenerator(seed: seed)
        let q = (0..<9).map { _ in g.uniform(-0.1, 0.1) }
        let qd = (0..<9).map { _ in 0.1 * g.normal() }
        do {
            try place(q: q, qd: qd)
        } catch {
            // Only reachable if the model's start state itself were invalid.
            try? simulation.restore(rig.initial)
        }
        lastObservation = observation()
        return lastObservation
    }

    /// Sets the robot to generalized coordinates `q` (Gymnasium's qpos: rootx, rootz, rooty, six
    /// hinges) and velocities `qd` (qvel), everything else as at construction.
    func place(q: [Double], qd: [Double]) throws {
        let pitch = Quat(axis: Vec3(0, 1, 0), angle: q[2])
        let pose = Transform(position: rig.torsoRest.position + Vec3(q[0], 0, q[1]), rotation: (pitch * rig.torsoRest.rotation).normalized)
        let slot = rig.slot
        try rig.place(torso: pose, linearVelocity: Vec3(qd[0], 0, qd[1]), angularVelocity: Vec3(0, qd[2], 0),
                      angle: { q[slot[$0.index] ?? 0] }, rate: { qd[slot[$0.index] ?? 0] })
        simulation.resyncPlanarAngles()
    }

    func observation() -> [Float] {
        var o = [Float](repeating: 0, count: 17)
        let coordinates = rig.joints
        for k in 1..<9 { o[k - 1] = Float(simulation.jointPosition(coordinates[k])) }
        for k in 0..<9 { o[8 + k] = Float(simulation.jointVelocity(coordinates[k])) }
        return o
    }

    /// Root x (m), Gymnasium's qpos[0].
    var rootX: Double { simulation.jointPosition(coordinates[0]) }

    public func step(_ action: [Float]) throws -> StepResult {
        let a = try actionSpace.validatedAndClipped(action)
        let x0 = rootX
        guard let sq = rig.drive(a, substeps: substeps) else {
            return StepResult(observation: lastObservation, reward: 0, status: .truncated(.diverged))
        }
        let vx = (rootX - x0) / controlTimestep
        let o = observation()
        guard vx.isFinite, o.allSatisfy({ $0.isFinite }) else {
            return StepResult(observation: lastObservation, reward: 0, status: .truncated(.diverged))
        }
        lastObservation = o
        let terms = episodeTask.rewardTerms(vx: vx, actionSquaredNorm: sq)
        var r = 0.0
        for t in terms { r += t.value }
        return StepResult(observation: o, reward: r, status: .running, info: StepInfo(terms: terms))
    }

    public func snapshot() -> EnvironmentSnapshot { physicsSnapshot((episodeTask, lastObservation)) }

    public func restore(_ snapshot: EnvironmentSnapshot) throws {
        (episodeTask, lastObservation) = try restorePhysics(snapshot, as: (T, [Float]).self)
    }
}

/// `half-cheetah-vel-v2`'s task: run at a target forward velocity v* (m/s).
public struct HalfCheetahVelocityTask: HalfCheetahTask {
    public static let kind = "half-cheetah-vel"
    public static let environmentID = "half-cheetah-vel-v2"
    public static let defaultTask = HalfCheetahVelocityTask(targetVelocity: 1)
    /// MAML's range; PEARL used [0, 3].
    public static let range: ClosedRange<Double> = 0...2
    public var targetVelocity: Double
    public init(targetVelocity: Double) { self.targetVelocity = targetVelocity }
    public func validate() throws {
        guard targetVelocity.isFinite, Self.range.contains(targetVelocity) else {
            throw EnvironmentError.invalidTask("\(Self.kind): target velocity \(targetVelocity) is outside \(Self.range)")
        }
    }
    public func rewardTerms(vx: Double, actionSquaredNorm: Double) -> [RewardTerm] {
        [RewardTerm("velocity", -abs(vx - targetVelocity)), RewardTerm("control", -0.05 * actionSquaredNorm)]
    }
}

/// `half-cheetah-dir-v2`'s task: run forward (+1) or backward (−1).
public struct HalfCheetahDirectionTask: HalfCheetahTask {
    public static let kind = "half-cheetah-dir"
    public static let environmentID = "half-cheetah-dir-v2"
    public static let defaultTask = HalfCheetahDirectionTask(direction: 1)
    /// +1 forward, −1 backward.
    public var direction: Int
    public init(direction: Int) { self.direction = direction }
    public func validate() throws {
        guard direction == 1 || direction == -1 else { throw EnvironmentError.invalidTask("\(Self.kind): direction must be +1 or -1, got \(direction)") }
    }
    public func rewardTerms(vx: Double, actionSquaredNorm: Double) -> [RewardTerm] {
        [RewardTerm("forward", Double(direction) * vx), RewardTerm("control", -0.05 * actionSquaredNorm)]
    }
}
