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

/// Errors of the physics layer. Bad arguments are caught here, before they reach ODE.
public enum PhysicsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// An argument that ODE would reject (non-finite, non-positive size or mass, unknown id…).
    case invalidArgument(String)
    /// The state left its sanity bounds or became non-finite.
    case diverged(String)
    /// ODE raised an error or a debug assertion inside a step. The simulation is unusable afterwards.
    case engine(String)
    /// A step was attempted on a simulation that an engine error left unusable.
    case unusable
    /// A snapshot from a different simulation layout.
    case snapshotMismatch(String)

    public var description: String {
        switch self {
        case let .invalidArgument(m): return "invalid physics argument: \(m)"
        case let .diverged(m): return "simulation diverged: \(m)"
        case let .engine(m): return "physics engine error: \(m)"
        case .unusable: return "the simulation is unusable after an engine error; rebuild it"
        case let .snapshotMismatch(m): return "snapshot does not fit this simulation: \(m)"
        }
    }
}

/// Collision shapes. Capsules and cylinders lie along their local z axis.
public enum GeomShape: Hashable, Sendable {
    /// The static plane `normal · p = offset` (world geometry only).
    case plane(normal: Vec3, offset: Double)
    case box(halfExtents: Vec3)
    case sphere(radius: Double)
    case capsule(radius: Double, halfLength: Double)
    case cylinder(radius: Double, halfLength: Double)

    /// Volume in m³ (planes: 0).
    public var volume: Double {
        switch self {
        case .plane: return 0
        case let .box(h): return 8 * h.x * h.y * h.z
        case let .sphere(r): return 4.0 / 3.0 * .pi * r * r * r
        case let .capsule(r, hl): return .pi * r * r * 2 * hl + 4.0 / 3.0 * .pi * r * r * r
        case let .cylinder(r, hl): return .pi * r * r * 2 * hl
        }
    }

    /// The shape with its radii and half-extents grown by `d` (lengths of capsule and cylinder axes
    /// unchanged; planes unchanged).
    func grown(by d: Double) -> GeomShape {
        guard d != 0 else { return self }
        switch self {
        case .plane: return self
        case let .box(h): return .box(halfExtents: Vec3(h.x + d, h.y + d, h.z + d))
        case let .sphere(r): return .sphere(radius: r + d)
        case let .capsule(r, hl): return .capsule(radius: r + d, halfLength: hl)
        case let .cylinder(r, hl): return .cylinder(radius: r + d, halfLength: hl)
        }
    }

