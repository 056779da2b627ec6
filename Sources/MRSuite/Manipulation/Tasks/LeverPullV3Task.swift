import MRCore
import MRPhysics

/// `ml10/lever-pull-v3`: `ml10/lever-pull-v2` (same goals, reward, success and expert) with
/// Meta-World's lever dynamics (`models/ml10_lever_pull_v3.xml`): the arm weighs 4 g (v2: 0.16 kg)
/// and its hinge has damping 2 N·m·s/rad and armature 0.001 kg·m² (v2: damping 0.05, none).
///
/// Why it matters: Meta-World's policy lifts the lever by pressing the ball on the arm's end up and
/// forward with the top of its hand; the lever barely weighs anything, and the damping keeps it from
/// flying off when hit. On v2's 0.16 kg arm (1.1 N at the end) the hand, which reaches the ball with
/// the side of its round wrist, slid past under the ball on 15 of 40 goals.
public struct LeverPullV3Task: SawyerTask {
    public static let name = LeverPullTask.name
    public static let version = 3
    public static let scene = "models/ml10_lever_pull_v3.xml"
    public static let split = LeverPullTask.split
    public static var handInitial: Vec3 { LeverPullTask.handInitial }
    public static var handLow: Vec3 { LeverPullTask.handLow }
    public static var defaultDescriptor: SawyerGoal { LeverPullTask.defaultDescriptor }
    public static func sample(_ g: inout SeededGenerator) -> SawyerGoal { LeverPullTask.sample(&g) }
    public static func validate(_ d: SawyerGoal) throws { try LeverPullTask.validate(d) }
    public static func expert(_ d: SawyerGoal) -> any Policy { LeverPullExpert(d) }

    var base: LeverPullTask
    public init(rig: SawyerRig) throws { base = try LeverPullTask(rig: rig) }
    public mutating func reset(_ d: SawyerGoal, rig: SawyerRig) throws { try base.reset(d, rig: rig) }
    public func objects(rig: SawyerRig) -> (Vec3, [Double], Vec3?, [Double]?) { base.objects(rig: rig) }
    public func evaluate(_ d: SawyerGoal, rig: SawyerRig, action: [Float]) -> SawyerEvaluation { base.evaluate(d, rig: rig, action: action) }
}
