import MRCore
import MRPhysics

/// `ml10/shelf-place-v2`: pick a puck up and put it on a shelf board 0.28 m above the table.
///
/// `fixture` is the shelf base S, the goal S + (0, 0, 0.3). Reward (Meta-World v2
/// `SawyerShelfPlaceEnvV3`): hamacher(caging, in_place) with caging (obj radius 0.02, pad threshold
/// 0.05, xz threshold 0.01) and in_place = tolerance(‖obj − goal‖, (0, 0.05), margin ‖obj start −
/// goal‖, long tail), in_place reduced below the board's front (hamacher of y and z scalings) and
/// zeroed behind it; + 1 + 5 · in_place when the tcp is within 0.025 of the lifted puck; 10 once
/// ‖obj − goal‖ < 0.05. Success: ‖obj − goal‖ ≤ 0.07. Goals: puck (−0.1, 0.5, 0.02)…(0.1, 0.6, 0.02),
/// goal (−0.1, 0.8, 0.3)…(0.1, 0.9, 0.3).
public struct ShelfPlaceTask: SawyerTask {
    public static let name = "shelf-place"
    public static let scene = "models/ml10_shelf_place.xml"
    public static let split = Split.test
    static let ranges = PlacementRanges(objectLow: Vec3(-0.1, 0.5, 0.02), objectHigh: Vec3(0.1, 0.6, 0.02),
                                        goalLow: Vec3(-0.1, 0.8, 0.3), goalHigh: Vec3(0.1, 0.9, 0.3))
    static let shelfToGoal = Vec3(0, 0, 0.3)

    public static let defaultDescriptor = SawyerGoal(object: Vec3(0, 0.55, 0.02), goal: Vec3(0, 0.85, 0.3), fixture: Vec3(0, 0.85, 0))
    public static func sample(_ g: inout SeededGenerator) -> SawyerGoal {
        let (o, goal) = ranges.sample(&g)
        return SawyerGoal(object: o, goal: goal, fixture: goal - shelfToGoal)
    }
    public static func validate(_ d: SawyerGoal) throws {
        try ranges.check(object: d.object, goal: d.goal, task: name)
        guard let f = d.fixture, (f + shelfToGoal - d.goal).norm < 1e-5 else { throw EnvironmentError.invalidTask("\(name): fixture must be the shelf base, goal − \(shelfToGoal)") }
    }
    public static func expert(_ d: SawyerGoal) -> any Policy { ShelfPlaceExpert(d) }

    let shelf: BodyID
    var puck: Puck
    public init(rig: SawyerRig) throws { puck = try Puck(rig: rig); shelf = try rig.body("shelf") }

    public mutating func reset(_ d: SawyerGoal, rig: SawyerRig) throws {
        try rig.place([shelf], at: d.fixture ?? d.goal - Self.shelfToGoal)
        try puck.reset(at: d.object, rig: rig)
    }

    public func objects(rig: SawyerRig) -> (Vec3, [Double], Vec3?, [Double]?) { puck.observed(rig) }

    public func evaluate(_ d: SawyerGoal, rig: SawyerRig, action: [Float]) -> SawyerEvaluation {
        let target = d.goal
        var p = puck.progress(toward: target, inPlaceBounds: (0, 0.05), rig: rig, effort: action[3],
                              caging: CagingShape(objectRadius: 0.02, padThreshold: 0.05, xzThreshold: 0.01))
        let o = p.object
        var r = Shaping.hamacher(p.grasped, p.inPlace)
        // Below the board's front the in_place term is reduced, behind it zeroed (Meta-World's bound).
        let besideShelf = o.z > 0 && o.z < 0.24 && o.x > target.x - 0.15 && o.x < target.x + 0.15
        if besideShelf && o.y > target.y - 0.15 && o.y < target.y {
            let bound = Shaping.hamacher((o.y - (target.y - 0.15)) / 0.15, (0.24 - o.z) / 0.24)
            p.inPlace = min(max(p.inPlace - bound, 0), 1)
        }
        if besideShelf && o.y > target.y { p.inPlace = 0 }
        if puck.isLifted(o, rig: rig, tcpWithin: 0.025) { r += 1 + 5 * p.inPlace }
        if p.toGoal < 0.05 { r = 10 }
        return p.evaluation(reward: r, success: p.toGoal <= 0.07)
    }
}