    /// Checks sizes are finite and positive.
    func validate() throws(PhysicsError) {
        func positive(_ v: Double, _ what: String) throws(PhysicsError) {
            guard v.isFinite, v > 0 else { throw .invalidArgument("\(what) must be finite and > 0, got \(v)") }
        }
        switch self {
        case let .plane(n, d):
            guard n.isFinite, d.isFinite, n.norm > 1e-9 else { throw .invalidArgument("plane needs a finite non-zero normal") }
        case let .box(h): try positive(h.x, "box half-extent x"); try positive(h.y, "box half-extent y"); try positive(h.z, "box half-extent z")
        case let .sphere(r): try positive(r, "sphere radius")
        case let .capsule(r, hl): try positive(r, "capsule radius"); try positive(hl, "capsule half-length")
        case let .cylinder(r, hl): try positive(r, "cylinder radius"); try positive(hl, "cylinder half-length")
        }
    }
}

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
    public init(friction: Double = 1, erp: Double = 0.2, cfm: Double = 1e-4, bounce: Double = 0) {
        self.friction = friction; self.erp = erp; self.cfm = cfm; self.bounce = bounce
    }
    func validate() throws(PhysicsError) {
        guard friction.isFinite, friction >= 0 else { throw .invalidArgument("friction must be finite and ≥ 0") }
        guard erp.isFinite, erp >= 0, erp <= 1 else { throw .invalidArgument("contact ERP must be in [0, 1]") }
        guard cfm.isFinite, cfm > 0 else { throw .invalidArgument("contact CFM must be finite and > 0") }
        guard bounce.isFinite, bounce >= 0, bounce <= 1 else { throw .invalidArgument("bounce must be in [0, 1]") }
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

/// Mass, centre of mass and inertia tensor about the centre of mass, in a body's frame.
public struct MassProperties: Hashable, Sendable {
    public var mass: Double
    public var center: Vec3
    /// Symmetric inertia about `center`: (Ixx, Iyy, Izz, Ixy, Ixz, Iyz), kg·m².
    public var inertia: (Double, Double, Double, Double, Double, Double)

    public init(mass: Double, center: Vec3 = .zero, inertia: (Double, Double, Double, Double, Double, Double)) {
        self.mass = mass; self.center = center; self.inertia = inertia
    }

    public static func == (a: MassProperties, b: MassProperties) -> Bool {
        a.mass == b.mass && a.center == b.center && a.inertia == b.inertia
    }
    public func hash(into h: inout Hasher) {
        h.combine(mass); h.combine(center)
        h.combine(inertia.0); h.combine(inertia.1); h.combine(inertia.2); h.combine(inertia.3); h.combine(inertia.4); h.combine(inertia.5)
    }

    /// The mass properties of a solid shape of uniform `density` (kg/m³) placed at `pose` in the body frame.
    public static func solid(_ shape: GeomShape, density: Double, pose: Transform = .identity) -> MassProperties {
        shaped(shape, mass: density * shape.volume, pose: pose)
    }

    /// The mass properties of a solid shape of total `mass` (uniform density) placed at `pose`.
    public static func shaped(_ shape: GeomShape, mass m: Double, pose: Transform = .identity) -> MassProperties {
        var ixx = 0.0, iyy = 0.0, izz = 0.0
        switch shape {
        case .plane: break
        case let .box(h):
            ixx = m / 3 * (h.y * h.y + h.z * h.z); iyy = m / 3 * (h.x * h.x + h.z * h.z); izz = m / 3 * (h.x * h.x + h.y * h.y)
        case let .sphere(r):
            ixx = 0.4 * m * r * r; iyy = ixx; izz = ixx
        case let .cylinder(r, hl):
            let l = 2 * hl
            ixx = m * (3 * r * r + l * l) / 12; iyy = ixx; izz = m * r * r / 2
        case let .capsule(r, hl):
            // Cylinder of length 2hl plus two hemispheres, exact (parallel-axis for the caps' centres of mass).
            let l = 2 * hl
            let vc = Double.pi * r * r * l, vs = 4.0 / 3.0 * Double.pi * r * r * r
            let mc = m * vc / (vc + vs), ms = m * vs / (vc + vs)
            let cylAxial = mc * r * r / 2, cylTrans = mc * (3 * r * r + l * l) / 12
            let sphAxial = 0.4 * ms * r * r
            // Each hemisphere: I about its own COM (transverse) = 83/320 m_h r², COM at hl + 3r/8 from the centre.
            let mh = ms / 2, dcom = hl + 3 * r / 8
            let hemiTrans = 2 * (83.0 / 320.0 * mh * r * r + mh * dcom * dcom)
            ixx = cylTrans + hemiTrans; iyy = ixx; izz = cylAxial + sphAxial
        }
        var p = MassProperties(mass: m, center: .zero, inertia: (ixx, iyy, izz, 0, 0, 0))
        p = p.rotated(pose.rotation)
        p.center = pose.position
        return p
    }

    /// Inertia as a row-major 3×3 matrix.
    var matrix: [Double] {
        let (xx, yy, zz, xy, xz, yz) = inertia
        return [xx, xy, xz, xy, yy, yz, xz, yz, zz]
    }

    /// The same body turned by `q` about its centre of mass: I' = R I Rᵀ.
    func rotated(_ q: Quat) -> MassProperties {
        let r = q.matrix, i = matrix
        var out = [Double](repeating: 0, count: 9)
        for a in 0..<3 { for b in 0..<3 {
            var s = 0.0
            for k in 0..<3 { for l in 0..<3 { s += r[a * 3 + k] * i[k * 3 + l] * r[b * 3 + l] } }
            out[a * 3 + b] = s
        } }
        return MassProperties(mass: mass, center: q.rotate(center), inertia: (out[0], out[4], out[8], out[1], out[2], out[5]))
    }

    /// The union of two rigid parts (parallel-axis theorem about the combined centre of mass).
    public static func + (a: MassProperties, b: MassProperties) -> MassProperties {
        let m = a.mass + b.mass
        guard m > 0 else { return a }
        let c = (a.center * a.mass + b.center * b.mass) / m
        func shifted(_ p: MassProperties) -> [Double] {
            let d = p.center - c
            let dd = d.dot(d)
            var i = p.matrix
            let dv = [d.x, d.y, d.z]
            for r in 0..<3 { for s in 0..<3 { i[r * 3 + s] += p.mass * ((r == s ? dd : 0) - dv[r] * dv[s]) } }
            return i
        }
        let ia = shifted(a), ib = shifted(b)
        let i = zip(ia, ib).map { $0 + $1 }
        return MassProperties(mass: m, center: c, inertia: (i[0], i[4], i[8], i[1], i[2], i[5]))
    }

    /// True when the mass is positive and the inertia symmetric positive definite (what ODE's dMassCheck demands).
    var isValid: Bool {
        let (xx, yy, zz, xy, xz, yz) = inertia
        guard mass.isFinite, mass > 0, [xx, yy, zz, xy, xz, yz].allSatisfy({ $0.isFinite }) else { return false }
        let m2 = xx * yy - xy * xy
        let det = xx * (yy * zz - yz * yz) - xy * (xy * zz - yz * xz) + xz * (xy * yz - yy * xz)
        return xx > 0 && m2 > 0 && det > 0
    }
}

/// Joint limits and passive dynamics shared by hinges and sliders.
public struct JointDynamics: Hashable, Sendable {
    /// Lower and upper position limits (rad or m); nil: unlimited. Hinge limits must lie in [-π, π].
    public var limits: ClosedRange<Double>?
    /// Viscous damping (N·m·s/rad or N·s/m), applied implicitly (unconditionally stable).
    public var damping: Double
    /// Spring stiffness toward `springReference` (N·m/rad or N/m), applied explicitly.
    public var stiffness: Double
    public var springReference: Double
    /// Reflected rotor inertia added to the joint's own coordinate (kg·m² or kg), MuJoCo's `armature`;
    /// applied implicitly on the damping row (see `Simulation`). Hinges and sliders only.
    public var armature: Double
    /// Sliders only: apply the damping as a force each substep instead of an implicit motor row (one
    /// row fewer in ODE's LCP). The force is −c·v along the axis with c = (μ/h)(1 − e^(−kd·h/μ)),
    /// μ the reduced mass of the two bodies, so a lone pair's relative velocity decays by exactly
    /// e^(−kd·h/μ) per substep (never overshoots, for any kd); c → kd as h → 0. Needs armature 0.
    public var explicitDamping: Bool = false
    public init(limits: ClosedRange<Double>? = nil, damping: Double = 0, stiffness: Double = 0, springReference: Double = 0, armature: Double = 0) {
        self.limits = limits; self.damping = damping; self.stiffness = stiffness; self.springReference = springReference; self.armature = armature
    }
}

/// The kinds of joint a simulation holds.
public enum JointKind: Hashable, Sendable {
    case hinge
    case slider
    case fixed
    case ball
    /// A body held to a plane: translation along `normal` and rotation about the in-plane axes removed.
    case planar(normal: Vec3)
    /// One coordinate of a planar constraint, read from the body's pose (MJCF's rootx/rootz style slides).
    case planarSlide(axis: Vec3)
    /// The rotation coordinate of a planar constraint (MJCF's rooty style hinge), unwrapped.
    case planarHinge(axis: Vec3)
    /// A weld from a kinematic (mocap) body to a dynamic one.
    case weld
}

/// World-level solver parameters.
public struct SimulationParameters: Hashable, Sendable {
    /// Seconds per physics substep.
    public var timestep: Double
    public var gravity: Vec3
    /// Global constraint force mixing (> 0; PLATFORM.md: CFM 0 floods "LCP internal error").
    public var cfm: Double = 1e-5
    /// Global error reduction.
    public var erp: Double = 0.2
    /// Contact surface layer depth (m) allowed before correction; stops resting jitter.
    public var contactSurfaceLayer: Double = 0.001
    /// Cap on the velocity contacts may use to correct penetration (m/s).
    public var contactMaxCorrectingVelocity: Double = 10
    /// Material of contacts between geoms without a pair override (friction: max of the two geoms').
    public var defaultContact = ContactMaterial()
    /// A dynamic body farther than this from the origin (m) counts as diverged.
    public var positionBound: Double = 1_000
    /// A dynamic body faster than this (m/s or rad/s) counts as diverged.
    public var speedBound: Double = 1_000
    public init(timestep: Double, gravity: Vec3 = Vec3(0, 0, -9.81)) { self.timestep = timestep; self.gravity = gravity }
}

/// How a planar model (MJCF's planar root: two slides and a hinge) is kept in its plane.
public enum PlanarScheme: Hashable, Sendable {
    /// A planar constraint on the root body (3 rows) and full hinges (5 rows each): ODE's own rows hold
    /// every body in the plane.
    case constraintRows
    /// `Simulation.setPlanarProjection`: every dynamic body is projected onto its plane after each
    /// substep, and hinges are ball joints plus a motor row (`addPlanarHinge`, 3 rows instead of 5);
    /// the root gets no constraint rows. Exact for a model whose bodies are symmetric about the plane
    /// (out-of-plane forces are then zero; the projection removes only rounding drift).
    case projection
}
