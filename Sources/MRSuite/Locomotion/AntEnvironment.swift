import MRCore
import MRPhysics

#if canImport(Glibc)
import Glibc
#endif

/// An Ant meta-task family: its environment id, default task and per-step task reward.
public protocol AntTask: TaskDescriptor {
    /// The versioned environment id of the family.
    static var environmentID: String { get }
    /// The task an environment starts with.
    static var defaultTask: Self { get }
    /// Throws for parameters outside the family's distribution's support.
    func validate() throws
    /// The task's reward terms of one control step (the environment adds `healthy`): torso xy
    /// velocity (m/s, displacement over the step), torso xy position after the step (m), and the
    /// squared norm of the (clipped) action.
    func rewardTerms(vx: Double, vy: Double, x: Double, y: Double, actionSquaredNorm: Double) -> [RewardTerm]
}

/// Ant on ODE from `Assets/models/ant.xml` (Gymnasium's Ant-v5 model; see the file's header for
/// what ODE could not reproduce), generic over its task family: `ant-vel-v2` (`AntVelocityTask`),
/// `ant-dir-v2` (`AntDirectionTask`), `ant-goal-v2` (`AntGoalTask`).
///
/// v2 (v1 retired): MuJoCo's soft joint limits as ODE stop ERP/CFM (`limitERP`, `limitCFM`), the
/// model's 1 cm contact margin, and floor contacts with ERP 0.8 (`floorContact`). Under uniform
/// random actions v1 terminated 13% of 200-step episodes against Ant-v5's 85% (torso-height p90
/// 0.73 m against 0.85); v2 terminates 77% (p90 0.81 m). `tools/fidelity/README.md` has the table
/// and the commands.
///
/// A torso sphere on a free joint with four two-segment legs: eight actuated hinges (hips about z,
/// ankles about the leg's horizontal normal). Model timestep 0.01 s, 5 substeps: control dt 0.05 s.
/// Horizon 200 control steps (10 s), enforced by the registry's `TimeLimit`. **Terminated** when the
/// torso height leaves [0.2, 1.0] m after a step (Gymnasium's health check).
///
/// | action | joint (Gymnasium's actuator order) | torque |
/// | --- | --- | --- |
/// | 0 | hip_4 (back right, about z) | × 150 N·m |
/// | 1 | ankle_4 | × 150 N·m |
/// | 2 | hip_1 (front left) | × 150 N·m |
/// | 3 | ankle_1 | × 150 N·m |
/// | 4 | hip_2 (front right) | × 150 N·m |
/// | 5 | ankle_2 | × 150 N·m |
/// | 6 | hip_3 (back left) | × 150 N·m |
/// | 7 | ankle_3 | × 150 N·m |
///
/// | observation | meaning (Gymnasium's `qpos[2:]`, `qvel`) |
/// | --- | --- |
/// | 0 | torso z (m) |
/// | 1–4 | torso orientation quaternion (w, x, y, z) |
/// | 5–12 | joint angles hip_1, ankle_1, hip_2, ankle_2, hip_3, ankle_3, hip_4, ankle_4 (rad) |
/// | 13–15 | torso linear velocity (m/s, world frame) |
/// | 16–18 | torso angular velocity (rad/s, torso frame, as MuJoCo's free-joint qvel) |
/// | 19–26 | joint velocities, same order as the angles (rad/s) |
///
/// Reward per step (terms in `StepInfo`), with (vx, vy) the torso xy displacement over the control
/// step divided by 0.05 s, (x, y) the torso position after it, a the clipped action, and `healthy` =
/// 1 while the torso height stays in [0.2, 1.0] (0 on the terminating step, as Gymnasium's v5):
/// - `ant-vel-v2`: `velocity` −|vx − v*|, `healthy`, `control` −0.005‖a‖².
/// - `ant-dir-v2`: `forward` (vx, vy)·(cos θ, sin θ), `healthy`, `control` −0.5‖a‖².
/// - `ant-goal-v2`: `goal` −‖(x, y) − g‖₁, `healthy`, `control` −0.1‖a‖².
/// No success criterion. Reset, from the seed only: as Gymnasium, the torso at 0.75 m upright and
/// hips at 0, every qpos += U(−0.1, 0.1) (the quaternion then normalised) and every qvel +=
/// 0.1·N(0, 1); except the ankles: Gymnasium starts them at 0, outside their 30…70° ranges, and
/// MuJoCo's soft limits (solreflimit 0.02 s) ease them to 30° over the first steps, whereas ODE's
/// stops push back at ERP·violation/h per substep: v1's hard stops (ERP 0.8) kicked them in at
/// ~40 rad/s and, with armature 1 keeping that speed, the legs overshot to the far limit and the ant
/// landed in a random lopsided pose (measured: ankle_1 0.07 → 1.27 rad in the first control step);
/// v2's soft stops would still start them at ~14 rad/s (0.263 · 0.52 rad / 0.01 s). Here the
/// ankles start at the limit nearest 0 (±30°) with the noise folded into the range
/// (30° + |U(−0.1, 0.1)|). The task parameter is never in the observation.
public final class AntEnvironment<T: AntTask>: PhysicsEnvironment {
    public typealias Task = T
    static var horizonSteps: Int { 200 }
    static var controlDt: Double { 0.05 }
    static var modelPath: String { "models/ant.xml" }
    /// Gymnasium's healthy_z_range.
    static var healthyZ: ClosedRange<Double> { 0.2...1.0 }

