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

    /// The tcp, `SawyerRig.tcpBelowHand` below the hand.
    var tcp: Vec3 { hand - Vec3(0, 0, SawyerRig.tcpBelowHand) }
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

    /// The distance between `a` and `b` in the xy plane.
    static func xyDistance(_ a: Vec3, _ b: Vec3) -> Double { SawyerSampling.xyDistance(a, b) }

    /// Meta-World's move: Δ = clip(p · (target − hand)) per axis, with gripper effort `grip`.
    static func move(_ hand: Vec3, to target: Vec3, p: Double = 10, grip: Double) -> [Float] {
        let d = (target - hand) * p
        func c(_ x: Double) -> Float { Float(min(max(x, -1), 1)) }
        return [c(d.x), c(d.y), c(d.z), c(grip)]
    }
}

/// The grasp-and-carry routine shared by the puck experts: hover over the object, descend with the
/// gripper open until the tcp is at the object's centre, close for a few steps, then carry the tcp
/// to `carryTarget(view)`; if the object slips out (more than 4 cm from the tcp), start over.
class GraspingExpert: SawyerExpert {
    enum Phase { case approach, descend, close, carry }
    var phase = Phase.approach
    var closing = 0
    /// Tcp height above the object's centre while hovering.
    var hover = 0.08
    /// Where the object's centre should be grasped, relative to the observed object position.
    var graspOffset = Vec3.zero
    override func restart() { phase = .approach; closing = 0 }

    /// The tcp target once the object is held.
    func carryTarget(_ v: SawyerView) -> Vec3 { fatalError("subclass") }

    override func decide(_ v: SawyerView) -> [Float] {
        let tcp = v.tcp
        let grasp = v.object + graspOffset
        let xy = Self.xyDistance(tcp, grasp)
        switch phase {
        case .approach:
            if xy < 0.012 { phase = .descend }
            let high = max(grasp.z + hover, tcp.z)
            return Self.move(tcp, to: Vec3(grasp.x, grasp.y, xy > 0.04 ? high : grasp.z + hover), p: 10, grip: -1)
        case .descend:
            if xy > 0.03 { phase = .approach }
            if abs(tcp.z - grasp.z) < 0.006 { phase = .close }
            return Self.move(tcp, to: grasp, p: 10, grip: -1)
        case .close:
            closing += 1
            if closing > 12 { phase = .carry }
            return Self.move(tcp, to: grasp, p: 10, grip: 1)
        case .carry:
            if (tcp - grasp).norm > 0.04 { phase = .approach; closing = 0 }
            return Self.move(tcp, to: carryTarget(v), p: 10, grip: 1)
        }
    }
}

