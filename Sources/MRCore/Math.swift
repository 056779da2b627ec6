#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A 3-vector of `Double` (metres, metres per second, radians per second: the unit is the caller's).
public struct Vec3: Hashable, Codable, Sendable, CustomStringConvertible {
    public var x: Double
    public var y: Double
    public var z: Double

    @inlinable public init(_ x: Double, _ y: Double, _ z: Double) { self.x = x; self.y = y; self.z = z }
    public static let zero = Vec3(0, 0, 0)

    @inlinable public static func + (a: Vec3, b: Vec3) -> Vec3 { Vec3(a.x + b.x, a.y + b.y, a.z + b.z) }
    @inlinable public static func - (a: Vec3, b: Vec3) -> Vec3 { Vec3(a.x - b.x, a.y - b.y, a.z - b.z) }
    @inlinable public static prefix func - (a: Vec3) -> Vec3 { Vec3(-a.x, -a.y, -a.z) }
    @inlinable public static func * (a: Vec3, s: Double) -> Vec3 { Vec3(a.x * s, a.y * s, a.z * s) }
    @inlinable public static func * (s: Double, a: Vec3) -> Vec3 { a * s }
    @inlinable public static func / (a: Vec3, s: Double) -> Vec3 { Vec3(a.x / s, a.y / s, a.z / s) }
    @inlinable public static func += (a: inout Vec3, b: Vec3) { a = a + b }
    @inlinable public static func -= (a: inout Vec3, b: Vec3) { a = a - b }

    /// Dot product.
    @inlinable public func dot(_ o: Vec3) -> Double { x * o.x + y * o.y + z * o.z }
    /// Cross product `self × o`.
    @inlinable public func cross(_ o: Vec3) -> Vec3 {
        Vec3(y * o.z - z * o.y, z * o.x - x * o.z, x * o.y - y * o.x)
    }
    /// Euclidean norm.
    @inlinable public var norm: Double { dot(self).squareRoot() }
    /// Unit vector in the same direction (the zero vector stays zero).
    @inlinable public var normalized: Vec3 { let n = norm; return n > 0 ? self / n : self }
    /// Component-wise product.
    @inlinable public func scaled(_ o: Vec3) -> Vec3 { Vec3(x * o.x, y * o.y, z * o.z) }
    /// True when every component is finite.
    @inlinable public var isFinite: Bool { x.isFinite && y.isFinite && z.isFinite }
    /// Largest absolute component.
    @inlinable public var maxAbs: Double { max(abs(x), abs(y), abs(z)) }
    public var array: [Double] { [x, y, z] }
    public var description: String { "(\(x), \(y), \(z))" }
}

/// A unit quaternion (w, x, y, z), MuJoCo's and ODE's component order.
public struct Quat: Hashable, Codable, Sendable {
    public var w: Double
    public var x: Double
    public var y: Double
    public var z: Double

    @inlinable public init(w: Double, x: Double, y: Double, z: Double) { self.w = w; self.x = x; self.y = y; self.z = z }
    public static let identity = Quat(w: 1, x: 0, y: 0, z: 0)

    /// Rotation of `angle` radians about `axis` (normalised here).
    public init(axis: Vec3, angle: Double) {
        let a = axis.normalized
        let s = sin(angle / 2)
        self.init(w: cos(angle / 2), x: a.x * s, y: a.y * s, z: a.z * s)
    }

    /// Hamilton product: the rotation `o` followed by `self`.
    @inlinable public static func * (q: Quat, o: Quat) -> Quat {
        Quat(w: q.w * o.w - q.x * o.x - q.y * o.y - q.z * o.z,
             x: q.w * o.x + q.x * o.w + q.y * o.z - q.z * o.y,
             y: q.w * o.y - q.x * o.z + q.y * o.w + q.z * o.x,
             z: q.w * o.z + q.x * o.y - q.y * o.x + q.z * o.w)
    }
    /// The inverse rotation (conjugate of a unit quaternion).
    @inlinable public var conjugate: Quat { Quat(w: w, x: -x, y: -y, z: -z) }
    @inlinable public var norm: Double { (w * w + x * x + y * y + z * z).squareRoot() }
    public var normalized: Quat { let n = norm; return n > 0 ? Quat(w: w / n, x: x / n, y: y / n, z: z / n) : .identity }

    /// Rotates a vector.
    @inlinable public func rotate(_ v: Vec3) -> Vec3 {
        let u = Vec3(x, y, z)
        let t = u.cross(v) * 2
        return v + t * w + u.cross(t)
    }

    /// Rotation matrix, row-major 3×3.
    public var matrix: [Double] {
        [1 - 2 * (y * y + z * z), 2 * (x * y - w * z), 2 * (x * z + w * y),
         2 * (x * y + w * z), 1 - 2 * (x * x + z * z), 2 * (y * z - w * x),
         2 * (x * z - w * y), 2 * (y * z + w * x), 1 - 2 * (x * x + y * y)]
    }

    /// The shortest rotation taking unit vector `from` to unit vector `to`.
    public static func between(_ from: Vec3, _ to: Vec3) -> Quat {
        let a = from.normalized, b = to.normalized
        let d = a.dot(b)
        if d > 1 - 1e-12 { return .identity }
        if d < -1 + 1e-12 {
            var ortho = Vec3(1, 0, 0).cross(a)
            if ortho.norm < 1e-6 { ortho = Vec3(0, 1, 0).cross(a) }
            return Quat(axis: ortho, angle: .pi)
        }
        let c = a.cross(b)
        return Quat(w: 1 + d, x: c.x, y: c.y, z: c.z).normalized
    }

    /// Intrinsic x-y-z Euler angles (radians), MuJoCo's default `eulerseq="xyz"`.
    public init(eulerXYZ e: Vec3) {
        self = Quat(axis: Vec3(1, 0, 0), angle: e.x) * Quat(axis: Vec3(0, 1, 0), angle: e.y) * Quat(axis: Vec3(0, 0, 1), angle: e.z)
    }

    /// Roll, pitch, yaw (extrinsic x-y-z, as `rotations.quat2euler` in Gymnasium-Robotics), radians.
    public var eulerAngles: Vec3 {
        let sinr = 2 * (w * x + y * z), cosr = 1 - 2 * (x * x + y * y)
        let sinp = max(-1, min(1, 2 * (w * y - z * x)))
        let siny = 2 * (w * z + x * y), cosy = 1 - 2 * (y * y + z * z)
        return Vec3(atan2(sinr, cosr), asin(sinp), atan2(siny, cosy))
    }
}

/// A rigid transform: rotation then translation.
public struct Transform: Hashable, Codable, Sendable {
    public var position: Vec3
    public var rotation: Quat
    public init(position: Vec3 = .zero, rotation: Quat = .identity) { self.position = position; self.rotation = rotation }
    public static let identity = Transform()
    /// Maps a point from this frame to the parent frame.
    @inlinable public func apply(_ p: Vec3) -> Vec3 { rotation.rotate(p) + position }
    /// Composition: `self` after `inner` (`inner` is expressed in `self`'s frame).
    public func composed(with inner: Transform) -> Transform {
        Transform(position: apply(inner.position), rotation: (rotation * inner.rotation).normalized)
    }
    /// The inverse transform.
    public var inverse: Transform {
        let r = rotation.conjugate
        return Transform(position: -(r.rotate(position)), rotation: r)
    }
}