    public let id = T.environmentID
    public let observationSpace = BoxSpace(dimension: 27, bound: .infinity)
    public let observationLayout = ObservationLayout([("torso_z", 1), ("torso_quaternion", 4), ("joint_angles", 8),
                                                      ("torso_velocity", 3), ("torso_angular_velocity", 3), ("joint_velocities", 8)])
    public let actionSpace = BoxSpace.unit(8)
    public let horizon = AntEnvironment.horizonSteps
    public let controlTimestep = AntEnvironment.controlDt
    public let substeps = 5

    let rig: LocomotionRig
    public var simulation: Simulation { rig.simulation }
    var model: Model { rig.model }
    /// Start angle of each hinge (rad): 0 for hips, the ankle limit nearest 0 (±30°) for ankles.
    let hingeStart: [Double]
    public private(set) var task: T
    private(set) var episodeTask: T
    private var lastObservation: [Float] = []

    public init(assets: String? = nil, task: T = T.defaultTask) throws {
        try task.validate()
        // hip_1, ankle_1, …, hip_4, ankle_4 (Gymnasium's qpos order), all in the hinge tree.
        rig = try LocomotionRig(model: Self.modelPath, assets: assets, floorContact: Self.floorContact, configure: Self.applyLimitSoftness,
                                joints: (1...4).flatMap { ["hip_\($0)", "ankle_\($0)"] }, treeJoints: 8, motors: 8)
        let sim = rig.simulation
        hingeStart = rig.joints.map { j in
            guard let r = sim.jointLimits(j), !r.contains(0) else { return 0 }
            return r.lowerBound > 0 ? r.lowerBound : r.upperBound
        }
        self.task = task
        episodeTask = task
        _ = reset(seed: 0)
    }

    /// Contact with the floor: ERP 0.8, CFM 1e-4, friction 1 (the geoms' own). Calibrated against
    /// Ant-v5 under random actions (tools/fidelity/README.md): the MuJoCo-equivalent error
    /// reduction of its default contact solref (0.02 s, damping ratio 1) at h = 0.01 s, ERP ≈ 0.26,
    /// leaves ODE's ant bouncing far less than MuJoCo's (17% of episodes terminated against 86%),
    /// while 0.8 matches termination, torso-height percentiles, upward speed and how often the ant
    /// ends on its back. mrbench's default is ERP 0.2.
    static var floorContact: ContactMaterial { ContactMaterial(friction: 1, erp: 0.8, cfm: 1e-4) }
    /// Joint limits as MuJoCo's default soft limits (solreflimit 0.02 s, damping ratio 1, solimplimit
    /// impedance d = 0.95) at h = 0.01 s: MuJoCo's limit acceleration (1 − d)·a₀ − d(b·q̇ + k·r) with
    /// k = d/(d²·0.02²), b = 2/(d·0.02) is ODE's stop row with ERP = k·h² = 0.263 and CFM =
    /// h(1 − d)/(d·I) = 5.3e-4 for the joint's inertia I ≈ 1 kg·m² (armature 1 dominates), its
    /// damping 1/h = 100 being MuJoCo's b = 105. Measured free-flying with the same torques, the
    /// joints then pass and return from their limits as MuJoCo's do; ODE's hard stops (ERP 0.8)
    /// stopped them dead and kicked them back at 0.8 of the overshoot per substep.
    static var limitERP: Double { 0.263 }
    static var limitCFM: Double { 5.3e-4 }

