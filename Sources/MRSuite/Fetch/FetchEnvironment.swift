import MRCore
import MRPhysics

#if canImport(Glibc)
import Glibc
#endif

/// Fetch reach, push, pick-and-place and slide after Gymnasium-Robotics v4 (`FetchReach-v4`,
/// `FetchPush-v4`, `FetchPickAndPlace-v4`, `FetchSlide-v4`), in v4's world frame (table top at
/// z = 0.4, grip point starting at (1.3419, 0.7491, 0.5347); (…, 0.4132) for push; (0.9869, 0.7491,
/// 0.4132) for slide), on ODE. Ids `fetch-<task>-v1` (sparse reward) and `fetch-<task>-dense-v1`.
///
/// The model is the gripper alone, not the Fetch arm: a palm and two fingers whose body is welded
/// softly (MJCF `solref="0.02 1"`) to a mocap target, exactly as v4 drives its gripper; the arm's
/// links and inverse kinematics are left out, and its reach is a box the target is clipped to
/// (x 1.0…1.65, y 0.35…1.15, z 0.414…0.95, the lowest keeping the fingers' tips 2 mm above the table;
/// slide x 0.75…1.25, so its far goals stay out of reach).
/// The gripper is world-aligned and its orientation fixed (v4 fixes it too). A constant offset
/// (the gripper's weight over the weld stiffness) is added to the target so the gripper does not
/// sag under gravity. Difference from v4: v4 resets the mocap to the gripper before adding the
/// action; here the target persists between steps (kept within 6 cm of the grip point), because
/// with a gripper-only model a held 2 kg cube would otherwise drag the gripper down ~5 mm a step.
/// Measured beside FetchReach-v4 (tools/fidelity): the first step from rest moves the gripper as
/// v4's does (2.9 cm at full action against 3.0), but under a held action the target's lead grows,
/// so the fifth step moves it 3.9 cm against 3.1 (half action: 2.5 against 1.6).
/// Cube 5 cm, 2 kg, μ 1 (finger pads μ 1); puck r 2.5 cm, 4 cm tall, 2 kg, μ 0.1 on a μ 0.1 table.
/// A resting object out of the gripper's reach for the step sleeps through it (`Simulation.setFrozen`).
///
/// | action | meaning | scaling |
/// | --- | --- | --- |
/// | 0–2 | Δx, Δy, Δz of the mocap target | × 0.05 m |
/// | 3 | gripper: finger target = finger position + a (v4), clipped to [0, 0.06] m; + opens, − closes | force-limited servo, 2000 N/m (≤ 120 N) |
///
/// Action 3 is ignored by reach, push and slide (fingers held closed: rigid in those models).
///
/// | observation | reach | others | meaning |
/// | --- | --- | --- | --- |
/// | grip_pos | 0–2 | 0–2 | grip point (m, world) |
/// | object_pos | – | 3–5 | object centre (m) |
/// | object_rel_pos | – | 6–8 | object − grip |
/// | gripper_state | 3–4 | 9–10 | right and left finger positions (m, 0 closed, 0.05 open) |
/// | object_rot | – | 11–13 | object orientation, v4's `mat2euler` (rad) |
/// | object_velp | – | 14–16 | object velocity − grip velocity, × dt (m per control step) |
/// | object_velr | – | 17–19 | object angular velocity × dt |
/// | grip_velp | 5–7 | 20–22 | grip velocity × dt |
/// | gripper_vel | 8–9 | 23–24 | finger velocities × dt |
/// | achieved_goal | 10–12 | 25–27 | grip point (reach) or object centre |
/// | desired_goal | 13–15 | 28–30 | the goal |
///
/// dt = 0.04 s (0.002 s × 20 substeps). Reward (term `goal`): sparse −1 if d > 0.05 else 0, or dense
/// −d (`-dense-v1` ids), d = ‖achieved − desired‖ computed from the Float32 observation values by
/// `computeReward(achieved:desired:)`, so hindsight relabelling reproduces every step's reward
/// exactly. Success: d < 0.05 (per step). Horizon 50; never terminated. Reset: the goal and object
/// start come from the task, or from the reset seed with v4's sampling (`FetchTask`). Divergence,
/// or the object found inside the table, ends the episode as `truncated(diverged)` with reward 0.
public final class FetchEnvironment: PhysicsEnvironment {
    public typealias Task = FetchTask
    public static let horizonSteps = 50
    public static let controlDt = 0.04
    /// Metres the mocap target moves per unit action.
    public static let actionScale = 0.05
    public static let distanceThreshold = 0.05
    /// Farthest the mocap target may lead the grip point (m): bounds the weld force when blocked.
    static let leash = 0.06
    static let fingerStiffness = 2000.0
    static let fingerTargetRange = 0.0...0.06

