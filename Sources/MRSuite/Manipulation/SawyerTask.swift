import MRCore
import MRPhysics

/// One Sawyer task, composed with the shared rig by `SawyerEnvironment`: its scene, its typed
/// descriptor (sampled per ENVIRONMENTS.md), its reward and success, and its scripted expert.
///
/// A task value is created once per environment from the loaded scene (it looks its bodies up) and
/// keeps what an episode must remember (initial object position, initial tcp…); it is a value, so
/// the environment's snapshot captures it whole.
public protocol SawyerTask: Sendable {
    associatedtype Descriptor: TaskDescriptor
    /// The Meta-World name ("pick-place"); the environment id is `ml10/<name>-v<version>`.
    static var name: String { get }
    /// The task's version (default 2; a task whose dynamics changed is registered again under a new one).
    static var version: Int { get }
    /// The scene file, relative to the assets directory ("models/ml10_pick_place.xml").
    static var scene: String { get }
    /// The task's split in ML10.
    static var split: Split { get }
    /// Hand start (default (0, 0.6, 0.2)) and bounds of the mocap target.
    static var handInitial: Vec3 { get }
    static var handLow: Vec3 { get }
    static var handHigh: Vec3 { get }

    /// The task used when none is set (the centre of the sampling ranges).
    static var defaultDescriptor: Descriptor { get }
    /// A descriptor drawn from the task's distribution.
    static func sample(_ g: inout SeededGenerator) -> Descriptor
    /// Throws `EnvironmentError.invalidTask` for a descriptor outside the task's distribution.
    static func validate(_ d: Descriptor) throws
    /// The goal position reported in the observation's last 3 numbers (when visible).
    static func goal(_ d: Descriptor) -> Vec3
    /// The scripted expert for a task (privileged: it knows the descriptor).
    static func expert(_ d: Descriptor) -> any Policy

    /// Finds the task's bodies and joints in the loaded scene.
    init(rig: SawyerRig) throws
    /// Places the objects for a new episode (the hand is already at its start) and remembers
    /// what the reward needs (initial positions).
    mutating func reset(_ d: Descriptor, rig: SawyerRig) throws
    /// Object 1 and (optionally) object 2: position and quaternion (x, y, z, w).
    func objects(rig: SawyerRig) -> (Vec3, [Double], Vec3?, [Double]?)
    /// Reward (in [0, 10]), success and named terms after a step taken with `action`.
    func evaluate(_ d: Descriptor, rig: SawyerRig, action: [Float]) -> SawyerEvaluation
}

extension SawyerTask {
    public static var handInitial: Vec3 { SawyerRig.buildHandPosition }
    public static var handLow: Vec3 { SawyerRig.defaultHandLow }
    public static var handHigh: Vec3 { SawyerRig.defaultHandHigh }
    public static var version: Int { 2 }
    public static var identifier: String { "ml10/\(name)-v\(version)" }
}

extension SawyerTask where Descriptor == SawyerGoal {
    /// The descriptor's goal (every `SawyerGoal` task reports it as is).
    public static func goal(_ d: SawyerGoal) -> Vec3 { d.goal }
}

/// What a task's reward function returns.
public struct SawyerEvaluation: Sendable {
    public var reward: Double
    public var success: Bool
    public var terms: [RewardTerm]
    public init(reward: Double, success: Bool, terms: [RewardTerm]) {
        self.reward = min(max(reward, 0), 10); self.success = success; self.terms = terms
    }
}

/// The common descriptor of most Sawyer tasks: where the main object (or fixture) starts and where
/// the goal is; `fixture` is the second placed thing where a task has one (peg box, hoop, shelf).
public struct SawyerGoal: TaskDescriptor {
    public static let kind = "sawyer-goal"
    public var object: Vec3
    public var goal: Vec3
    public var fixture: Vec3?
    public init(object: Vec3, goal: Vec3, fixture: Vec3? = nil) { self.object = object; self.goal = goal; self.fixture = fixture }
}

