/// A vertex ready for rasterisation: sample-space position, inverse view depth and colour
/// (0...255 plus 0.5, so truncation rounds).
struct ScreenVertex {
    var x: Double
    var y: Double
    var invz: Double
    var r: Float
    var g: Float
    var b: Float
}

/// Receives the covered samples of one triangle, one horizontal span at a time.
protocol SpanWriter {
    /// Samples `x0...x1` of row `row` are covered. Interpolants are given at the first sample's
    /// centre with their per-sample increments.
    mutating func span(row: Int, x0: Int, x1: Int, invz: Float, dinvz: Float,
                       r: Float, g: Float, b: Float, dr: Float, dg: Float, db: Float)
    /// A new triangle of a mesh begins: its index in the mesh and, when its three vertex colours
    /// are equal, that colour packed.
    mutating func beginTriangle(index: Int, flat: Bool, flatColor: UInt32)
}

extension SpanWriter {
    mutating func beginTriangle(index: Int, flat: Bool, flatColor: UInt32) {}
}

/// Fixed-point subsample precision: 8 bits (1/256 sample).
let subpixelBits: Int64 = 8
let subpixelOne: Int64 = 1 << subpixelBits
/// Vertices must lie within this many samples outside the buffer (guard band); beyond it the
/// pipeline clips. Keeps every edge-function product well inside Int64.
let guardBand: Double = 32_768

@inline(__always) func floorDiv(_ n: Int64, _ d: Int64) -> Int64 {   // d > 0
    n >= 0 ? n / d : -((-n + d - 1) / d)
}
@inline(__always) func ceilDiv(_ n: Int64, _ d: Int64) -> Int64 { -floorDiv(-n, d) }