    /// The 31-dimensional layout of push, pick-and-place and slide (and of every task in `fetch-zones-v1`).
    public static let objectLayout = ObservationLayout(
        [("grip_pos", 3), ("object_pos", 3), ("object_rel_pos", 3), ("gripper_state", 2), ("object_rot", 3), ("object_velp", 3),
         ("object_velr", 3), ("grip_velp", 3), ("gripper_vel", 2), ("achieved_goal", 3), ("desired_goal", 3)])
    /// The 16-dimensional layout of reach.
    public static let reachLayout = ObservationLayout(
        [("grip_pos", 3), ("gripper_state", 2), ("grip_velp", 3), ("gripper_vel", 2), ("achieved_goal", 3), ("desired_goal", 3)])

    public let id: String
    public let kind: FetchTaskKind
    public let dense: Bool
    public let observationSpace: BoxSpace
    public let observationLayout: ObservationLayout
    public let actionSpace = BoxSpace.unit(4)
    public let horizon = FetchEnvironment.horizonSteps
    public let controlTimestep = FetchEnvironment.controlDt
    public private(set) var task = FetchTask()
    public let substeps = 20

    public let simulation: Simulation
    let config: FetchConfiguration
    private let model: Model
    private let gripper: BodyID
    private let mocap: BodyID
    private let object: BodyID?
    private let fingers: [JointID]
    private let initialState: Simulation.State
    /// Target offset that carries the gripper's weight through the weld (m, +z).
    private let sagCompensation: Double
    private(set) var goal = Vec3.zero
    private var lastObservation: [Float] = []

    /// The environment id of a task and reward type.
    public static func identifier(_ kind: FetchTaskKind, dense: Bool) -> String { "fetch-\(kind.rawValue)\(dense ? "-dense" : "")-v1" }

    public init(kind: FetchTaskKind, dense: Bool = false, assets: String? = nil) throws {
        self.kind = kind
        self.dense = dense
        id = FetchEnvironment.identifier(kind, dense: dense)
        config = .of(kind)
        // The fingers' damping as a force each substep (two LCP rows fewer; see JointDynamics.explicitDamping).
        model = try AssetModels.load(config.model, assets: assets, explicitDamping: config.blockGripper ? [] : ["finger_r", "finger_l"])
        simulation = model.simulation
        guard let g = model.body("gripper"), let m = model.body("mocap") else { throw EnvironmentError.invalidTask("\(config.model) lacks gripper or mocap") }
        gripper = g; mocap = m
        object = config.hasObject ? model.body("object") : nil
        if config.hasObject && object == nil { throw EnvironmentError.invalidTask("\(config.model) lacks the object") }
        fingers = config.blockGripper ? [] : [model.joint("finger_r"), model.joint("finger_l")].compactMap { $0 }
        if !config.blockGripper && fingers.count != 2 { throw EnvironmentError.invalidTask("\(config.model) lacks the finger joints") }
        // Weld stiffness as the loader derives it (MuJoCo's solref 0.02 1, scaled by the gripper body's mass).
        let palmMass = config.blockGripper ? 1.7 : 1.5
        let stiffness = palmMass / (0.02 * 0.02)
        sagCompensation = 1.7 * 9.81 / stiffness
        initialState = simulation.snapshot()
        try FetchEnvironment.configureContacts(model)
        let n = config.hasObject ? 25 : 10
        observationLayout = config.hasObject ? FetchEnvironment.objectLayout : FetchEnvironment.reachLayout
        observationSpace = BoxSpace(dimension: n + 6, bound: 10)
        _ = reset(seed: 0)
    }

    /// Contact materials: grippy finger pads for grasping, v4's low friction for the puck.
    static func configureContacts(_ model: Model) throws {
        let sim = model.simulation
        guard let obj = model.geoms["object"] else { return }
        for f in ["finger_r", "finger_l", "fingers"] {
            guard let g = model.geoms[f] else { continue }
            try sim.setContactMaterial(ContactMaterial(friction: 1.0, erp: 0.2, cfm: 1e-4), between: g, and: obj)
        }
    }

    public func setTask(_ task: FetchTask) throws {
        try task.validate(for: kind)
        self.task = task
    }

    public var maxBodySpeed: Double { simulation.maxBodySpeed }

