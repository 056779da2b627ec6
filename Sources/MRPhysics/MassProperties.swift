import MRCore

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