/// Scan-converts a triangle into `width × height` samples (sample centres at i + 0.5) with exact
/// integer edge functions on a 1/256 grid and a consistent tie rule, so triangles sharing an edge
/// neither overlap nor leave cracks. Either winding is accepted (culling happens earlier).
@inline(__always)
func rasterizeTriangle<W: SpanWriter>(_ v0: ScreenVertex, _ v1: ScreenVertex, _ v2: ScreenVertex,
                                      width: Int, height: Int, writer: inout W) {
    // The pipeline keeps vertices inside the guard band; refuse anything else (NaN included)
    // rather than trap in the fixed-point conversion.
    let lim = guardBand * 4 + Double(max(width, height))
    guard abs(v0.x) < lim, abs(v0.y) < lim, abs(v1.x) < lim, abs(v1.y) < lim, abs(v2.x) < lim, abs(v2.y) < lim else { return }
    let one = Double(subpixelOne)
    let ax = Int64((v0.x * one).rounded()), ay = Int64((v0.y * one).rounded())
    var bx = Int64((v1.x * one).rounded()), by = Int64((v1.y * one).rounded())
    var cx = Int64((v2.x * one).rounded()), cy = Int64((v2.y * one).rounded())
    var area2 = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
    if area2 == 0 { return }
    let va = v0
    var vb = v1, vc = v2
    if area2 < 0 {
        swap(&bx, &cx); swap(&by, &cy); swap(&vb, &vc)
        area2 = -area2
    }
    let half = subpixelOne / 2
    // Bounding box in sample indices (sample i is at i*256 + 128).
    let minX = min(ax, bx, cx), maxX = max(ax, bx, cx)
    let minY = min(ay, by, cy), maxY = max(ay, by, cy)
    let i0 = Int(max(0, ceilDiv(minX - half, subpixelOne)))
    let i1 = Int(min(Int64(width - 1), floorDiv(maxX - half, subpixelOne)))
    let j0 = Int(max(0, ceilDiv(minY - half, subpixelOne)))
    let j1 = Int(min(Int64(height - 1), floorDiv(maxY - half, subpixelOne)))
    if i0 > i1 || j0 > j1 { return }

    // Edge functions E(p) = (q − p0) × (p − p0) ≥ bias inside; step per sample in x is A, per row B.
    let px0 = Int64(i0) * subpixelOne + half, py0 = Int64(j0) * subpixelOne + half
    @inline(__always) func edge(_ x0: Int64, _ y0: Int64, _ x1: Int64, _ y1: Int64) -> (e: Int64, a: Int64, b: Int64, bias: Int64) {
        let dx = x1 - x0, dy = y1 - y0
        let e = dx * (py0 - y0) - dy * (px0 - x0)
        let inclusive = dy < 0 || (dy == 0 && dx > 0)
        return (e, -dy * subpixelOne, dx * subpixelOne, inclusive ? 0 : 1)
    }
    let E0 = edge(ax, ay, bx, by), E1 = edge(bx, by, cx, cy), E2 = edge(cx, cy, ax, ay)
    let (a0, b0, s0) = (E0.a, E0.b, E0.bias)
    let (a1, b1, s1) = (E1.a, E1.b, E1.bias)
    let (a2, b2, s2) = (E2.a, E2.b, E2.bias)
    var e0 = E0.e, e1 = E1.e, e2 = E2.e

    // Attribute planes from the snapped positions: value = v0 + ddx·(x − x0) + ddy·(y − y0).
    let fx0 = Double(ax) / one, fy0 = Double(ay) / one
    let dX1 = Double(bx - ax) / one, dY1 = Double(by - ay) / one
    let dX2 = Double(cx - ax) / one, dY2 = Double(cy - ay) / one
    let det = Double(area2) / (one * one)
    @inline(__always) func grad(_ q0: Double, _ q1: Double, _ q2: Double) -> (Double, Double) {
        let d1 = q1 - q0, d2 = q2 - q0
        return ((d1 * dY2 - d2 * dY1) / det, (dX1 * d2 - dX2 * d1) / det)
    }
    let (zx, zy) = grad(va.invz, vb.invz, vc.invz)
    let (rx, ry) = grad(Double(va.r), Double(vb.r), Double(vc.r))
    let (gx, gy) = grad(Double(va.g), Double(vb.g), Double(vc.g))
    let (bgx, bgy) = grad(Double(va.b), Double(vb.b), Double(vc.b))
    let maxK = Int64(i1 - i0)

    var j = j0
    while j <= j1 {
        // Span of k = i − i0 with e + a·k ≥ bias for all three edges.
        var lo: Int64 = 0, hi = maxK
        @inline(__always) func clampSpan(_ e: Int64, _ a: Int64, _ bias: Int64) {
            if a > 0 { lo = max(lo, ceilDiv(bias - e, a)) }
            else if a < 0 { hi = min(hi, floorDiv(e - bias, -a)) }
            else if e < bias { hi = -1 }
        }
        clampSpan(e0, a0, s0)
        clampSpan(e1, a1, s1)
        clampSpan(e2, a2, s2)
        if lo <= hi {
            let xs = i0 + Int(lo), xe = i0 + Int(hi)
            let ddx = Double(xs) + 0.5 - fx0, ddy = Double(j) + 0.5 - fy0
            writer.span(row: j, x0: xs, x1: xe,
                        invz: Float(va.invz + zx * ddx + zy * ddy), dinvz: Float(zx),
                        r: Float(Double(va.r) + rx * ddx + ry * ddy),
                        g: Float(Double(va.g) + gx * ddx + gy * ddy),
                        b: Float(Double(va.b) + bgx * ddx + bgy * ddy),
                        dr: Float(rx), dg: Float(gx), db: Float(bgx))
        }
        e0 += b0; e1 += b1; e2 += b2
        j += 1
    }
}

@inline(__always) func packColor(_ r: Float, _ g: Float, _ b: Float) -> UInt32 {
    let ri = UInt32(min(max(r, 0), 255)), gi = UInt32(min(max(g, 0), 255)), bi = UInt32(min(max(b, 0), 255))
    return ri | gi << 8 | bi << 16 | 0xFF00_0000
}

/// Opaque surfaces: depth test and write, colour (flat or Gouraud) and receiver id.
struct OpaqueWriter: SpanWriter {
    let color: UnsafeMutablePointer<UInt32>
    let depth: UnsafeMutablePointer<Float>
    let ids: UnsafeMutablePointer<UInt8>
    let stride: Int
    var flat: Bool = false
    var flatColor: UInt32 = 0
    var id: UInt8 = 0
    /// For a receiving box: the face (0...5) whose triangles (2f, 2f+1) get `receiverID`.
    var receiverFace = -1
    var receiverID: UInt8 = 0

