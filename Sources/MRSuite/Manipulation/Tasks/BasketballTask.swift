import MRCore
import MRPhysics

/// `ml10/basketball-v2`: pick a ball up and put it through the hoop.
///
/// `fixture` is the basket position B; the goal (target) is B + (0, −0.083, 0.3), 5 cm above the
/// hoop's centre (Meta-World's hoop is at 0.25, its reward target at 0.3).
/// Reward (Meta-World v2 `SawyerBasketballEnvV3`): hamacher(grasp, in_place) with in_place =
/// tolerance(‖(ball − target) ⊙ (1, 1, 2)‖, (0, 0.08), margin ‖(ball start − target) ⊙ (1, 1, 2)‖, long
/// tail) and grasp = caging (obj radius 0.025, pad threshold 0.06, xz threshold 0.005, high density),
/// set to 1 (and + 1 + 5 · in_place added) while the tcp holds the lifted ball within 0.035; 10 on
/// success. Success: ‖(ball − target) ⊙ (1, 1, 2)‖ ≤ 0.08. Goals: ball (−0.1, 0.6, 0.03)…(0.1, 0.7, 0.03),
/// basket (−0.1, 0.85, 0)…(0.1, 0.9, 0), their xy at least 0.15 apart.
public struct BasketballTask: SawyerTask {
    public static let name = "basketball"
    public static let scene = "models/ml10_basketball.xml"
    public static let split = Split.train
    static let ranges = PlacementRanges(objectLow: Vec3(-0.1, 0.6, 0.03), objectHigh: Vec3(0.1, 0.7, 0.03),
                                        goalLow: Vec3(-0.1, 0.85, 0), goalHigh: Vec3(0.1, 0.9, 0))
    static let hoop = Vec3(0, -0.083, 0.3)

    public static let defaultDescriptor = SawyerGoal(object: Vec3(0, 0.6, 0.03), goal: Vec3(0, 0.875, 0) + hoop, fixture: Vec3(0, 0.875, 0))
    public static func sample(_ g: inout SeededGenerator) -> SawyerGoal {
        let (o, b) = ranges.sample(&g, minXYGap: 0.15)
        return SawyerGoal(object: o, goal: b + hoop, fixture: b)
    }
    public static func validate(_ d: SawyerGoal) throws {
        try SawyerSampling.check(d.object, ranges.objectLow, ranges.objectHigh, "ball", task: name)
        try SawyerSampling.checkFixture(d, ranges.goalLow, ranges.goalHigh, offset: hoop, "basket", task: name)
    }
    public static func expert(_ d: SawyerGoal) -> any Policy { BasketballExpert(d) }

    let basket: BodyID
    var ball: Puck
    public init(rig: SawyerRig) throws { ball = try Puck(rig: rig, body: "bsktball"); basket = try rig.body("basket_goal") }

    public mutating func reset(_ d: SawyerGoal, rig: SawyerRig) throws {
        try rig.place([basket], at: d.fixture ?? d.goal - Self.hoop)
        try ball.reset(at: d.object, rig: rig)
    }

    public func objects(rig: SawyerRig) -> (Vec3, [Double], Vec3?, [Double]?) { ball.observed(rig) }

    public func evaluate(_ d: SawyerGoal, rig: SawyerRig, action: [Float]) -> SawyerEvaluation {
        let o = ball.position(rig)
        let scale = Vec3(1, 1, 2)
        let err = (o - d.goal).scaled(scale).norm, err0 = (ball.start.object - d.goal).scaled(scale).norm
        let inPlace = Shaping.tolerance(err, bounds: (0, 0.08), margin: err0)
        let holding = ball.isLifted(o, rig: rig, tcpWithin: 0.035)
        let caging = ball.caging(rig, object: o, effort: action[3], CagingShape(objectRadius: 0.025, padThreshold: 0.06, xzThreshold: 0.005, density: .high))
        let grasped = holding ? 1 : caging
        var r = Shaping.liftReward(grasped: grasped, inPlace: inPlace, lifted: holding)
        if err < 0.08 { r = 10 }
        return SawyerEvaluation(reward: r, success: err <= 0.08,
                                terms: [RewardTerm("grasp", grasped), RewardTerm("in_place", inPlace), RewardTerm("obj_to_goal_scaled", err)])
    }
}
