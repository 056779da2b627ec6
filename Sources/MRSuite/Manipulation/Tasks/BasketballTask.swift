import MRCore
import MRPhysics

/// `ml10/basketball-v1`: pick a ball up and put it through the hoop.
///
/// `fixture` is the basket position B; the goal (target) is the hoop centre B + (0, −0.083, 0.3).
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
    static let ballLow = Vec3(-0.1, 0.6, 0.03), ballHigh = Vec3(0.1, 0.7, 0.03)
    static let basketLow = Vec3(-0.1, 0.85, 0), basketHigh = Vec3(0.1, 0.9, 0)
    static let hoop = Vec3(0, -0.083, 0.3)

    public static let defaultDescriptor = SawyerGoal(object: Vec3(0, 0.6, 0.03), goal: Vec3(0, 0.875, 0) + hoop, fixture: Vec3(0, 0.875, 0))
    public static func sample(_ g: inout SeededGenerator) -> SawyerGoal {
        while true {
            let o = SawyerSampling.uniform(&g, ballLow, ballHigh), b = SawyerSampling.uniform(&g, basketLow, basketHigh)
            if ((o.x - b.x) * (o.x - b.x) + (o.y - b.y) * (o.y - b.y)).squareRoot() >= 0.15 { return SawyerGoal(object: o, goal: b + hoop, fixture: b) }
        }
    }
    public static func validate(_ d: SawyerGoal) throws {
        try SawyerSampling.check(d.object, ballLow, ballHigh, "ball", task: name)
        guard let b = d.fixture else { throw EnvironmentError.invalidTask("\(name): needs the basket position as fixture") }
        try SawyerSampling.check(b, basketLow, basketHigh, "basket", task: name)
        guard (b + hoop - d.goal).norm < 1e-5 else { throw EnvironmentError.invalidTask("\(name): goal must be basket + \(hoop)") }
    }
    public static func goal(_ d: SawyerGoal) -> Vec3 { d.goal }
    public static func expert(_ d: SawyerGoal) -> any Policy { BasketballExpert(d) }

    let ball: BodyID, basket: BodyID
    var memory = PuckMemory()
    public init(rig: SawyerRig) throws { ball = try rig.body("bsktball"); basket = try rig.body("basket_goal") }

    public mutating func reset(_ d: SawyerGoal, rig: SawyerRig) throws {
        try rig.place([basket], at: d.fixture ?? d.goal - Self.hoop)
        try rig.place([ball], at: d.object)
        memory.record(object: d.object, rig: rig)
    }

    public func objects(rig: SawyerRig) -> (Vec3, [Double], Vec3?, [Double]?) {
        let (p, q) = rig.observedPose(ball)
        return (p, q, nil, nil)
    }

    public func evaluate(_ d: SawyerGoal, rig: SawyerRig, action: [Float]) -> SawyerEvaluation {
        let o = rig.simulation.bodyPose(ball).position
        let scale = Vec3(1, 1, 2)
        let err = (o - d.goal).scaled(scale).norm, err0 = (memory.objectInitial - d.goal).scaled(scale).norm
        let inPlace = Shaping.tolerance(err, bounds: (0, 0.08), margin: err0)
        let tcpToObj = (o - rig.tcp).norm
        var grasped = memory.caging(rig, object: o, effort: action[3], objectRadius: 0.025, padThreshold: 0.06, reachRadius: 0.01, xzThreshold: 0.005, density: .high)
        let holding = tcpToObj < 0.035 && rig.gripperOpening > 0 && o.z - 0.01 > memory.objectInitial.z
        if holding { grasped = 1 }
        var r = Shaping.hamacher(grasped, inPlace)
        if holding { r += 1 + 5 * inPlace }
        if err < 0.08 { r = 10 }
        return SawyerEvaluation(reward: r, success: err <= 0.08,
                                terms: [RewardTerm("grasp", grasped), RewardTerm("in_place", inPlace), RewardTerm("obj_to_goal_scaled", err)])
    }
}
