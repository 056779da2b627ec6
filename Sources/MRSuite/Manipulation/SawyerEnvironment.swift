import MRCore
import MRPhysics

/// An `ml10/<task>-v2` environment: the shared Sawyer rig composed with one `SawyerTask`.
///
/// | action | meaning | scaling |
/// | --- | --- | --- |
/// | 0…2 | Δx, Δy, Δz of the mocap target | × 0.01 m, target clipped to the task's hand bounds |
/// | 3 | gripper command u (+1 closes, 0 and −1 open) | Meta-World's finger servo: position target u on each finger (kp 400, armature 100, damping 1000; half closed after 9 steps), at most 25 N on each pad |
///
/// | observation | meaning |
/// | --- | --- |
/// | 0…2 | hand position (the tcp, between the pads' lower edges, is 0.045 m below it; the hand trails its mocap target by 3–4 cm when moving, as in Meta-World) |
/// | 3 | gripper opening: pad distance / 0.1, clipped to [0, 1] (open 1.0, closed on nothing 0.3) |
/// | 4…6, 7…10 | object 1 position, quaternion (x, y, z, w) |
/// | 11…13, 14…17 | object 2 position, quaternion (zeros where the task has none) |
/// | 18…35 | the same 18 numbers one step earlier (equal to the current ones after reset) |
/// | 36…38 | goal position; zeros when the goal is hidden (ML1 / ML10 benchmarks) |
///
/// Reward: Meta-World v3's (its "v2" reward functions) in [0, 10] per task (see each task's doc comment); success per step
/// as the task defines it (`StepInfo.success`). Horizon 500 control steps of 12.5 ms
/// (0.0025 s × 5 substeps); never terminated. Reset restores the scene's build state, moves the
/// hand to the task's start (fingers open; the mocap at the start, the hand hanging 7.4 mm below it at
/// rest, as Meta-World's hand hangs 5 mm below its target) and places the objects from the task descriptor; the
/// seed is not needed (the descriptor fixes everything, as in Meta-World's ML benchmarks).
public final class SawyerEnvironment<T: SawyerTask>: PhysicsEnvironment {
    public typealias Task = T.Descriptor

    public static var spec: EnvironmentSpec {
        EnvironmentSpec(id: T.identifier, observationSize: 39, actionSize: 4, horizon: SawyerRig.horizon,
                        controlTimestep: SawyerRig.timestep * Double(SawyerRig.substeps), tags: ["ml10", "manipulation", T.split.rawValue],
                        factory: { assets in try SawyerEnvironment<T>(assets: assets) },
                        goalHidden: { assets, task in try SawyerEnvironment<T>(assets: assets, hidesGoal: true, task: task) },
                        expert: { d in T.expert(d) })
    }

    public static var layout: ObservationLayout {
        ObservationLayout([
            ("hand_pos", 3), ("gripper_opening", 1), ("object1_pos", 3), ("object1_quat", 4), ("object2_pos", 3), ("object2_quat", 4),
            ("prev_hand_pos", 3), ("prev_gripper_opening", 1), ("prev_object1_pos", 3), ("prev_object1_quat", 4),
            ("prev_object2_pos", 3), ("prev_object2_quat", 4), ("goal_pos", 3),
        ])
    }

    public let id = T.identifier
    public let observationSpace = BoxSpace(low: Array(repeating: -.infinity, count: 39), high: Array(repeating: .infinity, count: 39))
    public let observationLayout = SawyerEnvironment<T>.layout
    public let actionSpace = BoxSpace.unit(4)
    public let horizon = SawyerRig.horizon
    public let controlTimestep = SawyerRig.timestep * Double(SawyerRig.substeps)
    public let substeps = SawyerRig.substeps
    /// Whether the goal's three numbers are zeroed (the meta-learning benchmarks' variant).
    public let hidesGoal: Bool
    public private(set) var task: T.Descriptor
    public var simulation: Simulation { rig.simulation }
    public private(set) var rig: SawyerRig
    public private(set) var definition: T
    private var previous: [Float] = Array(repeating: 0, count: 18)

    /// - Parameter hidesGoal: zero the goal in every observation (ML1 / ML10).
    public init(assets: String? = nil, hidesGoal: Bool = false, task: T.Descriptor = T.defaultDescriptor) throws {
        rig = try SawyerRig(scene: T.scene, assets: assets)
        definition = try T(rig: rig)
        self.hidesGoal = hidesGoal
        try T.validate(task)
        self.task = task
        _ = reset(seed: 0)
    }

    public func setTask(_ task: T.Descriptor) throws {
        try T.validate(task)
        self.task = task
    }

    public var maxBodySpeed: Double { simulation.maxBodySpeed }

    public func reset(seed: UInt64) -> [Float] {
        do {
            try rig.resetHand(to: T.handInitial)
            try definition.reset(task, rig: rig)
            try rig.applyControls(effort: 0)
        } catch {
            // Every argument here is finite by construction; a failure is a programming error.
            preconditionFailure("\(id): reset failed: \(error)")
        }
        let cur = current()
        previous = cur
        return cur + cur + goalObservation()
    }

    func current() -> [Float] {
        var o = [Float](repeating: 0, count: 18)
        let h = rig.handPosition
        o[0] = Float(h.x); o[1] = Float(h.y); o[2] = Float(h.z)
        o[3] = Float(rig.gripperOpening)
        let (p1, q1, p2, q2) = definition.objects(rig: rig)
        o[4] = Float(p1.x); o[5] = Float(p1.y); o[6] = Float(p1.z)
        for i in 0..<min(4, q1.count) { o[7 + i] = Float(q1[i]) }
        if let p2, let q2 {
            o[11] = Float(p2.x); o[12] = Float(p2.y); o[13] = Float(p2.z)
            for i in 0..<min(4, q2.count) { o[14 + i] = Float(q2[i]) }
        }
        return o
    }

    func goalObservation() -> [Float] {
        if hidesGoal { return [0, 0, 0] }
        let g = T.goal(task)
        return [Float(g.x), Float(g.y), Float(g.z)]
    }

    public func step(_ action: [Float]) throws -> StepResult {
        let a = try actionSpace.validatedAndClipped(action)
        let delta = Vec3(Double(a[0]), Double(a[1]), Double(a[2])) * SawyerRig.actionScale
        try rig.drive(delta: delta, low: T.handLow, high: T.handHigh)
        do {
            for _ in 0..<substeps {
                try rig.applyControls(effort: Double(a[3]))
                try simulation.step(substeps: 1)
            }
        } catch {
            // The episode ends here; the next reset restores the build state, so the diverged
            // state need not be rolled back. The observation is the last finite one.
            return StepResult(observation: previous + previous + goalObservation(), reward: 0, status: .truncated(.diverged), info: StepInfo(success: false))
        }
        let cur = current()
        let obs = cur + previous + goalObservation()
        previous = cur
        let e = definition.evaluate(task, rig: rig, action: a)
        return StepResult(observation: obs, reward: e.reward, status: .running, info: StepInfo(success: e.success, terms: e.terms))
    }

    public func snapshot() -> EnvironmentSnapshot { physicsSnapshot((definition, previous, rig.fingers)) }

    public func restore(_ snapshot: EnvironmentSnapshot) throws {
        (definition, previous, rig.fingers) = try restorePhysics(snapshot, as: (T, [Float], FingerServo).self)
    }
}
