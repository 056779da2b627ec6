import MRCore
import MRPhysics

/// The drawer scene shared by drawer-open and drawer-close (`models/ml10_drawer.xml`).
struct DrawerParts: Sendable {
    /// The handle bar on the drawer link, carried by the case.
    let handlePoint: FixturePoint, slide: JointID
    /// The handle bar's centre relative to the drawer link's frame.
    static let handleOffset = Vec3(0, -0.16, 0.03)
    static let caseLow = Vec3(-0.1, 0.9, 0), caseHigh = Vec3(0.1, 0.9, 0)

    init(rig: SawyerRig) throws {
        handlePoint = try FixturePoint(rig: rig, fixture: "drawer", part: "drawer_link", offset: Self.handleOffset); slide = try rig.joint("drawer_slide")
    }

    /// Places the case at `position` with the drawer pulled out by `opening` (m).
    func place(at position: Vec3, opening: Double, rig: SawyerRig) throws {
        try handlePoint.place(at: position, rig: rig)
        if opening != 0 { try rig.translate(handlePoint.part, by: Vec3(0, -opening, 0)) }
    }

    func handle(_ rig: SawyerRig) -> Vec3 { handlePoint.position(rig) }
    func observed(_ rig: SawyerRig) -> (Vec3, [Double], Vec3?, [Double]?) { handlePoint.observed(rig) }
}

/// drawer-open and drawer-close: the drawer scene with its case at the descriptor's object
/// position, the goal a fixed offset from the case, the drawer pulled out by `startOpening` at
/// reset, and the handle observed as object 1 and recorded (with the tcp) when the episode starts.
/// Such a task supplies its offsets, reward and expert; this gives it the rest.
protocol DrawerTask: SawyerTask where Descriptor == SawyerGoal {
    /// Goal − case.
    static var goalOffset: Vec3 { get }
    /// How far the drawer is pulled out at reset (m).
    static var startOpening: Double { get }
    var parts: DrawerParts { get }
    /// The handle and the tcp at the start.
    var start: EpisodeStart { get set }
    init(parts: DrawerParts)
}

extension DrawerTask {
    public static var scene: String { "models/ml10_drawer.xml" }
    public static var defaultDescriptor: SawyerGoal { SawyerGoal(object: Vec3(0, 0.9, 0), goal: Vec3(0, 0.9, 0) + goalOffset) }
    public static func sample(_ g: inout SeededGenerator) -> SawyerGoal {
        SawyerSampling.offsetGoal(&g, DrawerParts.caseLow, DrawerParts.caseHigh, offset: goalOffset)
    }
    public static func validate(_ d: SawyerGoal) throws {
        try SawyerSampling.checkOffsetGoal(d, DrawerParts.caseLow, DrawerParts.caseHigh, offset: goalOffset, "drawer", task: name)
    }

    public init(rig: SawyerRig) throws { self.init(parts: try DrawerParts(rig: rig)) }

    public mutating func reset(_ d: SawyerGoal, rig: SawyerRig) throws {
        try parts.place(at: d.object, opening: Self.startOpening, rig: rig)
        start.record(object: parts.handle(rig), rig: rig)
    }

    public func objects(rig: SawyerRig) -> (Vec3, [Double], Vec3?, [Double]?) { parts.observed(rig) }
}
