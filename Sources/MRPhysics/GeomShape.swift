import MRCore

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
