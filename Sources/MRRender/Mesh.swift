#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A unit template mesh of one primitive kind at one tessellation level.
///
/// A vertex's local position for a concrete primitive is `(sx·px, sy·py, sz·pz + L·offset)` with
/// per-kind scales: box (hx, hy, hz, 0), sphere (r, r, r, 0), cylinder (r, r, halfLength, 0),
/// capsule (r, r, r, halfLength) — the capsule's hemisphere vertices carry offset ±1. These
/// scalings leave the template normals exact (radial or axis-aligned), so one template serves
/// every size and meshes are never rebuilt per frame.
struct Mesh: Sendable {
    /// Template positions and capsule offsets, interleaved: px, py, pz, offset.
    let positions: [Double]
    /// Unit normals, interleaved: nx, ny, nz.
    let normals: [Double]
    /// Triangle vertex indices, counter-clockwise seen from outside.
    let indices: [Int32]
    var vertexCount: Int { positions.count / 4 }
    var triangleCount: Int { indices.count / 3 }
}

/// Builds template meshes, fixing every triangle's winding to face outwards.
struct MeshBuilder {
    var positions: [Double] = []
    var normals: [Double] = []
    var indices: [Int32] = []

    mutating func vertex(_ p: (Double, Double, Double), offset: Double = 0, normal n: (Double, Double, Double)) -> Int32 {
        positions += [p.0, p.1, p.2, offset]
        normals += [n.0, n.1, n.2]
        return Int32(normals.count / 3 - 1)
    }

    /// Adds a triangle, reversing it if its geometric normal disagrees with the vertex normals.
    mutating func triangle(_ a: Int32, _ b: Int32, _ c: Int32, capsuleLength L: Double = 1) {
        func pos(_ i: Int32) -> (Double, Double, Double) {
            let o = Int(i) * 4
            return (positions[o], positions[o + 1], positions[o + 2] + L * positions[o + 3])
        }
        let pa = pos(a), pb = pos(b), pc = pos(c)
        let u = (pb.0 - pa.0, pb.1 - pa.1, pb.2 - pa.2)
        let v = (pc.0 - pa.0, pc.1 - pa.1, pc.2 - pa.2)
        let n = (u.1 * v.2 - u.2 * v.1, u.2 * v.0 - u.0 * v.2, u.0 * v.1 - u.1 * v.0)
        let area2 = (n.0 * n.0 + n.1 * n.1 + n.2 * n.2).squareRoot()
        guard area2 > 1e-12 else { return }          // degenerate (pole fans collapse nothing here)
        var avg = (0.0, 0.0, 0.0)
        for i in [a, b, c] {
            let o = Int(i) * 3
            avg.0 += normals[o]; avg.1 += normals[o + 1]; avg.2 += normals[o + 2]
        }
        if n.0 * avg.0 + n.1 * avg.1 + n.2 * avg.2 < 0 { indices += [a, c, b] } else { indices += [a, b, c] }
    }

    var mesh: Mesh { Mesh(positions: positions, normals: normals, indices: indices) }

    /// The unit cube [-1, 1]³ with per-face vertices; face f owns triangles 2f and 2f+1, in the
    /// order +x, −x, +y, −y, +z, −z.
    static func box() -> Mesh {
        var m = MeshBuilder()
        let faces: [((Double, Double, Double), (Double, Double, Double), (Double, Double, Double))] = [
            ((1, 0, 0), (0, 1, 0), (0, 0, 1)), ((-1, 0, 0), (0, 0, 1), (0, 1, 0)),
            ((0, 1, 0), (0, 0, 1), (1, 0, 0)), ((0, -1, 0), (1, 0, 0), (0, 0, 1)),
            ((0, 0, 1), (1, 0, 0), (0, 1, 0)), ((0, 0, -1), (0, 1, 0), (1, 0, 0)),
        ]
        for (n, t1, t2) in faces {
            var ids: [Int32] = []
            for (s1, s2) in [(-1.0, -1.0), (1, -1), (1, 1), (-1, 1)] {
                let p = (n.0 + s1 * t1.0 + s2 * t2.0, n.1 + s1 * t1.1 + s2 * t2.1, n.2 + s1 * t1.2 + s2 * t2.2)
                ids.append(m.vertex(p, normal: n))
            }
            m.triangle(ids[0], ids[1], ids[2])
            m.triangle(ids[0], ids[2], ids[3])
        }
        return m.mesh
    }

