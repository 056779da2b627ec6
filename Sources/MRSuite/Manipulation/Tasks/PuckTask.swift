import MRCore
import MRPhysics

/// Where an episode started (Meta-World's `obj_init_pos`, `init_tcp`, `init_left_pad` and
/// `init_right_pad`): the object's (or handle's) position, the tcp and the pads' y, recorded at
/// reset for the reward's margins.
struct EpisodeStart: Sendable {
    var object = Vec3.zero
    var tcp = Vec3.zero
    var leftPadY = 0.0, rightPadY = 0.0

    mutating func record(object: Vec3, rig: SawyerRig) {
        self.object = object
        tcp = rig.tcp
        leftPadY = rig.leftPadPosition.y; rightPadY = rig.rightPadPosition.y
    }
}

/// The parameters of Meta-World's `_gripper_caging_reward` that a task chooses.
struct CagingShape: Sendable {
    var objectRadius: Double
    var padThreshold: Double
    var reachRadius = 0.01
    var xzThreshold: Double
    var density = Shaping.Density.low
}

/// The free object of a pick/push task (puck, ball, peg): a dynamic body observed as object 1, and
/// where it and the tcp were when the episode started.
struct Puck: Sendable {
    let body: BodyID
    var start = EpisodeStart()

    init(rig: SawyerRig, body name: String = "obj") throws { body = try rig.body(name) }

    /// Places the object at `position` (the hand is already at its start) and records the start.
    mutating func reset(at position: Vec3, rig: SawyerRig) throws {
        try rig.place([body], at: position)
        start.record(object: position, rig: rig)
    }

    func position(_ rig: SawyerRig) -> Vec3 { rig.simulation.bodyPose(body).position }

    /// Object 1 = this body's pose; no object 2.
    func observed(_ rig: SawyerRig) -> (Vec3, [Double], Vec3?, [Double]?) {
        let (p, q) = rig.observedPose(body)
        return (p, q, nil, nil)
    }

    /// Meta-World's caging term for the object at `object` under gripper effort `effort`.
    func caging(_ rig: SawyerRig, object: Vec3, effort: Float, _ shape: CagingShape) -> Double {
        Shaping.gripperCaging(
            Shaping.CagingInput(leftPadY: rig.leftPadPosition.y, rightPadY: rig.rightPadPosition.y, tcp: rig.tcp, initialTcp: start.tcp,
                                object: object, initialObject: start.object, effort: Double(effort)),
            objectRadius: shape.objectRadius, padSuccessThreshold: shape.padThreshold, objectReachRadius: shape.reachRadius,
            xzThreshold: shape.xzThreshold, density: shape.density)
    }

    /// The task-local caging of Meta-World v3's pick-place, sweep and sweep-into
    /// (`Shaping.localCaging`) for the object at `object` under gripper effort `effort`.
    func localCaging(_ rig: SawyerRig, object: Vec3, effort: Float, objectRadius: Double, xzThreshold: Double, kind: Shaping.LocalCaging) -> Double {
        Shaping.localCaging(
            Shaping.CagingInput(leftPadY: rig.leftPadPosition.y, rightPadY: rig.rightPadPosition.y, tcp: rig.tcp, initialTcp: start.tcp,
                                object: object, initialObject: start.object, effort: Double(effort)),
            initialLeftPadY: start.leftPadY, initialRightPadY: start.rightPadY, objectRadius: objectRadius, xzThreshold: xzThreshold, kind: kind)
    }

    /// Meta-World's "held and lifted" test: the tcp within `radius` of the object, the pads not
    /// shut, and the object 1 cm above where it started.
    func isLifted(_ object: Vec3, rig: SawyerRig, tcpWithin radius: Double) -> Bool {
        (object - rig.tcp).norm < radius && rig.gripperOpening > 0 && object.z - 0.01 > start.object.z
    }