    /// Sets the soft joint limits (see `limitERP`); the rig has set the floor contacts.
    static func applyLimitSoftness(_ model: Model) throws {
        let sim = model.simulation
        for (_, j) in model.joints where sim.jointLimits(j) != nil {
            try sim.setLimitSoftness(j, erp: limitERP, cfm: limitCFM)
        }
    }

    public func setTask(_ task: T) throws {
        try task.validate()
        self.task = task
    }

    public var maxBodySpeed: Double { simulation.maxBodySpeed }

    public func reset(seed: UInt64) -> [Float] {
        episodeTask = task
        var g = SeededGenerator(seed: seed)
        // Gymnasium's order: qpos (3 position, 4 quaternion, 8 hinges), then qvel (3 linear, 3 angular, 8 hinges).
        let qpos = (0..<15).map { _ in g.uniform(-0.1, 0.1) }
        let qvel = (0..<14).map { _ in 0.1 * g.normal() }
        do { try place(qpos: qpos, qvel: qvel) } catch { try? simulation.restore(rig.initial) }
        lastObservation = observation()
        return lastObservation
    }

    /// Sets the robot to qpos0 + `qpos` offsets and velocities `qvel` (Gymnasium's layout), the quaternion normalised.
    func place(qpos: [Double], qvel: [Double]) throws {
        let r0 = rig.torsoRest.rotation
        let q = Quat(w: r0.w + qpos[3], x: r0.x + qpos[4], y: r0.y + qpos[5], z: r0.z + qpos[6]).normalized
        let pose = Transform(position: rig.torsoRest.position + Vec3(qpos[0], qpos[1], qpos[2]), rotation: q)
        let slot = rig.slot, start = hingeStart
        try rig.place(torso: pose, linearVelocity: Vec3(qvel[0], qvel[1], qvel[2]), angularVelocity: q.rotate(Vec3(qvel[3], qvel[4], qvel[5])),
                      angle: { j in
                          let k = slot[j.index] ?? 0
                          return start[k] + (start[k] > 0 ? abs(qpos[7 + k]) : start[k] < 0 ? -abs(qpos[7 + k]) : qpos[7 + k])
                      }, rate: { qvel[6 + (slot[$0.index] ?? 0)] })
    }

    func observation() -> [Float] {
        var o = [Float](repeating: 0, count: 27)
        let torso = rig.torso, hinges = rig.joints
        let pose = simulation.bodyPose(torso)
        o[0] = Float(pose.position.z)
        o[1] = Float(pose.rotation.w); o[2] = Float(pose.rotation.x); o[3] = Float(pose.rotation.y); o[4] = Float(pose.rotation.z)
        let v = simulation.pointVelocity(torso, atWorld: pose.position)
        let w = pose.rotation.conjugate.rotate(simulation.angularVelocity(torso))
        o[13] = Float(v.x); o[14] = Float(v.y); o[15] = Float(v.z)
        o[16] = Float(w.x); o[17] = Float(w.y); o[18] = Float(w.z)
        for k in 0..<8 {
            o[5 + k] = Float(simulation.jointPosition(hinges[k]))
            o[19 + k] = Float(simulation.jointVelocity(hinges[k]))
        }
        return o
    }

    /// The torso frame's origin (m).
    var torsoPosition: Vec3 { simulation.bodyPose(rig.torso).position }

