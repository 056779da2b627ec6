import MRCore
import MRPhysics

#if canImport(Glibc)
import Glibc
#endif

/// `ml10/door-open-v2`: swing a hinged door open toward the robot by its handle.
///
/// Object 1 is the handle. Reward (Meta-World v2 `SawyerDoorEnvV3`): 2 · hamacher(ready, (effort + 1)/2)
/// + 8 · opened, where ready = hamacher(above the funnel floor around the handle, tolerance(‖hand −
/// handle − (0, 0.03, −0.01)‖, (0, 0.06), margin 0.5, long tail)) and opened = 0.2 · [θ > π/90] + 0.8 ·
/// tolerance(2π/3 − θ, (0, 0.5), margin π/3, long tail) for the door angle θ; 10 on success.
/// Success: |handle x − goal x| ≤ 0.08. Goals: door (0, 0.85, 0.15)…(0.1, 0.95, 0.15), goal = door + (−0.3, −0.45, 0).
public struct DoorOpenTask: DoorTask {
    public static let name = "door-open"
    public static let split = Split.train
    static let goalOffset = Vec3(-0.3, -0.45, 0)

    public static func expert(_ d: SawyerGoal) -> any Policy { DoorExpert(door: d.object, opening: true, target: d.goal) }

    let parts: DoorParts
    init(parts: DoorParts) { self.parts = parts }

    public mutating func reset(_ d: SawyerGoal, rig: SawyerRig) throws { try parts.place(at: d.object, angle: 0, rig: rig) }

    public func evaluate(_ d: SawyerGoal, rig: SawyerRig, action: [Float]) -> SawyerEvaluation {
        let handle = parts.handle(rig), hand = rig.handPosition, theta = parts.angle(rig)
        let door = handle + Vec3(-0.05, 0, 0)
        let threshold = 0.12
        let radius = ((hand.x - door.x) * (hand.x - door.x) + (hand.y - door.y) * (hand.y - door.y)).squareRoot()
        let floor = radius <= threshold ? 0 : 0.04 * log(radius - threshold) + 0.4
        let aboveFloor = hand.z >= floor ? 1 : Shaping.tolerance(floor - hand.z, bounds: (0, 0.01), margin: floor / 2)
        let inPlace = Shaping.tolerance((hand - door - Vec3(0.05, 0.03, -0.01)).norm, bounds: (0, threshold / 2), margin: 0.5)
        let ready = Shaping.hamacher(aboveFloor, inPlace)
        let opened = 0.2 * (theta > Double.pi / 90 ? 1 : 0) + 0.8 * Shaping.tolerance(Double.pi / 2 + Double.pi / 6 - theta, bounds: (0, 0.5), margin: Double.pi / 3)
        let grab = (min(max(Double(action[3]), -1), 1) + 1) / 2
        let err = abs(handle.x - d.goal.x)
        var r = 2 * Shaping.hamacher(ready, grab) + 8 * opened
        if err <= 0.08 { r = 10 }
        return SawyerEvaluation(reward: r, success: err <= 0.08,
                                terms: [RewardTerm("ready", ready), RewardTerm("opened", opened), RewardTerm("angle", theta), RewardTerm("handle_to_goal_x", err)])
    }
}
