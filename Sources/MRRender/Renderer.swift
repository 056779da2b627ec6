import MRCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Quality settings of the rasteriser.
public struct RenderOptions: Hashable, Sendable {
    /// Supersampling factor per axis, 1...4: the frame is rasterised at `factor²` samples per pixel
    /// and box-filtered down (anti-aliasing of edges, shadows and texture). Default 2.
    public var supersampling: Int
    /// Draw planar shadows on the receivers. Default true.
    public var shadows: Bool
    /// Largest allowed deviation, in output pixels, of a round primitive's polygonal silhouette
    /// from the true outline; selects the tessellation level per primitive. Default 0.2.
    public var tessellationTolerance: Double

    /// Options; the defaults meet the 480×480 ≤ 10 ms target.
    public init(supersampling: Int = 2, shadows: Bool = true, tessellationTolerance: Double = 0.2) {
        self.supersampling = supersampling
        self.shadows = shadows
        self.tessellationTolerance = tessellationTolerance
    }
}

/// Counters of the last frame, for profiling.
public struct RenderStatistics: Hashable, Sendable {
    /// Triangles of tessellated primitives considered (opaque and translucent).
    public var triangles = 0
    /// Of those, triangles sent to the rasteriser after back-face culling (after clipping, a
    /// triangle may become several).
    public var trianglesRasterized = 0
    /// Projected shadow triangles rasterised.
    public var shadowTriangles = 0
    /// Samples in the frame (width × height × supersampling²).
    public var samples = 0
}

/// The software rasteriser. Keeps its sample buffers between frames, so reuse one instance;
/// it is not thread-safe (use one per thread).
///
/// Pipeline per frame: clear; planes drawn per sample by ray–plane intersection (exact infinite
/// or finite planes, filtered checker); primitives tessellated from cached unit meshes,
/// transformed to view space, back-face culled, clipped against the near plane and a guard
/// band, and scan-converted with Gouraud-shaded Lambert + ambient into a z-buffer; planar
/// projected shadows darken the receiver samples once; translucent primitives and markers are
/// blended far to near; the samples are box-filtered into the output image.
public final class Renderer {
    /// The options used for every frame.
    public let options: RenderOptions
    /// Counters of the last rendered frame.
    public private(set) var statistics = RenderStatistics()

    /// The largest sample count (width × height × supersampling²) of one frame.
    public static let maxSamples = 1 << 25
    /// Near clipping distance in metres.
    static let near = 1e-3

    private var capacity = 0
    private var color: UnsafeMutablePointer<UInt32>
    private var depth: UnsafeMutablePointer<Float>
    private var ids: UnsafeMutablePointer<UInt8>
    private var vertexCapacity = 0
    private var vertices: UnsafeMutablePointer<ViewVertex>
    private let library = MeshLibrary.shared

    /// A renderer with `options` (checked when rendering).
    public init(options: RenderOptions = RenderOptions()) {
        self.options = options
        color = .allocate(capacity: 1)
        depth = .allocate(capacity: 1)
        ids = .allocate(capacity: 1)
        vertices = .allocate(capacity: 1)
        capacity = 1
        vertexCapacity = 1
    }

    deinit {
        color.deallocate(); depth.deallocate(); ids.deallocate(); vertices.deallocate()
    }

    /// Renders `scene` into a new `width × height` image. Throws `RenderError.invalidSize` for a
    /// zero, negative or too large size, `.invalidScene` for a scene that fails `validate()`, and
    /// `.invalidArgument` for bad options.
    public func render(scene: RenderScene, width: Int, height: Int) throws -> Image {
        try checkSize(width: width, height: height)
        var image = Image(validatedWidth: width, height: height)
        try renderUnchecked(scene: scene, into: &image)
        return image
    }

    /// Renders `scene` into an existing image (its size is the frame size), reusing its storage.
    public func render(scene: RenderScene, into image: inout Image) throws {
        try checkSize(width: image.width, height: image.height)
        try renderUnchecked(scene: scene, into: &image)
    }

