import MRCore
import MRPhysics

/// `ml10/door-close-v2`: push a door that starts swung open by 90° shut.
///
/// Object 1 is the handle. Reward (Meta-World v3 `SawyerDoorCloseEnvV3`, its v2 reward): 3 ·
/// hand_in_place + 6 · in_place with in_place = tolerance(‖handle − goal‖, (0, 0.05), margin ‖door −
/// goal‖ = ‖(0.2, −0.2, 0)‖, gaussian; Meta-World measures it from `obj_init_pos`, the door body's
/// start, not the open handle's) and hand_in_place = tolerance(‖tcp − goal‖, (0, 0.0125), margin ‖hand start − handle‖ +
/// 0.1, gaussian); 10 once ‖handle − goal‖ < 0.05. Success: ‖handle − goal‖ ≤ 0.08. Goals: door
/// (0, 0.85, 0.15)…(0.1, 0.95, 0.15), goal = door + (0.2, −0.2, 0) (the closed handle); hand starts at (−0.5, 0.6, 0.2).
public struct DoorCloseTask: DoorTask {
    public static let name = "door-close"
    public static let split = Split.test
    public static let handInitial = Vec3(-0.5, 0.6, 0.2)
    static let goalOffset = Vec3(0.2, -0.2, 0)
    static let startAngle = Double.pi / 2

    public static func expert(_ d: SawyerGoal) -> any Policy { DoorExpert(door: d.object, opening: false, target: d.goal) }

    let parts: DoorParts
    init(parts: DoorParts) { self.parts = parts }

    public mutating func reset(_ d: SawyerGoal, rig: SawyerRig) throws {
        try parts.place(at: d.object, angle: Self.startAngle, rig: rig)
    }

    public func evaluate(_ d: SawyerGoal, rig: SawyerRig, action: [Float]) -> SawyerEvaluation {
        let handle = parts.handle(rig)
        let err = (handle - d.goal).norm
        let inPlace = Shaping.tolerance(err, bounds: (0, 0.05), margin: (d.object - d.goal).norm, sigmoid: .gaussian)
        let handInPlace = Shaping.tolerance((rig.tcp - d.goal).norm, bounds: (0, 0.0125), margin: (Self.handInitial - handle).norm + 0.1, sigmoid: .gaussian)
        var r = 3 * handInPlace + 6 * inPlace
        if err < 0.05 { r = 10 }
        return SawyerEvaluation(reward: r, success: err <= 0.08,
                                terms: [RewardTerm("hand_in_place", handInPlace), RewardTerm("in_place", inPlace), RewardTerm("handle_to_goal", err)])
    }
}