    /// The sparse (−1/0) or dense (−d) reward of an achieved and a desired goal: a pure function of
    /// its arguments, as hindsight relabelling needs. d is computed in Double from the Float values.
    public static func computeReward(achieved: ArraySlice<Float>, desired: ArraySlice<Float>, dense: Bool) -> Double {
        precondition(achieved.count == 3 && desired.count == 3, "goals have 3 components")
        let a = achieved.startIndex, b = desired.startIndex
        let dx = Double(achieved[a]) - Double(desired[b]), dy = Double(achieved[a + 1]) - Double(desired[b + 1]), dz = Double(achieved[a + 2]) - Double(desired[b + 2])
        let d = (dx * dx + dy * dy + dz * dz).squareRoot()
        return dense ? -d : (d > distanceThreshold ? -1 : 0)
    }

    /// This environment's reward for an achieved and a desired goal (3 values each).
    public func computeReward(achieved: [Float], desired: [Float]) -> Double {
        FetchEnvironment.computeReward(achieved: achieved[...], desired: desired[...], dense: dense)
    }

    /// Batched rewards: `achieved` and `desired` hold n goals of 3 values each, end to end.
    public func computeReward(achievedBatch achieved: [Float], desiredBatch desired: [Float]) -> [Double] {
        precondition(achieved.count == desired.count && achieved.count % 3 == 0, "batches of 3-vectors of equal length")
        return (0..<(achieved.count / 3)).map { i in
            FetchEnvironment.computeReward(achieved: achieved[(3 * i)..<(3 * i + 3)], desired: desired[(3 * i)..<(3 * i + 3)], dense: dense)
        }
    }

    /// Success of an achieved and a desired goal: d < 0.05.
    public static func isSuccess(achieved: ArraySlice<Float>, desired: ArraySlice<Float>) -> Bool {
        computeReward(achieved: achieved, desired: desired, dense: true) > -distanceThreshold
    }