    private func checkSize(width: Int, height: Int) throws {
        try Image.validateSize(width: width, height: height)
        let s = options.supersampling
        guard (1...4).contains(s) else {
            throw RenderError.invalidArgument("supersampling must be 1...4, got \(s)")
        }
        guard options.tessellationTolerance.isFinite, options.tessellationTolerance > 0 else {
            throw RenderError.invalidArgument("tessellationTolerance must be positive and finite")
        }
        guard width * height * s * s <= Renderer.maxSamples else {
            throw RenderError.invalidSize(width: width, height: height,
                                          reason: "\(width)×\(height) at supersampling \(s) exceeds \(Renderer.maxSamples) samples")
        }
    }

    private func ensureCapacity(_ n: Int) {
        guard n > capacity else { return }
        color.deallocate(); depth.deallocate(); ids.deallocate()
        color = .allocate(capacity: n)
        depth = .allocate(capacity: n)
        ids = .allocate(capacity: n)
        capacity = n
    }

    private func ensureVertexCapacity(_ n: Int) {
        guard n > vertexCapacity else { return }
        let grown = max(n, vertexCapacity * 2)
        let fresh = UnsafeMutablePointer<ViewVertex>.allocate(capacity: grown)
        fresh.moveInitialize(from: vertices, count: vertexCapacity)
        vertices.deallocate()
        vertices = fresh
        vertexCapacity = grown
    }

    // MARK: - Frame

    private func renderUnchecked(scene: RenderScene, into image: inout Image) throws {
        try scene.validate()
        guard let view = View(camera: scene.camera, width: image.width, height: image.height,
                              supersampling: options.supersampling) else {
            throw RenderError.invalidScene("degenerate camera")
        }
        let n = view.sw * view.sh
        ensureCapacity(n)
        statistics = RenderStatistics()
        statistics.samples = n

        let lightDir = view.rot(scene.light.direction.normalized)
        let shading = Shading(toLight: -lightDir, ambient: scene.light.ambient, diffuse: scene.light.diffuse)

        // Clear.
        let bg = scene.background.packed
        color.update(repeating: bg, count: n)
        depth.update(repeating: 0, count: n)
        ids.update(repeating: 0, count: n)

        // Receivers get ids 1...127 (the high bit marks "already shadowed").
        var receivers: [Receiver] = []
        for (index, p) in scene.primitives.enumerated() where p.receivesShadow && options.shadows && receivers.count < 127 {
            if let r = Receiver(primitive: p, index: index, id: UInt8(receivers.count + 1), view: view, light: scene.light, toLight: -lightDir) {
                receivers.append(r)
            }
        }
        func receiverID(_ index: Int) -> Receiver? { receivers.first { $0.primitiveIndex == index } }

        // 1. Planes, per sample.
        for (index, p) in scene.primitives.enumerated() {
            guard case let .plane(hw, hh) = p.shape else { continue }
            drawPlane(p, halfWidth: hw, halfHeight: hh, id: receiverID(index)?.id ?? 0, view: view, shading: shading)
        }

        // 2. Opaque tessellated primitives; their view-space vertices stay in `vertices` for shadows.
        var placed: [PlacedMesh] = []
        var vertexCount = 0
        for (index, p) in scene.primitives.enumerated() where p.color.a == 255 {
            if case .plane = p.shape { continue }
            guard let pm = place(p, index: index, at: vertexCount, view: view, shading: shading) else { continue }
            vertexCount += pm.mesh.vertexCount
            placed.append(pm)
            var w = OpaqueWriter(color: color, depth: depth, ids: ids, stride: view.sw)
            if let rec = receiverID(index) {
                w.receiverFace = rec.boxFace
                w.receiverID = rec.id
            }
            drawTriangles(pm, view: view, writer: &w)
        }

        // 3. Planar projected shadows.
        if options.shadows {
            for r in receivers {
                var w = ShadowWriter(color: color, ids: ids, stride: view.sw, id: r.id, factor: r.factor)
                for pm in placed where pm.castsShadow && pm.primitiveIndex != r.primitiveIndex {
                    drawShadow(of: pm, on: r, toLight: -lightDir, view: view, writer: &w)
                }
            }
        }

        // 4. Translucent primitives and markers, far to near.
        var blended: [(primitive: RenderPrimitive, key: Double)] = []
        for p in scene.primitives where p.color.a < 255 {
            if case .plane = p.shape { continue }
            blended.append((p, view.point(p.transform.position).z))
        }
        for m in scene.markers {
            if case .plane = m.shape { continue }
            blended.append((m, view.point(m.transform.position).z))
        }
        blended.sort { $0.key > $1.key }
        for (p, _) in blended {
            guard let pm = place(p, index: -1, at: vertexCount, view: view, shading: shading) else { continue }
            var w = BlendWriter(color: color, depth: depth, stride: view.sw)
            w.alpha = (UInt32(p.color.a) * 256 + 127) / 255
            drawTriangles(pm, view: view, writer: &w)
        }

        resolve(into: &image, view: view)
    }