    @inline(__always)
    mutating func beginTriangle(index: Int, flat: Bool, flatColor: UInt32) {
        self.flat = flat
        self.flatColor = flatColor
        id = index >> 1 == receiverFace ? receiverID : 0
    }

    @inline(__always)
    mutating func span(row: Int, x0: Int, x1: Int, invz: Float, dinvz: Float,
                       r: Float, g: Float, b: Float, dr: Float, dg: Float, db: Float) {
        let base = row &* stride
        var z = invz
        let id = self.id
        if flat {
            let c = flatColor
            var i = base &+ x0
            let end = base &+ x1
            while i <= end {
                if z > depth[i] { depth[i] = z; color[i] = c; ids[i] = id }
                z += dinvz
                i &+= 1
            }
        } else {
            var r = r, g = g, b = b
            var i = base &+ x0
            let end = base &+ x1
            while i <= end {
                if z > depth[i] {
                    depth[i] = z; color[i] = packColor(r, g, b); ids[i] = id
                }
                z += dinvz; r += dr; g += dg; b += db
                i &+= 1
            }
        }
    }
}

/// Darkens the samples whose visible surface is receiver `id` (once: the id gains its high bit).
struct ShadowWriter: SpanWriter {
    let color: UnsafeMutablePointer<UInt32>
    let ids: UnsafeMutablePointer<UInt8>
    let stride: Int
    var id: UInt8 = 0
    /// Light factor in 1/256 units.
    var factor: UInt32 = 256

    @inline(__always)
    mutating func span(row: Int, x0: Int, x1: Int, invz: Float, dinvz: Float,
                       r: Float, g: Float, b: Float, dr: Float, dg: Float, db: Float) {
        let base = row &* stride
        let id = self.id, k = factor
        var i = base &+ x0
        let end = base &+ x1
        while i <= end {
            if ids[i] == id {
                let c = color[i]
                let rb = ((c & 0x00FF_00FF) &* k) >> 8 & 0x00FF_00FF
                let g = ((c & 0x0000_FF00) &* k) >> 8 & 0x0000_FF00
                color[i] = rb | g | (c & 0xFF00_0000)
                ids[i] = id | 0x80
            }
            i &+= 1
        }
    }
}

/// Translucent surfaces: depth test without depth write, "over" blending with a constant alpha.
struct BlendWriter: SpanWriter {
    let color: UnsafeMutablePointer<UInt32>
    let depth: UnsafeMutablePointer<Float>
    let stride: Int
    var flat: Bool = false
    var flatColor: UInt32 = 0
    /// Source weight in 1/256 units (0...256).
    var alpha: UInt32 = 256

    @inline(__always)
    mutating func beginTriangle(index: Int, flat: Bool, flatColor: UInt32) {
        self.flat = flat
        self.flatColor = flatColor
    }

    @inline(__always) static func blend(_ s: UInt32, _ d: UInt32, _ a: UInt32) -> UInt32 {
        let ia = 256 &- a
        let rb = ((s & 0x00FF_00FF) &* a &+ (d & 0x00FF_00FF) &* ia) >> 8 & 0x00FF_00FF
        let ga = (((s >> 8) & 0x00FF_00FF) &* a &+ ((d >> 8) & 0x00FF_00FF) &* ia) & 0xFF00_FF00
        return rb | ga
    }

    @inline(__always)
    mutating func span(row: Int, x0: Int, x1: Int, invz: Float, dinvz: Float,
                       r: Float, g: Float, b: Float, dr: Float, dg: Float, db: Float) {
        let base = row &* stride
        var z = invz
        let a = alpha
        var r = r, g = g, b = b
        var i = base &+ x0
        let end = base &+ x1
        while i <= end {
            if z > depth[i] {
                let s = flat ? flatColor : packColor(r, g, b)
                color[i] = BlendWriter.blend(s, color[i], a)
            }
            z += dinvz; r += dr; g += dg; b += db
            i &+= 1
        }
    }
}
