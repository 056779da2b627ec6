import MRCore

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