    // MARK: - Planes

    private func drawPlane(_ p: RenderPrimitive, halfWidth: Double, halfHeight: Double, id: UInt8, view: View, shading: Shading) {
        let q = p.transform.rotation.normalized
        let nrm = view.rot(q.rotate(Vec3(0, 0, 1)))
        let p0 = view.point(p.transform.position)
        let h = nrm.dot(p0)
        guard h < 0 else { return }                         // camera on the back side (or in the plane)
        let light = p.lit ? shading.level(nrm) : 1
        let c1 = p.checker?.color1 ?? p.color, c2 = p.checker?.color2 ?? p.color
        let col1 = (Float(Double(c1.r) * light), Float(Double(c1.g) * light), Float(Double(c1.b) * light))
        let col2 = (Float(Double(c2.r) * light), Float(Double(c2.g) * light), Float(Double(c2.b) * light))
        let flat1 = packColor(col1.0 + 0.5, col1.1 + 0.5, col1.2 + 0.5)
        let flat2 = packColor(col2.0 + 0.5, col2.1 + 0.5, col2.2 + 0.5)
        let mean = packColor((col1.0 + col2.0) / 2 + 0.5, (col1.1 + col2.1) / 2 + 0.5, (col1.2 + col2.2) / 2 + 0.5)
        let checker = p.checker != nil && c1 != c2
        let sq = p.checker?.squareSize ?? 1
        let eu = view.rot(q.rotate(Vec3(1, 0, 0))) / sq, ev = view.rot(q.rotate(Vec3(0, 1, 0))) / sq
        let u0 = eu.dot(p0), v0 = ev.dot(p0)
        let hu = halfWidth / sq, hv = halfHeight / sq

        // Per sample (px, py): ray d = ((px − cx)/F, (py − cy)/F, 1); 1/z = n·d / h (linear);
        // plane coordinate u = (eu·d)·z − eu·p0 (and v alike). Along a row u and v are ratios of
        // linear functions, monotone where 1/z > 0, so bounds become a sample interval per row.
        let F = view.F, cx = view.cx, cy = view.cy
        func linear(_ a: Vec3, _ scale: Double) -> (c: Double, x: Double, y: Double) {
            ((a.z - a.x * cx / F - a.y * cy / F) * scale, a.x / F * scale, a.y / F * scale)
        }
        let iz = linear(nrm, 1 / h), nu = linear(eu, 1), nv = linear(ev, 1)
        let minIz = 1e-6                                    // ignore hits beyond 1000 km
        let W = view.sw, H = view.sh
        let color = self.color, depth = self.depth, ids = self.ids
        // Adding 1.5·2⁵² rounds a double to an integer in its low mantissa bits (|x| < 2⁵¹).
        let magic = 6_755_399_441_055_744.0

        for j in 0..<H {
            let py = Double(j) + 0.5
            let izRow = iz.c + iz.y * py, nuRow = nu.c + nu.y * py, nvRow = nv.c + nv.y * py
            // Keep samples i with a + b·(i + 0.5) ≥ 0.
            var lo = 0, hi = W - 1
            @inline(__always) func keep(_ a: Double, _ b: Double) {
                if b > 0 { lo = max(lo, Int(min(Double(W), max(-1, (-a / b - 0.5).rounded(.up))))) }
                else if b < 0 { hi = min(hi, Int(max(-1, min(Double(W), (-a / b - 0.5).rounded(.down))))) }
                else if a < 0 { hi = -1 }
            }
            keep(izRow - minIz, iz.x)
            if hu.isFinite {                                // u0 − hu ≤ Nu/iz ≤ u0 + hu, with iz > 0
                keep(nuRow - (u0 - hu) * izRow, nu.x - (u0 - hu) * iz.x)
                keep((u0 + hu) * izRow - nuRow, (u0 + hu) * iz.x - nu.x)
            }
            if hv.isFinite {
                keep(nvRow - (v0 - hv) * izRow, nv.x - (v0 - hv) * iz.x)
                keep((v0 + hv) * izRow - nvRow, (v0 + hv) * iz.x - nv.x)
            }
            if lo > hi { continue }
            let base = j * W
            let x0 = Double(lo) + 0.5
            var zf = izRow + iz.x * x0, uf = nuRow + nu.x * x0, vf = nvRow + nv.x * x0
            let dz = iz.x, du = nu.x, dv = nv.x

            if !checker {
                let c = flat1
                var i = lo
                while i <= hi {
                    let idx = base &+ i, zs = Float(zf)
                    if zs > depth[idx] { depth[idx] = zs; color[idx] = c; ids[idx] = id }
                    zf += dz
                    i &+= 1
                }
                continue
            }

            // Texture footprint (squares per sample) and |u|, |v| at the row's ends (both are
            // monotone along the row) decide between point sampling and box filtering.
            @inline(__always) func probe(_ i: Int) -> (w: Double, m: Double) {
                let px = Double(i) + 0.5
                let rz = 1 / (izRow + iz.x * px)
                let a = (nuRow + nu.x * px) * rz, b = (nvRow + nv.x * px) * rz
                let w = max(abs(rz * (nu.x - a * iz.x)), abs(rz * (nu.y - a * iz.y)),
                            abs(rz * (nv.x - b * iz.x)), abs(rz * (nv.y - b * iz.y)))
                return (w, max(abs(a - u0), abs(b - v0)))
            }
            let pl = probe(lo), ph = probe(hi)
            if max(pl.w, ph.w) <= 0.2 && max(pl.m, ph.m) < 1e12 {
                // Point-sampled checker: parity of ⌊u⌋ + ⌊v⌋ = round(u − ½) + round(v − ½).
                let uo = u0 + 0.5, vo = v0 + 0.5
                var i = lo
                while i <= hi {
                    let idx = base &+ i, zs = Float(zf)
                    if zs > depth[idx] {
                        let rz = 1 / zf
                        let pu = (uf * rz - uo) + magic, pv = (vf * rz - vo) + magic
                        let odd = (pu.bitPattern &+ pv.bitPattern) & 1
                        depth[idx] = zs
                        color[idx] = odd == 0 ? flat1 : flat2
                        ids[idx] = id
                    }
                    zf += dz; uf += du; vf += dv
                    i &+= 1
                }
                continue
            }
            var i = lo
            while i <= hi {
                let idx = base &+ i, zs = Float(zf)
                if zs > depth[idx] {
                    let rz = 1 / zf
                    let a = uf * rz, b = vf * rz
                    let u = a - u0, v = b - v0
                    let wu = max(abs(rz * (du - a * dz)), abs(rz * (nu.y - a * iz.y))) + 1e-3
                    let wv = max(abs(rz * (dv - b * dz)), abs(rz * (nv.y - b * iz.y))) + 1e-3
                    var c = mean
                    if wu <= 2 && wv <= 2 && abs(u) < 1e12 && abs(v) < 1e12 {
                        let k = Float(filteredChecker(u, wu) * filteredChecker(v, wv))
                        let t = 0.5 - 0.5 * k                    // weight of colour 2
                        c = packColor(col1.0 + (col2.0 - col1.0) * t + 0.5,
                                      col1.1 + (col2.1 - col1.1) * t + 0.5,
                                      col1.2 + (col2.2 - col1.2) * t + 0.5)
                    }
                    depth[idx] = zs; color[idx] = c; ids[idx] = id
                }
                zf += dz; uf += du; vf += dv
                i &+= 1
            }
        }
    }