    /// A surface of revolution about z from a list of rings (polar angle θ from +z, capsule
    /// offset), with single-vertex poles when the first/last θ is 0/π. Sphere: one offset-0 ring
    /// list; capsule: the upper hemisphere at offset +1 and the lower at −1, joined at the equator.
    static func lathe(segments n: Int, rings: [(theta: Double, offset: Double)]) -> Mesh {
        var m = MeshBuilder()
        var ringStarts: [Int32] = []
        var ringIsPole: [Bool] = []
        for (theta, off) in rings {
            let st = sin(theta), ct = cos(theta)
            if st < 1e-12 {
                ringStarts.append(m.vertex((0, 0, ct), offset: off, normal: (0, 0, ct)))
                ringIsPole.append(true)
            } else {
                var first: Int32 = 0
                for j in 0..<n {
                    let phi = 2 * Double.pi * Double(j) / Double(n)
                    let p = (st * cos(phi), st * sin(phi), ct)
                    let id = m.vertex(p, offset: off, normal: p)
                    if j == 0 { first = id }
                }
                ringStarts.append(first)
                ringIsPole.append(false)
            }
        }
        for k in 0..<(rings.count - 1) {
            let a = ringStarts[k], b = ringStarts[k + 1]
            for j in 0..<n {
                let j1 = Int32((j + 1) % n), j0 = Int32(j)
                switch (ringIsPole[k], ringIsPole[k + 1]) {
                case (true, false): m.triangle(a, b + j0, b + j1, capsuleLength: 0.5)
                case (false, true): m.triangle(a + j0, a + j1, b, capsuleLength: 0.5)
                case (false, false):
                    m.triangle(a + j0, a + j1, b + j1, capsuleLength: 0.5)
                    m.triangle(a + j0, b + j1, b + j0, capsuleLength: 0.5)
                case (true, true): break
                }
            }
        }
        return m.mesh
    }

    static func sphere(segments n: Int) -> Mesh {
        let m = max(2, n / 2)
        return lathe(segments: n, rings: (0...m).map { (Double.pi * Double($0) / Double(m), 0) })
    }

    static func capsule(segments n: Int) -> Mesh {
        let q = max(2, n / 4)
        var rings: [(theta: Double, offset: Double)] = (0...q).map { (Double.pi / 2 * Double($0) / Double(q), 1) }
        rings += (0...q).map { (Double.pi / 2 + Double.pi / 2 * Double($0) / Double(q), -1) }
        return lathe(segments: n, rings: rings)
    }

    /// The unit cylinder: radius 1, z in [−1, 1], with flat caps.
    static func cylinder(segments n: Int) -> Mesh {
        var m = MeshBuilder()
        var top: [Int32] = [], bottom: [Int32] = []
        for j in 0..<n {
            let phi = 2 * Double.pi * Double(j) / Double(n)
            let c = cos(phi), s = sin(phi)
            top.append(m.vertex((c, s, 1), normal: (c, s, 0)))
            bottom.append(m.vertex((c, s, -1), normal: (c, s, 0)))
        }
        for j in 0..<n {
            let k = (j + 1) % n
            m.triangle(bottom[j], bottom[k], top[k])
            m.triangle(bottom[j], top[k], top[j])
        }
        for (z, ring) in [(1.0, top), (-1.0, bottom)] {
            let centre = m.vertex((0, 0, z), normal: (0, 0, z))
            var capRing: [Int32] = []
            for j in 0..<n {
                let o = Int(ring[j]) * 4
                capRing.append(m.vertex((m.positions[o], m.positions[o + 1], z), normal: (0, 0, z)))
            }
            for j in 0..<n { m.triangle(centre, capRing[j], capRing[(j + 1) % n]) }
        }
        return m.mesh
    }
}

/// All template meshes, built once: one box and, for round shapes, one mesh per level of detail.
struct MeshLibrary: Sendable {
    /// Segment counts around the axis, coarse to fine.
    static let levels = [8, 12, 16, 24, 32, 48, 64, 96]
    let box: Mesh
    let spheres: [Mesh]
    let capsules: [Mesh]
    let cylinders: [Mesh]

    init() {
        box = MeshBuilder.box()
        spheres = MeshLibrary.levels.map { MeshBuilder.sphere(segments: $0) }
        capsules = MeshLibrary.levels.map { MeshBuilder.capsule(segments: $0) }
        cylinders = MeshLibrary.levels.map { MeshBuilder.cylinder(segments: $0) }
    }

    /// The shared library (immutable, built on first use).
    static let shared = MeshLibrary()

    /// Largest sagitta as a fraction of the radius: 1% keeps the silhouette area of small discs
    /// within about 1.2% of the true circle (a 24-gon covers 98.9% of its circle).
    static let relativeTolerance = 0.01

    /// The coarsest level whose polygonal silhouette deviates from a circle of `radiusPixels` by
    /// at most `tolerance` pixels and by at most 1% of the radius (the sagitta r·(1 − cos(π/n))).
    static func level(radiusPixels: Double, tolerance: Double) -> Int {
        let bound = min(tolerance, relativeTolerance * radiusPixels)
        for (i, n) in levels.enumerated() where radiusPixels * (1 - cos(Double.pi / Double(n))) <= bound {
            return i
        }
        return levels.count - 1
    }
}
