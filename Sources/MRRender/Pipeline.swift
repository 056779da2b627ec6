import MRCore

/// The camera as the pipeline uses it: view basis (x right, y down, z forward) and the projection
/// into the supersampled buffer, sx = cx + F·x/z, sy = cy + F·y/z.
struct View {
    let right: Vec3, down: Vec3, fwd: Vec3, eye: Vec3
    /// Focal length in samples.
    let F: Double
    let cx: Double, cy: Double
    /// Sample-buffer size and supersampling factor.
    let sw: Int, sh: Int, s: Int

    init?(camera: Camera, width: Int, height: Int, supersampling s: Int) {
        guard let (r, d, f) = camera.basis() else { return nil }
        right = r; down = d; fwd = f; eye = camera.position
        self.s = s
        sw = width * s; sh = height * s
        F = camera.focalLength(height: height) * Double(s)
        cx = Double(sw) / 2; cy = Double(sh) / 2
    }

    /// A world direction in view coordinates.
    @inline(__always) func rot(_ v: Vec3) -> Vec3 { Vec3(v.dot(right), v.dot(down), v.dot(fwd)) }
    /// A world point in view coordinates.
    @inline(__always) func point(_ p: Vec3) -> Vec3 { rot(p - eye) }
}

/// Lambert plus ambient.
struct Shading {
    /// Unit vector towards the light, in view coordinates.
    let toLight: Vec3
    let ambient: Double
    let diffuse: Double
    @inline(__always) func level(_ n: Vec3) -> Double {
        ambient + diffuse * max(0, n.x * toLight.x + n.y * toLight.y + n.z * toLight.z)
    }
}

/// A vertex after the view transform: view position, projection (valid when `inside`), colour.
struct ViewVertex {
    var x: Double, y: Double, z: Double
    var sx: Double, sy: Double, invz: Double
    var r: Float, g: Float, b: Float
    /// In front of the near plane and inside the guard band.
    var inside: Bool

    @inline(__always) var screen: ScreenVertex { ScreenVertex(x: sx, y: sy, invz: invz, r: r, g: g, b: b) }
    @inline(__always) var clip: ClipVertex { ClipVertex(x: x, y: y, z: z, r: r, g: g, b: b) }
}

/// A view-space vertex during clipping.
struct ClipVertex {
    var x: Double, y: Double, z: Double
    var r: Float, g: Float, b: Float
    static let zero = ClipVertex(x: 0, y: 0, z: 0, r: 0, g: 0, b: 0)
}

/// A small convex polygon with inline storage (no allocation), clipped by half-spaces.
struct ClipPolygon {
    static let capacity = 12
    private var storage = InlineArray<12, ClipVertex>(repeating: .zero)
    private(set) var count = 0

    @inline(__always) subscript(i: Int) -> ClipVertex {
        get { storage[i] }
        set { storage[i] = newValue }
    }

    @inline(__always) mutating func append(_ v: ClipVertex) {
        if count < ClipPolygon.capacity { storage[count] = v; count += 1 }
    }

    /// Keeps the part where a·x + b·y + c·z + d ≥ 0 (Sutherland–Hodgman).
    mutating func clip(a: Double, b: Double, c: Double, d: Double) {
        guard count > 0 else { return }
        var out = ClipPolygon()
        for i in 0..<count {
            let p = storage[i], q = storage[i + 1 == count ? 0 : i + 1]
            let dp = a * p.x + b * p.y + c * p.z + d
            let dq = a * q.x + b * q.y + c * q.z + d
            if dp >= 0 { out.append(p) }
            if (dp >= 0) != (dq >= 0) {
                let t = dp / (dp - dq)
                let tf = Float(t)
                out.append(ClipVertex(x: p.x + (q.x - p.x) * t, y: p.y + (q.y - p.y) * t, z: p.z + (q.z - p.z) * t,
                                      r: p.r + (q.r - p.r) * tf, g: p.g + (q.g - p.g) * tf, b: p.b + (q.b - p.b) * tf))
            }
        }
        self = out
    }
}

/// A primitive's mesh after `place`: where its view vertices live and what it does for shadows.
struct PlacedMesh {
    let mesh: Mesh
    let start: Int
    let primitiveIndex: Int
    let castsShadow: Bool
    let boundingRadius: Double
    /// Centre in view coordinates.
    let centre: Vec3
}

/// A surface that receives planar shadows: its plane n·p = offset in view coordinates, the id it
/// writes to the sample buffer, and the factor that turns its lit colour into its shadowed one.
struct Receiver {
    let primitiveIndex: Int
    let id: UInt8
    let normal: Vec3
    let offset: Double
    /// For a box, the receiving face (template order +x, −x, +y, −y, +z, −z); −1 for planes.
    let boxFace: Int
    /// Light factor in 1/256 units.
    let factor: UInt32

    init?(primitive p: RenderPrimitive, index: Int, id: UInt8, view: View, light: DirectionalLight, toLight: Vec3) {
        guard p.lit else { return nil }
        let q = p.transform.rotation.normalized
        let centre = view.point(p.transform.position)
        switch p.shape {
        case .plane:
            normal = view.rot(q.rotate(Vec3(0, 0, 1)))
            offset = normal.dot(centre)
            boxFace = -1
        case let .box(e):
            guard p.color.a == 255 else { return nil }      // translucent boxes write no ids
            // The face turned most towards the light.
            let axes = [view.rot(q.rotate(Vec3(1, 0, 0))), view.rot(q.rotate(Vec3(0, 1, 0))), view.rot(q.rotate(Vec3(0, 0, 1)))]
            let half = [e.x, e.y, e.z]
            var best = (face: 0, dot: -Double.infinity, n: Vec3.zero, h: 0.0)
            for k in 0..<3 {
                for sign in [1.0, -1.0] {
                    let n = axes[k] * sign
                    let d = n.dot(toLight)
                    if d > best.dot {
                        best = (2 * k + (sign > 0 ? 0 : 1), d, n, n.dot(centre + n * half[k]))
                    }
                }
            }
            normal = best.n
            offset = best.h
            boxFace = best.face
        default:
            return nil
        }
        let nl = normal.dot(toLight)
        guard nl > 1e-6 else { return nil }                     // facing away: already unlit
        let lit = light.ambient + light.diffuse * nl
        let shadowed = light.ambient + light.diffuse * nl * (1 - min(max(light.shadowStrength, 0), 1))
        guard lit > 0 else { return nil }
        self.primitiveIndex = index
        self.id = id
        factor = UInt32(min(max(shadowed / lit, 0), 1) * 256 + 0.5)
    }
}

/// ⌊x⌋ for |x| < 2⁶² without a libm call.
@inline(__always) func fastFloor(_ x: Double) -> Double {
    let t = Double(Int64(x))
    return t > x ? t - 1 : t
}

/// Box-filtered checker square wave (after Quílez): the average of the ±1 wave (+1 on even
/// squares) over a window of width `w` squares centred on `p`.
@inline(__always) func filteredChecker(_ p: Double, _ w: Double) -> Double {
    @inline(__always) func fract(_ x: Double) -> Double { x - fastFloor(x) }
    let a = abs(fract((p - 0.5 * w) * 0.5) - 0.5)
    let b = abs(fract((p + 0.5 * w) * 0.5) - 0.5)
    return 2 * (a - b) / w
}
