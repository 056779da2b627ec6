import MRCore

/// Friction and contact softness of a contact pair.
public struct ContactMaterial: Hashable, Sendable {
    /// Coulomb friction coefficient.
    public var friction: Double
    /// Contact error reduction (0…1): the fraction of penetration corrected per step.
    public var erp: Double
    /// Contact constraint force mixing (> 0; softness).
    public var cfm: Double
    /// Restitution (0 = none).
    public var bounce: Double
    /// Force-dependent slip (ODE's `dContactSlip1/2`, m/s per N, in both friction directions): a
    /// contact slides at `slip` × its friction force before the friction cone is reached, as MuJoCo's
    /// soft friction creeps (0 = Coulomb friction with no creep).
    public var slip: Double
    public init(friction: Double = 1, erp: Double = 0.2, cfm: Double = 1e-4, bounce: Double = 0, slip: Double = 0) {
        self.friction = friction; self.erp = erp; self.cfm = cfm; self.bounce = bounce; self.slip = slip
    }
    func validate() throws(PhysicsError) {
        guard friction.isFinite, friction >= 0 else { throw .invalidArgument("friction must be finite and ≥ 0") }
        guard erp.isFinite, erp >= 0, erp <= 1 else { throw .invalidArgument("contact ERP must be in [0, 1]") }
        guard cfm.isFinite, cfm > 0 else { throw .invalidArgument("contact CFM must be finite and > 0") }
        guard bounce.isFinite, bounce >= 0, bounce <= 1 else { throw .invalidArgument("bounce must be in [0, 1]") }
        guard slip.isFinite, slip >= 0 else { throw .invalidArgument("slip must be finite and ≥ 0") }
    }
}

/// MuJoCo-style collision filter: two geoms collide when `(a.type & b.affinity) != 0 || (b.type & a.affinity) != 0`.
public struct CollisionFilter: Hashable, Sendable {
    public var contype: UInt32
    public var conaffinity: UInt32
    public init(contype: UInt32 = 1, conaffinity: UInt32 = 1) { self.contype = contype; self.conaffinity = conaffinity }
    public static let none = CollisionFilter(contype: 0, conaffinity: 0)
    func collides(with o: CollisionFilter) -> Bool { (contype & o.conaffinity) != 0 || (o.contype & conaffinity) != 0 }
}
