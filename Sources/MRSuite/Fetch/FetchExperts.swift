import MRCore

#if canImport(Glibc)
import Glibc
#endif

/// Scripted experts for the four Fetch tasks. Each reads only the observation (grip, object,
/// finger and velocity entries and the desired goal) and keeps a small phase memory per episode.
///
/// - reach: proportional control of the grip point to the goal.
/// - push: rise, move behind the cube on the goal–cube line, lower to table height, push along
///   the line steering to the line through cube and goal; re-approach if the cube gets away.
/// - pick-and-place: open, move above the cube, lower around it, close until the fingers stop,
///   carry the cube to the goal.
/// - slide: the table's friction decelerates each axis of the puck independently (ODE's friction
///   pyramid), so a puck released at velocity (vx, vy) travels (vx², vy²)/(2 a); the expert
///   carries the puck up to that velocity and then brakes, letting it slide.
public final class FetchExpert: Policy {
    let kind: FetchTaskKind
    private var phase = 0
    private var timer = 0
    /// Slide: the release velocity chosen at the start of the strike.
    private var release = Vec3.zero
    /// Push: the axis (0 x, 1 y) being pushed along.
    private var pushAxis: Int?
    /// Slide: deceleration of the puck on the table (m/s²), μ g.
    static let slideDeceleration = 0.1 * 9.81

    /// The mocap target as the environment moves it (it starts at the grip point and moves by the
    /// actions, clipped as the environment clips it): the expert steers the target, not the grip.
    private var target: Vec3?
    private var grip = Vec3.zero
    private let workspace: (low: Vec3, high: Vec3)

    public init(kind: FetchTaskKind) { self.kind = kind; workspace = FetchConfiguration.of(kind).workspace }

    public func beginTrial(seed: UInt64) { phase = 0; timer = 0; target = nil }
    public func beginEpisode(phase: EpisodePhase) { self.phase = 0; timer = 0; release = .zero; target = nil; pushAxis = nil }
    public func observe(_ transition: Transition) {}

    public func act(_ o: [Float]) -> [Float] {
        func v3(_ i: Int) -> Vec3 { Vec3(Double(o[i]), Double(o[i + 1]), Double(o[i + 2])) }
        let n = o.count
        let grip = v3(0), goal = v3(n - 3)
        self.grip = grip
        if target == nil { target = grip }
        if kind == .reach { return move(goal - grip, gripper: 0) }
        let object = v3(3)
        let dt = FetchEnvironment.controlDt
        let gripVelocity = v3(20) / dt
        let objectVelocity = v3(14) / dt + gripVelocity
        switch kind {
        case .reach: return [0, 0, 0, 0]
        case .push: return push(grip: grip, object: object, goal: goal)
        case .pickAndPlace: return pick(grip: grip, object: object, goal: goal, fingers: (Double(o[9]), Double(o[10])), fingerSpeed: abs(Double(o[23])) + abs(Double(o[24])))
        case .slide: return slide(grip: grip, gripVelocity: gripVelocity, object: object, objectVelocity: objectVelocity, goal: goal)
        }
    }

    /// The action that moves the mocap target toward `grip + delta` (as far as one step allows),
    /// and the target's new position, clipped as the environment clips it.
    func move(_ delta: Vec3, gripper: Float) -> [Float] { steer(toward: grip + delta, gripper: gripper) }

    func steer(toward p: Vec3, gripper: Float) -> [Float] {
        let current = target ?? grip
        let d = (p - current) / FetchEnvironment.actionScale
        func c(_ x: Double) -> Double { min(max(x, -1), 1) }
        let a = Vec3(c(d.x), c(d.y), c(d.z))
        var t = current + a * FetchEnvironment.actionScale
        t = Vec3(min(max(t.x, workspace.low.x), workspace.high.x), min(max(t.y, workspace.low.y), workspace.high.y), min(max(t.z, workspace.low.z), workspace.high.z))
        let r = t - grip
        if r.norm > FetchEnvironment.leash { t = grip + r * (FetchEnvironment.leash / r.norm) }
        target = t
        return [Float(a.x), Float(a.y), Float(a.z), gripper]
    }

