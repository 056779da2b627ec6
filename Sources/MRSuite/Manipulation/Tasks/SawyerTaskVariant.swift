import MRCore
import MRPhysics

/// A later version of a task whose goals, reward, success and expert are `Base`'s: it differs only in
/// its dynamics (its own scene, or contacts set up in its `init`), so it keeps its `Base` as `base`
/// and this forwards the rest to it: name, scene (unless the variant has its own), split, hand
/// start and bounds, descriptor sampling and checks, the expert, reset, objects and evaluation.
/// Such a task supplies its `version`, its `init` and anything it changes.
protocol SawyerTaskVariant: SawyerTask where Descriptor == Base.Descriptor {
    associatedtype Base: SawyerTask
    var base: Base { get set }
}

extension SawyerTaskVariant {
    public static var name: String { Base.name }
    public static var scene: String { Base.scene }
    public static var split: Split { Base.split }
    public static var handInitial: Vec3 { Base.handInitial }
    public static var handLow: Vec3 { Base.handLow }
    public static var handHigh: Vec3 { Base.handHigh }
    public static var defaultDescriptor: Descriptor { Base.defaultDescriptor }
    public static func sample(_ g: inout SeededGenerator) -> Descriptor { Base.sample(&g) }
    public static func validate(_ d: Descriptor) throws { try Base.validate(d) }
    public static func expert(_ d: Descriptor) -> any Policy { Base.expert(d) }

    public mutating func reset(_ d: Descriptor, rig: SawyerRig) throws { try base.reset(d, rig: rig) }
    public func objects(rig: SawyerRig) -> (Vec3, [Double], Vec3?, [Double]?) { base.objects(rig: rig) }
    public func evaluate(_ d: Descriptor, rig: SawyerRig, action: [Float]) -> SawyerEvaluation { base.evaluate(d, rig: rig, action: action) }
}
