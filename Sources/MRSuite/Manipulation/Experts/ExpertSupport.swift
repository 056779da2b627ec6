import MRCore

/// The parts of a Sawyer observation a scripted expert reads.
struct SawyerView {
    let hand: Vec3, opening: Double, object: Vec3, object2: Vec3, quat: [Double]
    init(_ o: [Float]) {
        hand = Vec3(Double(o[0]), Double(o[1]), Double(o[2]))
        opening = Double(o[3])
        object = Vec3(Double(o[4]), Double(o[5]), Double(o[6]))
        quat = [Double(o[7]), Double(o[8]), Double(o[9]), Double(o[10])]
        object2 = Vec3(Double(o[11]), Double(o[12]), Double(o[13]))
    }
}

/// A scripted expert written as a function of the observation (and the privileged task); no
/// randomness, no learning. Subclasses implement `decide`.
class SawyerExpert: Policy {
    /// Steps since the episode began (experts may sequence phases by it).
    var t = 0
    func beginTrial(seed: UInt64) {}
    func beginEpisode(phase: EpisodePhase) { t = 0; restart() }
    func act(_ observation: [Float]) -> [Float] {
        let a = decide(SawyerView(observation))
        t += 1
        return a
    }
    func observe(_ transition: Transition) {}
    func restart() {}
    func decide(_ v: SawyerView) -> [Float] { fatalError("subclass") }

    /// Meta-World's move: Δ = clip(p · (target − hand)) per axis, with gripper effort `grip`.
    static func move(_ hand: Vec3, to target: Vec3, p: Double = 10, grip: Double) -> [Float] {
        let d = (target - hand) * p
        func c(_ x: Double) -> Float { Float(min(max(x, -1), 1)) }
        return [c(d.x), c(d.y), c(d.z), c(grip)]
    }
}