    // MARK: - Tessellated primitives

    /// Transforms a primitive's template mesh into view space (positions, projection, lit colours)
    /// at vertex slot `start`.
    private func place(_ p: RenderPrimitive, index: Int, at start: Int, view: View, shading: Shading) -> PlacedMesh? {
        let q = p.transform.rotation.normalized
        let c0 = view.rot(q.rotate(Vec3(1, 0, 0))), c1 = view.rot(q.rotate(Vec3(0, 1, 0))), c2 = view.rot(q.rotate(Vec3(0, 0, 1)))
        let t = view.point(p.transform.position)
        let tol = options.tessellationTolerance
        let dist = max(t.norm - p.shape.boundingRadius, Renderer.near)
        func lod(_ r: Double) -> Int { MeshLibrary.level(radiusPixels: view.F / Double(view.s) * r / dist, tolerance: tol) }
        let mesh: Mesh
        var scale = (1.0, 1.0, 1.0, 0.0)
        switch p.shape {
        case .plane: return nil
        case let .box(e): mesh = library.box; scale = (e.x, e.y, e.z, 0)
        case let .sphere(r): mesh = library.spheres[lod(r)]; scale = (r, r, r, 0)
        case let .capsule(r, l): mesh = library.capsules[lod(r)]; scale = (r, r, r, l)
        case let .cylinder(r, l): mesh = library.cylinders[lod(r)]; scale = (r, r, l, 0)
        }
        // Whole primitive behind the camera: nothing to draw or to shadow with.
        // (Shadows of objects behind the camera can still fall in view, so only cull for drawing.)
        ensureVertexCapacity(start + mesh.vertexCount)
        let out = vertices + start
        let F = view.F, cx = view.cx, cy = view.cy
        let gxLo = -guardBand, gxHi = Double(view.sw) + guardBand
        let gyLo = -guardBand, gyHi = Double(view.sh) + guardBand
        let albedo = (Double(p.color.r), Double(p.color.g), Double(p.color.b))
        let lit = p.lit
        mesh.positions.withUnsafeBufferPointer { pos in
            mesh.normals.withUnsafeBufferPointer { nor in
                for v in 0..<mesh.vertexCount {
                    let lx = scale.0 * pos[4 * v], ly = scale.1 * pos[4 * v + 1]
                    let lz = scale.2 * pos[4 * v + 2] + scale.3 * pos[4 * v + 3]
                    let x = c0.x * lx + c1.x * ly + c2.x * lz + t.x
                    let y = c0.y * lx + c1.y * ly + c2.y * lz + t.y
                    let z = c0.z * lx + c1.z * ly + c2.z * lz + t.z
                    var k = 1.0
                    if lit {
                        let nx = nor[3 * v], ny = nor[3 * v + 1], nz = nor[3 * v + 2]
                        let n = Vec3(c0.x * nx + c1.x * ny + c2.x * nz, c0.y * nx + c1.y * ny + c2.y * nz,
                                     c0.z * nx + c1.z * ny + c2.z * nz)
                        k = shading.level(n)
                    }
                    var vv = ViewVertex(x: x, y: y, z: z, sx: 0, sy: 0, invz: 0,
                                        r: Float(albedo.0 * k) + 0.5, g: Float(albedo.1 * k) + 0.5,
                                        b: Float(albedo.2 * k) + 0.5, inside: false)
                    if z >= Renderer.near {
                        let iz = 1 / z
                        vv.invz = iz
                        vv.sx = cx + F * x * iz
                        vv.sy = cy + F * y * iz
                        vv.inside = vv.sx >= gxLo && vv.sx <= gxHi && vv.sy >= gyLo && vv.sy <= gyHi
                    }
                    out[v] = vv
                }
            }
        }
        return PlacedMesh(mesh: mesh, start: start, primitiveIndex: index,
                          castsShadow: p.castsShadow && p.color.a == 255, boundingRadius: p.shape.boundingRadius, centre: t)
    }

