import MRCore
import MRPhysics

/// `ml10/peg-insert-side-v1`: pick up a peg lying on the table and insert its head into a box's side hole.
///
/// Object 1 is the peg's centre; its head is the −x end. `fixture` is the box position X, the goal
/// X + (0.03, 0, 0.13) (the hole's mouth). Reward (Meta-World v2 `SawyerPegInsertionSideEnvV3`, without
/// its two collision-box terms): hamacher(grasp, in_place) with in_place = tolerance(‖(head − goal) ⊙
/// (1, 2, 2)‖, (0, 0.07), margin ‖(head start − goal) ⊙ (1, 2, 2)‖, long tail) and grasp = caging (obj
/// radius 0.0075, pad threshold 0.03, xz threshold 0.005, high density), set to 1 (and + 1 + 5 · in_place
/// added) while the tcp holds the lifted peg within 0.08; 10 on success. Success: ‖(head − goal) ⊙
/// (1, 2, 2)‖ ≤ 0.07. Goals: peg (0, 0.5, 0.02)…(0.2, 0.7, 0.02), box (−0.35, 0.4, 0)…(−0.25, 0.7, 0).
public struct PegInsertSideTask: SawyerTask {
    public static let name = "peg-insert-side"
    public static let scene = "models/ml10_peg_insert_side.xml"
    public static let split = Split.train
    static let pegLow = Vec3(0, 0.5, 0.02), pegHigh = Vec3(0.2, 0.7, 0.02)
    static let boxLow = Vec3(-0.35, 0.4, 0), boxHigh = Vec3(-0.25, 0.7, 0)
    static let mouth = Vec3(0.03, 0, 0.13), headOffset = Vec3(-0.1, 0, 0)

    public static let defaultDescriptor = SawyerGoal(object: Vec3(0.1, 0.6, 0.02), goal: Vec3(-0.3, 0.55, 0) + mouth, fixture: Vec3(-0.3, 0.55, 0))
    public static func sample(_ g: inout SeededGenerator) -> SawyerGoal {
        let o = SawyerSampling.uniform(&g, pegLow, pegHigh), b = SawyerSampling.uniform(&g, boxLow, boxHigh)
        return SawyerGoal(object: o, goal: b + mouth, fixture: b)
    }
    public static func validate(_ d: SawyerGoal) throws {
        try SawyerSampling.check(d.object, pegLow, pegHigh, "peg", task: name)
        guard let b = d.fixture else { throw EnvironmentError.invalidTask("\(name): needs the box position as fixture") }
        try SawyerSampling.check(b, boxLow, boxHigh, "box", task: name)
        guard (b + mouth - d.goal).norm < 1e-5 else { throw EnvironmentError.invalidTask("\(name): goal must be box + \(mouth)") }
    }
    public static func goal(_ d: SawyerGoal) -> Vec3 { d.goal }
    public static func expert(_ d: SawyerGoal) -> any Policy { PegInsertSideExpert(d) }

    let peg: BodyID, box: BodyID
    var memory = PuckMemory()
    var headInitial = Vec3.zero
    public init(rig: SawyerRig) throws { peg = try rig.body("peg"); box = try rig.body("box") }

    public mutating func reset(_ d: SawyerGoal, rig: SawyerRig) throws {
        try rig.place([box], at: d.fixture ?? d.goal - Self.mouth)
        try rig.place([peg], at: d.object)
        memory.record(object: d.object, rig: rig)
        headInitial = head(rig)
    }

    func head(_ rig: SawyerRig) -> Vec3 { rig.simulation.bodyPose(peg).apply(Self.headOffset) }

    public func objects(rig: SawyerRig) -> (Vec3, [Double], Vec3?, [Double]?) {
        let (p, q) = rig.observedPose(peg)
        return (p, q, nil, nil)
    }

    public func evaluate(_ d: SawyerGoal, rig: SawyerRig, action: [Float]) -> SawyerEvaluation {
        let o = rig.simulation.bodyPose(peg).position, h = head(rig)
        let scale = Vec3(1, 2, 2)
        let err = (h - d.goal).scaled(scale).norm, err0 = (headInitial - d.goal).scaled(scale).norm
        let inPlace = Shaping.tolerance(err, bounds: (0, 0.07), margin: err0)
        let tcpToObj = (o - rig.tcp).norm
        var grasped = memory.caging(rig, object: o, effort: action[3], objectRadius: 0.0075, padThreshold: 0.03, reachRadius: 0.01, xzThreshold: 0.005, density: .high)
        let holding = tcpToObj < 0.08 && rig.gripperOpening > 0 && o.z - 0.01 > memory.objectInitial.z
        if holding { grasped = 1 }
        var r = Shaping.hamacher(grasped, inPlace)
        if holding { r += 1 + 5 * inPlace }
        if err <= 0.07 { r = 10 }
        return SawyerEvaluation(reward: r, success: err <= 0.07,
                                terms: [RewardTerm("grasp", grasped), RewardTerm("in_place", inPlace), RewardTerm("head_to_goal_scaled", err)])
    }
}