    static func planar(_ v: Vec3) -> Vec3 { Vec3(v.x, v.y, 0) }

    // MARK: push

    /// Grip height that puts the closed fingers' lower edge ~0.6 cm above the table.
    static let pushHeight = 0.418
    /// Grip height safely above a resting object.
    static let travelHeight = 0.49

    /// Push and slide: moves the grip over the table to `spot` (xy) without sweeping the object
    /// away. Low and within `liftRadius` of the object it first rises to travel height; within
    /// `travelRadius` it travels at that height, farther out at least at push height. nil once the
    /// grip is within `tolerance` of the spot.
    private func travel(to spot: Vec3, grip: Vec3, object: Vec3, tolerance: Double, liftRadius: Double, travelRadius: Double) -> [Float]? {
        guard FetchExpert.planar(grip - spot).norm > tolerance else { return nil }
        if grip.z < FetchExpert.travelHeight - 0.02 && FetchExpert.planar(grip - object).norm < liftRadius {
            return move(Vec3(0, 0, FetchExpert.travelHeight - grip.z), gripper: 0)
        }
        let z = FetchExpert.planar(grip - object).norm < travelRadius ? FetchExpert.travelHeight : max(grip.z, FetchExpert.pushHeight)
        return move(Vec3(spot.x - grip.x, spot.y - grip.y, z - grip.z), gripper: 0)
    }

    private func push(grip: Vec3, object: Vec3, goal: Vec3) -> [Float] {
        let toGoal = FetchExpert.planar(goal - object)
        let distance = toGoal.norm
        if distance < 0.015 { return move(Vec3(0, 0, 0.46 - grip.z) , gripper: 0) }
        // Push one face at a time, along the axis of the larger error (a push on a corner slides
        // the cube along the face normal, not along the push).
        if abs(toGoal.x) < 0.012 { pushAxis = 1 } else if abs(toGoal.y) < 0.012 { pushAxis = 0 }
        else if pushAxis == nil { pushAxis = abs(toGoal.x) >= abs(toGoal.y) ? 0 : 1 }
        let u = pushAxis == 0 ? Vec3(toGoal.x > 0 ? 1 : -1, 0, 0) : Vec3(0, toGoal.y > 0 ? 1 : -1, 0)
        let axisDistance = abs(toGoal.dot(u))
        // Distance between the cube's and the pusher's centres when they touch along u (cube axis-aligned).
        let contact = 0.025 * (abs(u.x) + abs(u.y)) + FetchExpert.pusherHalf.0 * abs(u.x) + FetchExpert.pusherHalf.1 * abs(u.y)
        let behind = object - u * (contact + 0.012)
        let rel = FetchExpert.planar(grip - object)
        let along = rel.dot(u), across = (rel - u * along).norm
        switch phase {
        case 0: // approach from above
            if let a = travel(to: behind, grip: grip, object: object, tolerance: 0.012, liftRadius: 0.09, travelRadius: 0.07) { return a }
            if grip.z > FetchExpert.pushHeight + 0.01 {
                return move(Vec3(behind.x - grip.x, behind.y - grip.y, FetchExpert.pushHeight - grip.z), gripper: 0)
            }
            phase = 1
            fallthrough
        default: // push along the line
            if along > -0.02 || across > 0.03 { phase = 0; return move(Vec3(0, 0, FetchExpert.travelHeight - grip.z), gripper: 0) }
            let step = min(axisDistance, 0.03)
            let aim = object - u * (contact - 0.005) + u * step
            return move(Vec3(aim.x - grip.x, aim.y - grip.y, FetchExpert.pushHeight - grip.z), gripper: 0)
        }
    }

    // MARK: pick and place

