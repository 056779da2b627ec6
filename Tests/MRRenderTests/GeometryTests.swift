import Foundation
import MRCore
import Testing
@testable import MRRender

/// A white unlit object on black: pixel coverage is red / 255.
func silhouetteScene(_ p: RenderPrimitive, camera: Camera) -> RenderScene {
    var q = p
    q.color = .white
    q.lit = false
    q.castsShadow = false
    return RenderScene(primitives: [q], camera: camera, background: .black)
}

func coverage(_ img: Image, _ x: Int, _ y: Int) -> Double { Double(img[x, y].r) / 255 }

@Suite struct GeometryTests {
    /// Sphere on the optical axis at distance d: its image is a disc of radius f·r/√(d² − r²).
    @Test(arguments: [(0.5, 4.0, 2), (1.0, 3.0, 2), (0.2, 5.0, 2), (0.5, 4.0, 1), (0.5, 4.0, 4)])
    func sphereSilhouetteArea(radius r: Double, distance d: Double, supersampling s: Int) throws {
        let W = 200, H = 200
        let cam = Camera(position: Vec3(d, 0, 0), target: .zero, fovy: 45)
        let scene = silhouetteScene(RenderPrimitive(.sphere(radius: r), color: .white), camera: cam)
        let img = try Renderer(options: RenderOptions(supersampling: s)).render(scene: scene, width: W, height: H)
        var area = 0.0
        for y in 0..<H { for x in 0..<W { area += coverage(img, x, y) } }
        let f = cam.focalLength(height: H)
        let rho = f * r / (d * d - r * r).squareRoot()
        let expected = Double.pi * rho * rho
        let err = (area - expected) / expected
        print("sphere r=\(r) d=\(d) ss=\(s): disc radius \(TextFormat.fixed(rho, decimals: 2)) px, expected area \(TextFormat.fixed(expected, decimals: 1)) px², rendered \(TextFormat.fixed(area, decimals: 1)) px², error \(TextFormat.fixed(err * 100, decimals: 2)) %")
        #expect(abs(err) < 0.02)
        // Centred on the image centre: the coverage-weighted centroid is (W/2, H/2).
        var cx = 0.0, cy = 0.0
        for y in 0..<H { for x in 0..<W { let c = coverage(img, x, y); cx += c * (Double(x) + 0.5); cy += c * (Double(y) + 0.5) } }
        #expect(abs(cx / area - 100) < 0.1 && abs(cy / area - 100) < 0.1)
    }

    /// The silhouette of a rotated box reaches exactly as far as its projected corners.
    @Test(arguments: [1, 2, 4])
    func boxCornersWhereProjected(supersampling s: Int) throws {
        let W = 160, H = 120
        let cam = Camera(position: Vec3(2.0, 1.3, 1.4), target: Vec3(0, 0, 0.1), fovy: 40)
        let rot = Quat(axis: Vec3(0.3, -0.5, 1), angle: 0.7)
        let half = Vec3(0.35, 0.2, 0.15), centre = Vec3(0.1, -0.05, 0.2)
        let box = RenderPrimitive(.box(halfExtents: half), transform: Transform(position: centre, rotation: rot), color: .white)
        let img = try Renderer(options: RenderOptions(supersampling: s)).render(scene: silhouetteScene(box, camera: cam), width: W, height: H)
        var minX = Double.infinity, maxX = -Double.infinity, minY = Double.infinity, maxY = -Double.infinity
        for sx in [-1.0, 1.0] { for sy in [-1.0, 1.0] { for sz in [-1.0, 1.0] {
            let corner = centre + rot.rotate(Vec3(sx * half.x, sy * half.y, sz * half.z))
            let p = try #require(cam.project(corner, width: W, height: H))
            minX = min(minX, p.x); maxX = max(maxX, p.x); minY = min(minY, p.y); maxY = max(maxY, p.y)
        } } }
        // Extreme pixels with any coverage.
        var cols: [Int] = [], rows: [Int] = []
        for y in 0..<H { for x in 0..<W where img[x, y].r > 0 { cols.append(x); rows.append(y) } }
        let left = try #require(cols.min()), right = try #require(cols.max())
        let top = try #require(rows.min()), bottom = try #require(rows.max())
        print("box ss=\(s): projected x [\(TextFormat.fixed(minX, decimals: 2)), \(TextFormat.fixed(maxX, decimals: 2))] y [\(TextFormat.fixed(minY, decimals: 2)), \(TextFormat.fixed(maxY, decimals: 2))]; rendered pixels x [\(left), \(right)] y [\(top), \(bottom)]")
        #expect(abs(left - Int(minX.rounded(.down))) <= 1)
        #expect(abs(right - Int(maxX.rounded(.down))) <= 1)
        #expect(abs(top - Int(minY.rounded(.down))) <= 1)
        #expect(abs(bottom - Int(maxY.rounded(.down))) <= 1)
        // Each projected corner inside the image lies on or next to covered pixels.
        for sx in [-1.0, 1.0] { for sy in [-1.0, 1.0] { for sz in [-1.0, 1.0] {
            let corner = centre + rot.rotate(Vec3(sx * half.x, sy * half.y, sz * half.z))
            let p = try #require(cam.project(corner, width: W, height: H))
            let px = Int(p.x.rounded(.down)), py = Int(p.y.rounded(.down))
            var near = 0.0
            for y in (py - 1)...(py + 1) { for x in (px - 1)...(px + 1) where img.contains(x: x, y: y) { near = max(near, coverage(img, x, y)) } }
            #expect(near > 0.2, "corner at (\(p.x), \(p.y)) has no coverage nearby")
        } } }
    }