/// Sampling helpers shared by the tasks.
enum SawyerSampling {
    /// A point uniform in the box [low, high], rounded for task-set files.
    static func uniform(_ g: inout SeededGenerator, _ low: Vec3, _ high: Vec3) -> Vec3 {
        Vec3(taskSetRounded(g.uniform(low.x, high.x)), taskSetRounded(g.uniform(low.y, high.y)), taskSetRounded(g.uniform(low.z, high.z)))
    }

    /// Throws unless `p` lies in [low, high] (with 1e-6 slack for rounding).
    static func check(_ p: Vec3, _ low: Vec3, _ high: Vec3, _ what: String, task: String) throws {
        let e = 1e-6
        guard p.isFinite, p.x >= low.x - e, p.x <= high.x + e, p.y >= low.y - e, p.y <= high.y + e, p.z >= low.z - e, p.z <= high.z + e else {
            throw EnvironmentError.invalidTask("\(task): \(what) \(p) outside \(low)…\(high)")
        }
    }

    static func center(_ low: Vec3, _ high: Vec3) -> Vec3 { (low + high) * 0.5 }

    /// The distance between `a` and `b` in the xy plane.
    static func xyDistance(_ a: Vec3, _ b: Vec3) -> Double {
        ((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)).squareRoot()
    }

    /// A fixture (drawer, door, lever, window) uniform in [low, high] with the goal at fixture + `offset`.
    static func offsetGoal(_ g: inout SeededGenerator, _ low: Vec3, _ high: Vec3, offset: Vec3) -> SawyerGoal {
        let o = uniform(&g, low, high)
        return SawyerGoal(object: o, goal: o + offset)
    }

    /// Throws unless the object (named `what`) lies in [low, high] and the goal is object + `offset`.
    static func checkOffsetGoal(_ d: SawyerGoal, _ low: Vec3, _ high: Vec3, offset: Vec3, _ what: String, task: String) throws {
        try check(d.object, low, high, what, task: task)
        guard (d.goal - d.object - offset).norm < 1e-5 else { throw EnvironmentError.invalidTask("\(task): goal must be \(what) + \(offset)") }
    }

    /// Throws unless the descriptor has a fixture (named `what`) in [low, high] and the goal is fixture + `offset`.
    static func checkFixture(_ d: SawyerGoal, _ low: Vec3, _ high: Vec3, offset: Vec3, _ what: String, task: String) throws {
        guard let f = d.fixture else { throw EnvironmentError.invalidTask("\(task): needs the \(what) position as fixture") }
        try check(f, low, high, what, task: task)
        guard (f + offset - d.goal).norm < 1e-5 else { throw EnvironmentError.invalidTask("\(task): goal must be \(what) + \(offset)") }
    }
}

/// Two boxes that a task draws an object (puck, ball, peg) and a goal (or the fixture that fixes
/// the goal: basket, peg box) from, in that order (Meta-World's `obj_low/high`, `goal_low/high`).
struct PlacementRanges: Sendable {
    let objectLow: Vec3, objectHigh: Vec3, goalLow: Vec3, goalHigh: Vec3

    /// Draws the object, then the goal; with `minXYGap`, draws both again until their xy are at
    /// least that far apart.
    func sample(_ g: inout SeededGenerator, minXYGap: Double? = nil) -> (object: Vec3, goal: Vec3) {
        while true {
            let o = SawyerSampling.uniform(&g, objectLow, objectHigh), goal = SawyerSampling.uniform(&g, goalLow, goalHigh)
            guard let gap = minXYGap, SawyerSampling.xyDistance(o, goal) < gap else { return (o, goal) }
        }
    }

    /// `sample` as a descriptor (no fixture).
    func sampleGoal(_ g: inout SeededGenerator, minXYGap: Double? = nil) -> SawyerGoal {
        let (o, goal) = sample(&g, minXYGap: minXYGap)
        return SawyerGoal(object: o, goal: goal)
    }

    /// Throws unless the object and the goal lie in their boxes.
    func check(object: Vec3, goal: Vec3, _ objectName: String = "puck", task: String) throws {
        try SawyerSampling.check(object, objectLow, objectHigh, objectName, task: task)
        try SawyerSampling.check(goal, goalLow, goalHigh, "goal", task: task)
    }
}