    private func pick(grip: Vec3, object: Vec3, goal: Vec3, fingers: (Double, Double), fingerSpeed: Double) -> [Float] {
        let open: Float = 1, close: Float = -1
        let xy = FetchExpert.planar(object - grip).norm
        switch phase {
        case 0: // open and move above the cube
            let above = object + Vec3(0, 0, 0.08)
            if xy > 0.006 || abs(grip.z - above.z) > 0.02 {
                if xy > 0.02 { return move(Vec3(object.x - grip.x, object.y - grip.y, max(above.z, grip.z) - grip.z), gripper: open) }
                return move(above - grip, gripper: open)
            }
            phase = 1
            fallthrough
        case 1: // lower around the cube
            if fingers.0 + fingers.1 < 0.07 { return move(Vec3(object.x - grip.x, object.y - grip.y, 0), gripper: open) }
            if abs(grip.z - object.z) > 0.006 || xy > 0.006 {
                return move(object - grip, gripper: open)
            }
            phase = 2; timer = 0
            fallthrough
        case 2: // close until the fingers stop on the cube
            timer += 1
            if timer < 4 || fingerSpeed > 2e-4 { return move(object - grip, gripper: close) }
            phase = 3
            fallthrough
        default: // carry to the goal
            if xy > 0.03 || abs(object.z - grip.z) > 0.03 { phase = 0; return move(Vec3(0, 0, 0.05), gripper: open) }
            return move(goal - object, gripper: close)
        }
    }

    // MARK: slide

    /// Half extents (x, y) of the closed fingers' footprint: the pusher's corners.
    static let pusherHalf = (0.0135, 0.0149)
    static let puckRadius = 0.025

    private func slide(grip: Vec3, gripVelocity: Vec3, object: Vec3, objectVelocity: Vec3, goal: Vec3) -> [Float] {
        let s = FetchExpert.planar(goal - object)
        let a = FetchExpert.slideDeceleration
        switch phase {
        case 0: // choose the release velocity
            release = Vec3(copysign((2 * a * abs(s.x)).squareRoot(), s.x), copysign((2 * a * abs(s.y)).squareRoot(), s.y), 0)
            if release.norm < 1e-6 { return [0, 0, 0, 0] }
            phase = 1
            fallthrough
        case 1: // put the pusher's leading corner behind the puck on the line of the release velocity
            let u = release.normalized
            let corner = Vec3(copysign(FetchExpert.pusherHalf.0, u.x), copysign(FetchExpert.pusherHalf.1, u.y), 0)
            let start = object - u * (FetchExpert.puckRadius + 0.035) - corner
            if let a = travel(to: start, grip: grip, object: object, tolerance: 0.006, liftRadius: 0.1, travelRadius: 0.08) { return a }
            if grip.z > FetchExpert.pushHeight + 0.008 || FetchExpert.planar(gripVelocity).norm > 0.05 {
                return move(Vec3(start.x - grip.x, start.y - grip.y, FetchExpert.pushHeight - grip.z), gripper: 0)
            }
            phase = 2
            fallthrough
        case 2: // strike: the corner carries the puck up to the speed the remaining distance needs
            let u = release.normalized
            // Each axis stops after v|v|/(2a): the speed along u whose slide covers the remaining
            // distance, and the slide the puck's present velocity would give.
            let remaining = max(s.dot(u), 0)
            let need = (2 * a * remaining / (pow(abs(u.x), 3) + pow(abs(u.y), 3))).squareRoot()
            let v0 = objectVelocity
            let slideNow = Vec3(v0.x * abs(v0.x), v0.y * abs(v0.y), 0) / (2 * a)
            if slideNow.dot(u) >= remaining * FetchExpert.releaseFraction { phase = 3; timer = 0; return brake() }
            let corner = Vec3(copysign(FetchExpert.pusherHalf.0, u.x), copysign(FetchExpert.pusherHalf.1, u.y), 0)
            let rel = FetchExpert.planar(grip + corner - object)
            let across = rel - u * rel.dot(u)
            let speed = need + 0.04
            let v = u * speed - across * 5
            let t = target ?? grip
            return steer(toward: Vec3(t.x, t.y, FetchExpert.pushHeight) + v * FetchEnvironment.controlDt, gripper: 0)
        default: // brake and stay clear
            timer += 1
            return brake()
        }
    }

    static let releaseFraction = 0.99

    private func brake() -> [Float] { steer(toward: grip + Vec3(0, 0, 0.01), gripper: 0) }
}