    public func step(_ action: [Float]) throws -> StepResult {
        let a = try actionSpace.validatedAndClipped(action)
        let p0 = torsoPosition
        guard let sq = rig.drive(a, substeps: substeps) else {
            return StepResult(observation: lastObservation, reward: 0, status: .truncated(.diverged))
        }
        let p1 = torsoPosition
        let o = observation()
        guard p1.isFinite, o.allSatisfy({ $0.isFinite }) else {
            return StepResult(observation: lastObservation, reward: 0, status: .truncated(.diverged))
        }
        lastObservation = o
        let vx = (p1.x - p0.x) / controlTimestep, vy = (p1.y - p0.y) / controlTimestep
        let healthy = Self.healthyZ.contains(p1.z)
        var terms = episodeTask.rewardTerms(vx: vx, vy: vy, x: p1.x, y: p1.y, actionSquaredNorm: sq)
        terms.insert(RewardTerm("healthy", healthy ? 1 : 0), at: 1)
        var r = 0.0
        for t in terms { r += t.value }
        return StepResult(observation: o, reward: r, status: healthy ? .running : .terminated, info: StepInfo(terms: terms))
    }

    public func snapshot() -> EnvironmentSnapshot { physicsSnapshot((episodeTask, lastObservation)) }

    public func restore(_ snapshot: EnvironmentSnapshot) throws {
        (episodeTask, lastObservation) = try restorePhysics(snapshot, as: (T, [Float]).self)
    }
}

/// `ant-vel-v2`'s task: walk along +x at a target velocity v* (m/s).
public struct AntVelocityTask: AntTask {
    public static let kind = "ant-vel"
    public static let environmentID = "ant-vel-v2"
    public static let defaultTask = AntVelocityTask(targetVelocity: 1)
    public static let range: ClosedRange<Double> = 0...3
    public var targetVelocity: Double
    public init(targetVelocity: Double) { self.targetVelocity = targetVelocity }
    public func validate() throws {
        guard targetVelocity.isFinite, Self.range.contains(targetVelocity) else {
            throw EnvironmentError.invalidTask("\(Self.kind): target velocity \(targetVelocity) is outside \(Self.range)")
        }
    }
    public func rewardTerms(vx: Double, vy: Double, x: Double, y: Double, actionSquaredNorm: Double) -> [RewardTerm] {
        [RewardTerm("velocity", -abs(vx - targetVelocity)), RewardTerm("control", -0.005 * actionSquaredNorm)]
    }
}

/// `ant-dir-v2`'s task: walk in the direction at angle θ (rad, from +x toward +y).
public struct AntDirectionTask: AntTask {
    public static let kind = "ant-dir"
    public static let environmentID = "ant-dir-v2"
    public static let defaultTask = AntDirectionTask(angle: 0)
    public var angle: Double
    public init(angle: Double) { self.angle = angle }
    public func validate() throws {
        guard angle.isFinite, angle >= 0, angle < 2 * .pi else { throw EnvironmentError.invalidTask("\(Self.kind): angle \(angle) is outside [0, 2π)") }
    }
    public func rewardTerms(vx: Double, vy: Double, x: Double, y: Double, actionSquaredNorm: Double) -> [RewardTerm] {
        [RewardTerm("forward", vx * cos(angle) + vy * sin(angle)), RewardTerm("control", -0.5 * actionSquaredNorm)]
    }
}

/// `ant-goal-v2`'s task: reach a goal position in the disk of radius 3 m around the start.
public struct AntGoalTask: AntTask {
    public static let kind = "ant-goal"
    public static let environmentID = "ant-goal-v2"
    public static let defaultTask = AntGoalTask(x: 1, y: 0)
    public static let radius = 3.0
    /// Goal position (m).
    public var x: Double
    public var y: Double
    public init(x: Double, y: Double) { self.x = x; self.y = y }
    public func validate() throws {
        guard x.isFinite, y.isFinite, (x * x + y * y).squareRoot() <= Self.radius + 1e-5 else {
            throw EnvironmentError.invalidTask("\(Self.kind): goal (\(x), \(y)) is outside the disk of radius \(Self.radius)")
        }
    }
    public func rewardTerms(vx: Double, vy: Double, x px: Double, y py: Double, actionSquaredNorm: Double) -> [RewardTerm] {
        [RewardTerm("goal", -(abs(px - x) + abs(py - y))), RewardTerm("control", -0.1 * actionSquaredNorm)]
    }
}

