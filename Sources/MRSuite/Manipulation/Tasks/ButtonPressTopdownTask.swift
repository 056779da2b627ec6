import MRCore
import MRPhysics

/// `ml10/button-press-topdown-v2`: press a button down from above.
///
/// Object 1 is the centre of the button's top face (0.03 above the box origin at rest); the goal is
/// the top pressed 0.04 m (box origin − 0.01 in z). Reward (Meta-World v2
/// `SawyerButtonPressTopdownEnvV3`): 5 · hamacher(1 − opening, near) with near =
/// tolerance(‖button − tcp‖, (0, 0.01), margin ‖button − tcp start‖, long tail), plus 5 · pressed
/// when the tcp is within 0.03 of the button, pressed = tolerance(|goal z − button z|, (0, 0.005),
/// margin 0.04, long tail). Success: |goal z − button z| ≤ 0.024. Goals: box (−0.1, 0.8, 0.115)…(0.1, 0.9, 0.115);
/// hand starts at (0, 0.4, 0.2).
public struct ButtonPressTopdownTask: SawyerTask {
    public static let name = "button-press-topdown"
    public static let scene = "models/ml10_button_press_topdown.xml"
    public static let split = Split.train
    public static let handInitial = Vec3(0, 0.4, 0.2)
    static let boxLow = Vec3(-0.1, 0.8, 0.115), boxHigh = Vec3(0.1, 0.9, 0.115)
    static let topOffset = Vec3(0, 0, 0.03), travel = 0.04
    static func goalOf(_ box: Vec3) -> Vec3 { box + topOffset - Vec3(0, 0, travel) }

    public static let defaultDescriptor = SawyerGoal(object: Vec3(0, 0.85, 0.115), goal: goalOf(Vec3(0, 0.85, 0.115)))
    public static func sample(_ g: inout SeededGenerator) -> SawyerGoal {
        let b = SawyerSampling.uniform(&g, boxLow, boxHigh)
        return SawyerGoal(object: b, goal: goalOf(b))
    }
    public static func validate(_ d: SawyerGoal) throws {
        try SawyerSampling.check(d.object, boxLow, boxHigh, "button box", task: name)
        guard (d.goal - goalOf(d.object)).norm < 1e-5 else { throw EnvironmentError.invalidTask("\(name): goal must be the pressed button top") }
    }
    public static func expert(_ d: SawyerGoal) -> any Policy { ButtonPressTopdownExpert(d) }

    /// The button's top, on the button carried by the box.
    let top: FixturePoint
    var tcpInitial = Vec3.zero
    public init(rig: SawyerRig) throws { top = try FixturePoint(rig: rig, fixture: "box", part: "button", offset: Self.topOffset) }

    public mutating func reset(_ d: SawyerGoal, rig: SawyerRig) throws {
        try top.place(at: d.object, rig: rig)
        tcpInitial = rig.tcp
    }

    public func objects(rig: SawyerRig) -> (Vec3, [Double], Vec3?, [Double]?) { top.observed(rig) }

    public func evaluate(_ d: SawyerGoal, rig: SawyerRig, action: [Float]) -> SawyerEvaluation {
        let b = top.position(rig)
        let tcpToObj = (b - rig.tcp).norm
        let err = abs(d.goal.z - b.z)
        let near = Shaping.tolerance(tcpToObj, bounds: (0, 0.01), margin: (b - tcpInitial).norm)
        let pressed = Shaping.tolerance(err, bounds: (0, 0.005), margin: Self.travel)
        var r = 5 * Shaping.hamacher(1 - rig.gripperOpening, near)
        if tcpToObj <= 0.03 { r += 5 * pressed }
        return SawyerEvaluation(reward: r, success: err <= 0.024,
                                terms: [RewardTerm("near", near), RewardTerm("pressed", pressed), RewardTerm("button_to_goal", err)])
    }
}
