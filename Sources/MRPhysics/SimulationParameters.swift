import MRCore

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
