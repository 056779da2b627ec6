import MRCore
import MRPhysics

/// `ml10/peg-insert-side-v2`: pick up a peg lying on the table and insert its head into a box's side hole.
///
/// Object 1 is the peg's grasp point (centre + (0.03, 0, 0.01), Meta-World's `pegGrasp` site); its
/// head is the point 0.1 m from the centre toward −x (Meta-World's `pegHead`). `fixture` is the box position X, the goal
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
    static let ranges = PlacementRanges(objectLow: Vec3(0, 0.5, 0.02), objectHigh: Vec3(0.2, 0.7, 0.02),
                                        goalLow: Vec3(-0.35, 0.4, 0), goalHigh: Vec3(-0.25, 0.7, 0))
    static let mouth = Vec3(0.03, 0, 0.13), headOffset = Vec3(-0.1, 0, 0)

    public static let defaultDescriptor = SawyerGoal(object: Vec3(0.1, 0.6, 0.02), goal: Vec3(-0.3, 0.55, 0) + mouth, fixture: Vec3(-0.3, 0.55, 0))
    public static func sample(_ g: inout SeededGenerator) -> SawyerGoal {
        let (o, b) = ranges.sample(&g)
        return SawyerGoal(object: o, goal: b + mouth, fixture: b)
    }
    public static func validate(_ d: SawyerGoal) throws {
        try SawyerSampling.check(d.object, ranges.objectLow, ranges.objectHigh, "peg", task: name)
        try SawyerSampling.checkFixture(d, ranges.goalLow, ranges.goalHigh, offset: mouth, "box", task: name)
    }
    public static func expert(_ d: SawyerGoal) -> any Policy { PegInsertSideExpert(d) }

    let box: BodyID
    var peg: Puck
    var headInitial = Vec3.zero
    public init(rig: SawyerRig) throws { peg = try Puck(rig: rig, body: "peg"); box = try rig.body("box") }

    public mutating func reset(_ d: SawyerGoal, rig: SawyerRig) throws {
        try rig.place([box], at: d.fixture ?? d.goal - Self.mouth)
        try peg.reset(at: d.object, rig: rig)
        headInitial = head(rig)
    }

    func head(_ rig: SawyerRig) -> Vec3 { rig.simulation.bodyPose(peg.body).apply(Self.headOffset) }
    /// The observed grasp point (Meta-World's `pegGrasp`).
    static let graspOffset = Vec3(0.03, 0, 0.01)
    func grasp(_ rig: SawyerRig) -> Vec3 { rig.simulation.bodyPose(peg.body).apply(Self.graspOffset) }

    public func objects(rig: SawyerRig) -> (Vec3, [Double], Vec3?, [Double]?) {
        let (_, q) = rig.observedPose(peg.body)
        return (grasp(rig), q, nil, nil)
    }

    public func evaluate(_ d: SawyerGoal, rig: SawyerRig, action: [Float]) -> SawyerEvaluation {
        // As Meta-World: the grasp point against the peg body's start for the lift test and the caging.
        let o = grasp(rig), h = head(rig)
        let scale = Vec3(1, 2, 2)
        let err = (h - d.goal).scaled(scale).norm, err0 = (headInitial - d.goal).scaled(scale).norm
        let inPlace = Shaping.tolerance(err, bounds: (0, 0.07), margin: err0)
        let holding = peg.isLifted(o, rig: rig, tcpWithin: 0.08)
        let caging = peg.caging(rig, object: o, effort: action[3], CagingShape(objectRadius: 0.0075, padThreshold: 0.03, xzThreshold: 0.005, density: .high))
        let grasped = holding ? 1 : caging
        var r = Shaping.liftReward(grasped: grasped, inPlace: inPlace, lifted: holding)
        if err <= 0.07 { r = 10 }
        return SawyerEvaluation(reward: r, success: err <= 0.07,
                                terms: [RewardTerm("grasp", grasped), RewardTerm("in_place", inPlace), RewardTerm("head_to_goal_scaled", err)])
    }
}