    /// No cracks between triangles: inside a sphere's silhouette every pixel is fully covered.
    @Test func meshesAreWatertight() throws {
        let cam = Camera(position: Vec3(0.3, -3, 1.1), target: .zero, fovy: 45)
        for shape in [Shape.sphere(radius: 0.6), .capsule(radius: 0.3, halfLength: 0.4), .cylinder(radius: 0.4, halfLength: 0.3),
                      .box(halfExtents: Vec3(0.4, 0.3, 0.5))] {
            let p = RenderPrimitive(shape, transform: Transform(rotation: Quat(axis: Vec3(1, 1, 0), angle: 0.4)), color: .white)
            let img = try Renderer(options: RenderOptions(supersampling: 1)).render(scene: silhouetteScene(p, camera: cam), width: 120, height: 120)
            var partial = 0
            for y in 1..<119 { for x in 1..<119 {
                // A pixel whose 8 neighbours are all covered must be covered itself.
                var all = true
                for (dx, dy) in [(-1, -1), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)] where img[x + dx, y + dy].r != 255 { all = false }
                if all && img[x, y].r != 255 { partial += 1 }
            } }
            #expect(partial == 0, "\(shape): \(partial) holes")
        }
    }

    @Test func cameraProjectsTargetToCentre() throws {
        let cam = Camera(position: Vec3(1, 2, 3), target: Vec3(-0.5, 0.2, 0.4), fovy: 60)
        let p = try #require(cam.project(cam.target, width: 321, height: 200))
        #expect(abs(p.x - 160.5) < 1e-9 && abs(p.y - 100) < 1e-9)
        // A point above the target (world +z) appears higher in the image (smaller y).
        let up = try #require(cam.project(cam.target + Vec3(0, 0, 0.1), width: 321, height: 200))
        #expect(up.y < p.y)
        #expect(cam.project(cam.position - (cam.target - cam.position), width: 10, height: 10) == nil)
        #expect(abs(cam.focalLength(height: 200) - 100 / tan(Double.pi / 6)) < 1e-9)
    }

    @Test func depthOrderIsIndependentOfDrawOrder() throws {
        let cam = Camera(position: Vec3(3, 0, 0.5), target: .zero)
        let nearBox = RenderPrimitive(.box(halfExtents: Vec3(0.2, 0.2, 0.2)), transform: Transform(position: Vec3(0.5, 0, 0)), color: RGBA(255, 0, 0))
        let farBox = RenderPrimitive(.box(halfExtents: Vec3(0.3, 0.6, 0.4)), transform: Transform(position: Vec3(-0.5, 0, 0)), color: RGBA(0, 0, 255))
        let r = Renderer()
        let a = try r.render(scene: RenderScene(primitives: [nearBox, farBox], camera: cam), width: 64, height: 64)
        let b = try r.render(scene: RenderScene(primitives: [farBox, nearBox], camera: cam), width: 64, height: 64)
        #expect(a == b)
        let centre = a[32, 33]
        #expect(centre.r >= 85 && centre.g == 0 && centre.b == 0)   // the near red box (in shade: 255 × 0.35) hides the blue one
    }

    /// Shadow of a floating box on a plain floor: darkened by exactly the light model's factor.
    @Test func shadowDarkensFloorByLightModel() throws {
        let light = DirectionalLight(direction: Vec3(1, 0, -1), ambient: 0.3, diffuse: 0.6, shadowStrength: 0.8)
        let cam = Camera(position: Vec3(0, -3, 3), target: Vec3(0.25, 0, 0), fovy: 45)
        let floorColor = RGBA(200, 180, 160)
        let scene = RenderScene(primitives: [
            .floor(checker: nil, color: floorColor),
            RenderPrimitive(.box(halfExtents: Vec3(0.15, 0.15, 0.15)), transform: Transform(position: Vec3(0, 0, 0.6)), color: .white),
        ], camera: cam, light: light)
        let img = try Renderer().render(scene: scene, width: 128, height: 128)
        let nl = 1 / 2.0.squareRoot()
        let lit = 0.3 + 0.6 * nl, shadowed = 0.3 + 0.6 * nl * 0.2
        let inShadow = try #require(cam.project(Vec3(0.6, 0, 0), width: 128, height: 128))   // light slides 0.6 m in x
        let outside = try #require(cam.project(Vec3(-0.7, 0.3, 0), width: 128, height: 128))
        let s = img[Int(inShadow.x), Int(inShadow.y)], o = img[Int(outside.x), Int(outside.y)]
        #expect(abs(Int(o.r) - Int((200 * lit).rounded())) <= 1)
        #expect(abs(Int(s.r) - Int((200 * shadowed).rounded())) <= 2)
        #expect(abs(Int(s.g) - Int((180 * shadowed).rounded())) <= 2)
        // Without shadows the same pixel is lit.
        let plain = try Renderer(options: RenderOptions(shadows: false)).render(scene: scene, width: 128, height: 128)
        #expect(plain[Int(inShadow.x), Int(inShadow.y)] == o)
    }

    /// A table top receives the shadow of an object on it; the table does not shadow itself and
    /// objects below the top do not shadow it.
    @Test func tableTopReceivesShadow() throws {
        let light = DirectionalLight(direction: Vec3(0, 0, -1), ambient: 0.4, diffuse: 0.6, shadowStrength: 1)
        let cam = Camera(position: Vec3(0, -2.5, 2.5), target: Vec3(0, 0, 0.5))
        let table = RenderPrimitive(.box(halfExtents: Vec3(0.6, 0.6, 0.25)), transform: Transform(position: Vec3(0, 0, 0.25)),
                                    color: RGBA(150, 150, 150), receivesShadow: true)
        let ball = RenderPrimitive(.sphere(radius: 0.1), transform: Transform(position: Vec3(0.3, 0.2, 0.8)), color: .white)
        let img = try Renderer().render(scene: RenderScene(primitives: [table, ball], camera: cam, light: light), width: 128, height: 128)
        let under = try #require(cam.project(Vec3(0.3, 0.2, 0.5), width: 128, height: 128))
        let clear = try #require(cam.project(Vec3(-0.3, 0.2, 0.5), width: 128, height: 128))
        #expect(img[Int(clear.x), Int(clear.y)].r == 150)                      // 150 × (0.4 + 0.6)
        #expect(abs(Int(img[Int(under.x), Int(under.y)].r) - 60) <= 1)          // 150 × 0.4 (ambient only)
    }

    @Test func markersBlendAndRespectDepth() throws {
        let cam = Camera(position: Vec3(3, 0, 0), target: .zero)
        let marker = RenderPrimitive.markerSphere(at: .zero, radius: 0.3, color: RGBA(255, 0, 0, 128))
        let img = try Renderer().render(scene: RenderScene(primitives: [], markers: [marker], camera: cam, background: RGBA(0, 0, 200)), width: 64, height: 64)
        let c = img[32, 32]
        #expect(abs(Int(c.r) - 128) <= 1 && abs(Int(c.b) - 100) <= 1 && c.a == 255)
        // Behind an opaque box the marker is hidden.
        let wall = RenderPrimitive(.box(halfExtents: Vec3(0.05, 1, 1)), transform: Transform(position: Vec3(1, 0, 0)), color: RGBA(0, 255, 0), lit: false)
        let hidden = try Renderer().render(scene: RenderScene(primitives: [wall], markers: [marker], camera: cam), width: 64, height: 64)
        #expect(hidden[32, 32] == RGBA(0, 255, 0))
    }

    @Test func finitePlaneAndCheckerAlignment() throws {
        // Looking straight down at a 1 m × 0.5 m plane with 0.25 m squares.
        let cam = Camera(position: Vec3(0, 0, 2), target: .zero, up: Vec3(0, 1, 0), fovy: 60)
        let plane = RenderPrimitive(.plane(halfWidth: 0.5, halfHeight: 0.25), color: .white,
                                    checker: Checker(RGBA(255, 255, 255), RGBA(0, 0, 0), squareSize: 0.25), lit: false)
        let img = try Renderer().render(scene: RenderScene(primitives: [plane], camera: cam, background: RGBA(0, 0, 255)), width: 100, height: 100)
        func at(_ x: Double, _ y: Double) throws -> RGBA {
            let p = try #require(cam.project(Vec3(x, y, 0), width: 100, height: 100))
            return img[Int(p.x), Int(p.y)]
        }
        #expect(try at(0.125, 0.125) == .white)        // square [0, 0.25)² is colour 1
        #expect(try at(0.375, 0.125) == .black)
        #expect(try at(-0.125, 0.125) == .black)
        #expect(try at(-0.125, -0.125) == .white)
        #expect(try at(0.7, 0) == RGBA(0, 0, 255))     // beyond the half width
        #expect(try at(0, 0.4) == RGBA(0, 0, 255))     // beyond the half height
        // Seen from below, a plane is invisible.
        let below = Camera(position: Vec3(0, 0, -2), target: .zero, up: Vec3(0, 1, 0))
        let back = try Renderer().render(scene: RenderScene(primitives: [plane], camera: below, background: .black), width: 32, height: 32)
        #expect(back.pixels.allSatisfy { $0 == 0 || $0 == 255 } && back[16, 16] == .black)
    }

    @Test func clipsGeometryBehindTheCameraAndFarOutside() throws {
        // A capsule running from behind the camera to the front, and a huge box below the eye.
        let cam = Camera(position: .zero, target: Vec3(1, 0, 0))
        let rod = RenderPrimitive.capsule(from: Vec3(-2, 0, -0.3), to: Vec3(4, 0, -0.3), radius: 0.05, color: RGBA(255, 0, 0))
        let ground = RenderPrimitive(.box(halfExtents: Vec3(10_000, 10_000, 1)), transform: Transform(position: Vec3(0, 0, -2)), color: RGBA(0, 200, 0))
        let img = try Renderer().render(scene: RenderScene(primitives: [rod, ground], camera: cam, background: .black), width: 96, height: 96)
        // The lower half is ground (green), the upper half sky; the rod is visible at the bottom centre.
        #expect(img[10, 90].g > 50 && img[10, 5] == .black)
        var red = 0
        for y in 48..<96 { for x in 40..<56 where img[x, y].r > 100 && img[x, y].g < 50 { red += 1 } }
        #expect(red > 20)
    }

    @Test func validatesScenesAndSizes() throws {
        let r = Renderer()
        let cam = Camera(position: Vec3(2, 0, 0), target: .zero)
        let ok = RenderScene(primitives: [RenderPrimitive(.sphere(radius: 0.3), color: .white)], camera: cam)
        for (w, h) in [(0, 10), (10, -1), (100_000, 100), (100, 100_000)] {
            #expect(throws: RenderError.self) { try r.render(scene: ok, width: w, height: h) }
        }
        #expect(throws: RenderError.self) { try r.render(scene: ok, width: 8000, height: 8000) }   // > maxSamples at 2×2
        var bad = ok
        bad.primitives[0].shape = .sphere(radius: -1)
        #expect(throws: RenderError.self) { try r.render(scene: bad, width: 8, height: 8) }
        bad = ok
        bad.primitives[0].transform.position = Vec3(.nan, 0, 0)
        #expect(throws: RenderError.self) { try r.render(scene: bad, width: 8, height: 8) }
        bad = ok
        bad.primitives[0].transform.position = Vec3(1e300, 0, 0)
        #expect(throws: RenderError.self) { try r.render(scene: bad, width: 8, height: 8) }
        bad = ok
        bad.primitives[0].shape = .capsule(radius: 0.1, halfLength: 1e12)
        #expect(throws: RenderError.self) { try r.render(scene: bad, width: 8, height: 8) }
        bad = ok
        bad.camera = Camera(position: .zero, target: .zero)
        #expect(throws: RenderError.self) { try r.render(scene: bad, width: 8, height: 8) }
        bad.camera = Camera(position: Vec3(0, 0, 2), target: .zero, up: Vec3(0, 0, 1))   // up ∥ view direction
        #expect(throws: RenderError.self) { try r.render(scene: bad, width: 8, height: 8) }
        bad.camera = Camera(position: Vec3(2, 0, 0), target: .zero, fovy: 180)
        #expect(throws: RenderError.self) { try r.render(scene: bad, width: 8, height: 8) }
        #expect(throws: RenderError.self) { try Renderer(options: RenderOptions(supersampling: 5)).render(scene: ok, width: 8, height: 8) }
        #expect(throws: RenderError.self) { try Renderer(options: RenderOptions(tessellationTolerance: 0)).render(scene: ok, width: 8, height: 8) }
        // render(into:) reuses the image and gives the same pixels.
        var img = try Image(width: 40, height: 30)
        try r.render(scene: ok, into: &img)
        #expect(img == (try r.render(scene: ok, width: 40, height: 30)))
    }
}
