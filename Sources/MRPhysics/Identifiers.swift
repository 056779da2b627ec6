import MRCore

/// Index of a body in its `Simulation`.
public struct BodyID: Hashable, Sendable, Comparable { public let index: Int
    public static func < (a: BodyID, b: BodyID) -> Bool { a.index < b.index } }
/// Index of a geom in its `Simulation`.
public struct GeomID: Hashable, Sendable, Comparable { public let index: Int
    public static func < (a: GeomID, b: GeomID) -> Bool { a.index < b.index } }
/// Index of a joint in its `Simulation`.
public struct JointID: Hashable, Sendable { public let index: Int }
/// Index of an actuator in its `Simulation`.
public struct ActuatorID: Hashable, Sendable { public let index: Int }