    /// Culls and rasterises a placed mesh's triangles.
    private func drawTriangles<W: SpanWriter>(_ pm: PlacedMesh, view: View, writer: inout W) {
        let verts = vertices + pm.start
        let sw = view.sw, sh = view.sh
        var drawn = 0
        pm.mesh.indices.withUnsafeBufferPointer { idx in
            let triCount = idx.count / 3
            for tri in 0..<triCount {
                let a = verts[Int(idx[3 * tri])], b = verts[Int(idx[3 * tri + 1])], c = verts[Int(idx[3 * tri + 2])]
                // Back-face test in view space (the eye is the origin).
                let f = faceNormal(a, b, c)
                if f.x * a.x + f.y * a.y + f.z * a.z >= 0 { continue }
                let flat = a.r == b.r && a.r == c.r && a.g == b.g && a.g == c.g && a.b == b.b && a.b == c.b
                writer.beginTriangle(index: tri, flat: flat, flatColor: flat ? packColor(a.r, a.g, a.b) : 0)
                drawn += 1
                if a.inside && b.inside && c.inside {
                    rasterizeTriangle(a.screen, b.screen, c.screen, width: sw, height: sh, writer: &writer)
                } else {
                    clipAndRasterize(a.clip, b.clip, c.clip, view: view, writer: &writer)
                }
            }
        }
        statistics.triangles += pm.mesh.triangleCount
        statistics.trianglesRasterized += drawn
    }