    /// The readout shared by the tasks that move the object itself to `goal`: distances, in_place =
    /// tolerance(‖obj − goal‖, bounds, margin ‖obj start − goal‖, long tail), and the caging term.
    func progress(toward goal: Vec3, inPlaceBounds: (Double, Double), rig: SawyerRig, effort: Float, caging shape: CagingShape) -> PuckProgress {
        let o = position(rig)
        let toGoal = (o - goal).norm, tcpToObject = (o - rig.tcp).norm
        let inPlace = Shaping.tolerance(toGoal, bounds: inPlaceBounds, margin: (start.object - goal).norm)
        let grasped = caging(rig, object: o, effort: effort, shape)
        return PuckProgress(object: o, toGoal: toGoal, tcpToObject: tcpToObject, inPlace: inPlace, grasped: grasped)
    }

    /// Meta-World v3's sweep reward (`SawyerSweepEnvV3`, `SawyerSweepIntoGoalEnvV3`): 2 · grasp + 6 ·
    /// hamacher(grasp, in_place), grasp = their own caging (`Shaping.localCaging`, obj radius 0.02,
    /// pads gripping within `gripMargin`, xz threshold `xzThreshold`), in_place = tolerance(‖obj −
    /// target‖, (0, 0.05), margin ‖obj start − target‖, long tail); 10 once ‖obj − target‖ < 0.05.
    /// Success: ‖obj − target‖ ≤ 0.05.
    func sweepEvaluation(toward target: Vec3, rig: SawyerRig, action: [Float], gripMargin: Double, xzThreshold: Double) -> SawyerEvaluation {
        let o = position(rig)
        let toGoal = (o - target).norm
        let inPlace = Shaping.tolerance(toGoal, bounds: (0, 0.05), margin: (start.object - target).norm)
        let grasped = localCaging(rig, object: o, effort: action[3], objectRadius: 0.02, xzThreshold: xzThreshold, kind: .padsGripping(gripMargin: gripMargin))
        let p = PuckProgress(object: o, toGoal: toGoal, tcpToObject: (o - rig.tcp).norm, inPlace: inPlace, grasped: grasped)
        var r = 2 * grasped + 6 * Shaping.hamacher(grasped, inPlace)
        if toGoal < 0.05 { r = 10 }
        return p.evaluation(reward: r, success: toGoal <= 0.05)
    }
}

/// One step's standing of a puck against its goal (Meta-World's `obj_to_target`, `tcp_to_obj`,
/// `in_place`, `object_grasped`).
struct PuckProgress {
    let object: Vec3
    let toGoal: Double, tcpToObject: Double
    var inPlace: Double
    var grasped: Double

    /// The task's evaluation with the terms grasp, in_place, obj_to_goal and tcp_to_obj.
    func evaluation(reward: Double, success: Bool) -> SawyerEvaluation {
        SawyerEvaluation(reward: reward, success: success,
                         terms: [RewardTerm("grasp", grasped), RewardTerm("in_place", inPlace), RewardTerm("obj_to_goal", toGoal), RewardTerm("tcp_to_obj", tcpToObject)])
    }
}

extension Shaping {
    /// Meta-World's pick-and-place composition: hamacher(grasp, in_place), plus 1 + 5 · in_place
    /// while the object is held and lifted.
    static func liftReward(grasped: Double, inPlace: Double, lifted: Bool) -> Double {
        var r = hamacher(grasped, inPlace)
        if lifted { r += 1 + 5 * inPlace }
        return r
    }
}

/// A task whose only placed object is a puck (the scene body `obj`) at the descriptor's object
/// position, observed as object 1: reach (a distractor there), push, pick-place, sweep, sweep-into.
/// Such a task supplies its descriptor distribution, reward and expert; this gives it the rest.
protocol PuckTask: SawyerTask where Descriptor == SawyerGoal {
    var puck: Puck { get set }
    init(puck: Puck)
}

extension PuckTask {
    public init(rig: SawyerRig) throws { self.init(puck: try Puck(rig: rig)) }
    public mutating func reset(_ d: SawyerGoal, rig: SawyerRig) throws { try puck.reset(at: d.object, rig: rig) }
    public func objects(rig: SawyerRig) -> (Vec3, [Double], Vec3?, [Double]?) { puck.observed(rig) }
}