    public func reset(seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed)
        let (start, goal) = config.sample(task, &g)
        self.goal = goal
        try? simulation.restore(initialState)
        if let object, let start { try? simulation.setBodyState(object, pose: Transform(position: start)) }
        try? simulation.setMocapPose(mocap, Transform(position: config.initialGrip + Vec3(0, 0, sagCompensation)))
        try? simulation.setBodyState(gripper, pose: Transform(position: config.initialGrip))
        if !fingers.isEmpty { try? simulation.setControls([0, 0]) }
        lastObservation = observation()
        return lastObservation
    }

    var gripPosition: Vec3 { simulation.bodyPose(gripper).position }
    /// The object's centre (the grip point for reach).
    var achievedPosition: Vec3 { object.map { simulation.bodyPose($0).position } ?? gripPosition }

    func observation() -> [Float] {
        let dt = controlTimestep
        let gp = gripPosition
        let gv = simulation.pointVelocity(gripper, atWorld: gp)
        var o: [Float] = []
        o.reserveCapacity(observationLayout.count)
        func put(_ v: Vec3) { o.append(Float(v.x)); o.append(Float(v.y)); o.append(Float(v.z)) }
        let fq = fingers.map { Float(simulation.jointPosition($0)) }, fv = fingers.map { Float(simulation.jointVelocity($0) * dt) }
        put(gp)
        if let object {
            let pose = simulation.bodyPose(object)
            put(pose.position)
            put(pose.position - gp)
            o += fingers.isEmpty ? [0, 0] : fq
            put(FetchEnvironment.euler(pose.rotation))
            put((simulation.linearVelocity(object) - gv) * dt)
            put(simulation.angularVelocity(object) * dt)
            put(gv * dt)
            o += fingers.isEmpty ? [0, 0] : fv
            put(pose.position)
        } else {
            o += fingers.isEmpty ? [0, 0] : fq
            put(gv * dt)
            o += fingers.isEmpty ? [0, 0] : fv
            put(gp)
        }
        put(goal)
        return o
    }

    /// Gymnasium-Robotics' `mat2euler` of a rotation.
    static func euler(_ q: Quat) -> Vec3 {
        let (w, x, y, z) = (q.w, q.x, q.y, q.z)
        let m00 = 1 - 2 * (y * y + z * z), m01 = 2 * (x * y - w * z), m02 = 2 * (x * z + w * y)
        let m10 = 2 * (x * y + w * z), m11 = 1 - 2 * (x * x + z * z), m12 = 2 * (y * z - w * x)
        let m22 = 1 - 2 * (x * x + y * y)
        let cy = (m22 * m22 + m12 * m12).squareRoot()
        if cy > 4 * Double.ulpOfOne {
            return Vec3(-atan2(m12, m22), -atan2(-m02, cy), -atan2(m01, m00))
        }
        return Vec3(0, -atan2(-m02, cy), -atan2(-m10, m11))
    }

    /// Whether the object may sleep through the next control step: it rests on the table top
    /// (still, at its resting height, inside the footprint) and the gripper cannot reach it within
    /// the step: their bounding boxes (the object's allowing any yaw, the gripper's with open
    /// fingers), grown by the farthest the gripper travels in a step (7 cm), do not overlap. A pure
    /// function of the state, so rollouts stay deterministic; while it sleeps the object's
    /// contacts with the table leave the solver.
    func objectCanSleep(_ object: BodyID, grip: Vec3) -> Bool {
        let p = simulation.bodyPose(object).position
        let d = p - grip
        let travel = 0.07
        // Gripper extents about the grip point: palm ±0.025 x, ±0.07 y (open fingers ±0.081), z −0.012…+0.089.
        let objectHalf = 0.036, objectHalfZ = 0.025
        let apart = abs(d.x) > 0.025 + objectHalf + travel || abs(d.y) > 0.081 + objectHalf + travel
            || d.z + objectHalfZ < -0.012 - travel || d.z - objectHalfZ > 0.089 + travel
        guard apart else { return false }
        guard abs(p.z - config.objectHeight) < 0.002 else { return false }
        let t = config.table
        guard p.x > t.low.x + 0.04, p.x < t.high.x - 0.04, p.y > t.low.y + 0.04, p.y < t.high.y - 0.04 else { return false }
        return simulation.linearVelocity(object).norm < 1e-3 && simulation.angularVelocity(object).norm < 1e-2
    }

    /// Whether the object slept through the last step.
    var objectIsFrozen: Bool { object.map { simulation.isFrozen($0) } ?? false }

    /// True when the object's centre lies inside the table (it fell through).
    func objectInsideTable() -> Bool {
        guard let object else { return false }
        let p = simulation.bodyPose(object).position
        let t = config.table
        return p.x > t.low.x && p.x < t.high.x && p.y > t.low.y && p.y < t.high.y && p.z < t.high.z
    }

    public func step(_ action: [Float]) throws -> StepResult {
        let a = try actionSpace.validatedAndClipped(action)
        let before = simulation.snapshot()
        let grip = gripPosition
        // The target persists between steps (it carries a held object's weight through the weld's
        // stretch); it moves by the action, stays in the workspace and within `leash` of the grip.
        let previous = simulation.bodyPose(mocap).position - Vec3(0, 0, sagCompensation)
        var target = previous + Vec3(Double(a[0]), Double(a[1]), Double(a[2])) * FetchEnvironment.actionScale
        let w = config.workspace
        target = Vec3(min(max(target.x, w.low.x), w.high.x), min(max(target.y, w.low.y), w.high.y), min(max(target.z, w.low.z), w.high.z))
        let reach = target - grip
        if reach.norm > FetchEnvironment.leash { target = grip + reach * (FetchEnvironment.leash / reach.norm) }
        do {
            try simulation.setMocapPose(mocap, Transform(position: target + Vec3(0, 0, sagCompensation)))
            if !fingers.isEmpty {
                let r = FetchEnvironment.fingerTargetRange
                let controls = fingers.map { j in FetchEnvironment.fingerStiffness * min(max(simulation.jointPosition(j) + Double(a[3]), r.lowerBound), r.upperBound) }
                try simulation.setControls(controls)
            }
            if let object { try simulation.setFrozen(object, objectCanSleep(object, grip: grip)) }
            try simulation.step(substeps: substeps)
            if objectInsideTable() { throw PhysicsError.diverged("the object is inside the table") }
        } catch {
            try? simulation.restore(before)
            return StepResult(observation: lastObservation, reward: 0, status: .truncated(.diverged))
        }
        let o = observation()
        lastObservation = o
        let n = o.count
        let achieved = o[(n - 6)..<(n - 3)], desired = o[(n - 3)..<n]
        let reward = FetchEnvironment.computeReward(achieved: achieved, desired: desired, dense: dense)
        let success = FetchEnvironment.isSuccess(achieved: achieved, desired: desired)
        return StepResult(observation: o, reward: reward, status: .running, info: StepInfo(success: success, terms: [RewardTerm("goal", reward)]))
    }

    public func snapshot() -> EnvironmentSnapshot { physicsSnapshot((goal, lastObservation)) }

    public func restore(_ snapshot: EnvironmentSnapshot) throws {
        (goal, lastObservation) = try restorePhysics(snapshot, as: (Vec3, [Float]).self)
    }
}