    // MARK: - Shadows

    /// Projects the light-facing triangles of a caster along the light onto a receiver plane and
    /// rasterises them with the shadow writer. Parts below the plane are clipped away first.
    private func drawShadow(of pm: PlacedMesh, on r: Receiver, toLight: Vec3, view: View, writer: inout ShadowWriter) {
        let n = r.normal, h = r.offset
        // Entirely below the receiver plane: no shadow on it.
        if n.dot(pm.centre) - h < -pm.boundingRadius { return }
        let nl = n.dot(toLight)                             // > 0 for a receiver facing the light
        let verts = vertices + pm.start
        let sw = view.sw, sh = view.sh
        var count = 0
        pm.mesh.indices.withUnsafeBufferPointer { idx in
            let triCount = idx.count / 3
            for tri in 0..<triCount {
                let a = verts[Int(idx[3 * tri])], b = verts[Int(idx[3 * tri + 1])], c = verts[Int(idx[3 * tri + 2])]
                let f = faceNormal(a, b, c)
                // Only triangles facing the light: together they cover the caster's silhouette.
                if f.x * toLight.x + f.y * toLight.y + f.z * toLight.z <= 0 { continue }
                let ha = n.x * a.x + n.y * a.y + n.z * a.z - h
                let hb = n.x * b.x + n.y * b.y + n.z * b.z - h
                let hc = n.x * c.x + n.y * c.y + n.z * c.z - h
                if ha <= 0 && hb <= 0 && hc <= 0 { continue }
                var poly = ClipPolygon()
                poly.append(a.clip); poly.append(b.clip); poly.append(c.clip)
                if ha < 0 || hb < 0 || hc < 0 {
                    poly.clip(a: n.x, b: n.y, c: n.z, d: -h)
                }
                // Slide each vertex along the light onto the plane: p' = p − toLight · (n·p − h)/(n·toLight).
                for k in 0..<poly.count {
                    var v = poly[k]
                    let s = (n.x * v.x + n.y * v.y + n.z * v.z - h) / nl
                    v.x -= toLight.x * s; v.y -= toLight.y * s; v.z -= toLight.z * s
                    poly[k] = v
                }
                count += rasterizePolygon(&poly, view: view, width: sw, height: sh, writer: &writer)
            }
        }
        statistics.shadowTriangles += count
    }

    // MARK: - Clipping

    private func clipAndRasterize<W: SpanWriter>(_ a: ClipVertex, _ b: ClipVertex, _ c: ClipVertex, view: View, writer: inout W) {
        var poly = ClipPolygon()
        poly.append(a); poly.append(b); poly.append(c)
        _ = rasterizePolygon(&poly, view: view, width: view.sw, height: view.sh, writer: &writer)
    }

    /// Clips a convex view-space polygon against the near plane and the guard band, projects it
    /// and rasterises it as a fan. Returns the number of triangles drawn.
    private func rasterizePolygon<W: SpanWriter>(_ poly: inout ClipPolygon, view: View, width: Int, height: Int, writer: inout W) -> Int {
        let F = view.F, cx = view.cx, cy = view.cy
        let G = guardBand
        // Fast path: everything in front of the near plane and inside the guard band.
        var allInside = true
        for k in 0..<poly.count {
            let v = poly[k]
            if v.z < Renderer.near { allInside = false; break }
            let sx = cx + F * v.x / v.z, sy = cy + F * v.y / v.z
            if sx < -G || sx > Double(width) + G || sy < -G || sy > Double(height) + G { allInside = false; break }
        }
        if !allInside {
            poly.clip(a: 0, b: 0, c: 1, d: -Renderer.near)
            poly.clip(a: F, b: 0, c: cx + G, d: 0)
            poly.clip(a: -F, b: 0, c: Double(width) + G - cx, d: 0)
            poly.clip(a: 0, b: F, c: cy + G, d: 0)
            poly.clip(a: 0, b: -F, c: Double(height) + G - cy, d: 0)
        }
        guard poly.count >= 3 else { return 0 }
        var s = [ScreenVertex](repeating: ScreenVertex(x: 0, y: 0, invz: 0, r: 0, g: 0, b: 0), count: poly.count)
        for k in 0..<poly.count {
            let v = poly[k]
            let iz = 1 / max(v.z, Renderer.near)
            s[k] = ScreenVertex(x: cx + F * v.x * iz, y: cy + F * v.y * iz, invz: iz, r: v.r, g: v.g, b: v.b)
        }
        for k in 1..<(poly.count - 1) {
            rasterizeTriangle(s[0], s[k], s[k + 1], width: width, height: height, writer: &writer)
        }
        return poly.count - 2
    }

    // MARK: - Resolve

    /// Box-filters s×s samples into each output pixel: the four 8-bit channels are summed in
    /// 16-bit lanes of a 64-bit word, then divided by s² with a lane shift (s = 1, 2, 4) or an
    /// exact reciprocal multiply (s = 3: ⌊x·7282 / 2¹⁶⌋ = ⌊x / 9⌋ for every x ≤ 2299).
    private func resolve(into image: inout Image, view: View) {
        let s = view.s, W = image.width, H = image.height, sw = view.sw
        let color = self.color
        let n = UInt64(s * s)
        let half = (n / 2) * 0x0001_0001_0001_0001
        let shift: UInt64 = s == 1 ? 0 : s == 2 ? 2 : 4
        let laneMask: UInt64 = 0x0000_FFFF_0000_FFFF
        image.withUnsafeMutablePixels { px in
            guard let base = UnsafeMutableRawPointer(px.baseAddress) else { return }
            for y in 0..<H {
                var out = y * W * 4
                var col = (y * s) * sw
                for _ in 0..<W {
                    var acc: UInt64 = 0
                    var row = col
                    for _ in 0..<s {
                        for k in 0..<s {
                            let c = UInt64(color[row &+ k])
                            let t = (c | (c << 16)) & laneMask
                            acc &+= (t | (t << 8)) & 0x00FF_00FF_00FF_00FF
                        }
                        row &+= sw
                    }
                    acc &+= half
                    var p: UInt32
                    if s != 3 {
                        let q = (acc >> shift) & 0x00FF_00FF_00FF_00FF
                        let t = (q | (q >> 8)) & laneMask
                        p = UInt32(truncatingIfNeeded: t | (t >> 16))
                    } else {
                        let r = ((acc & 0xFFFF) &* 7282) >> 16, g = (((acc >> 16) & 0xFFFF) &* 7282) >> 16
                        let b = (((acc >> 32) & 0xFFFF) &* 7282) >> 16, a = ((acc >> 48) &* 7282) >> 16
                        p = UInt32(truncatingIfNeeded: r | g << 8 | b << 16 | a << 24)
                    }
                    base.storeBytes(of: p.littleEndian, toByteOffset: out, as: UInt32.self)
                    out &+= 4
                    col &+= s
                }
            }
        }
    }
}

/// The unnormalised normal (b − a) × (c − a) of a view-space triangle (counter-clockwise front).
@inline(__always) private func faceNormal(_ a: ViewVertex, _ b: ViewVertex, _ c: ViewVertex) -> (x: Double, y: Double, z: Double) {
    let ux = b.x - a.x, uy = b.y - a.y, uz = b.z - a.z
    let vx = c.x - a.x, vy = c.y - a.y, vz = c.z - a.z
    return (uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx)
}
