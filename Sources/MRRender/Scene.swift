import MRCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A checker texture for planes: squares of `squareSize` metres alternating between two colours,
/// aligned with the plane's local x and y axes and centred on its origin.
public struct Checker: Hashable, Sendable {
    /// Colour of the square at the plane's origin (the +x,+y quadrant's first square).
    public var color1: RGBA
    /// The other colour.
    public var color2: RGBA
    /// Side of one square in metres (> 0).
    public var squareSize: Double

    /// A checker of two colours and a square size in metres.
    public init(_ color1: RGBA, _ color2: RGBA, squareSize: Double) {
        self.color1 = color1; self.color2 = color2; self.squareSize = squareSize
    }
}

/// The geometric primitives of a scene, in their local frame (MuJoCo's geom conventions).
public enum Shape: Hashable, Sendable {
    /// A plane through the local origin with normal local +z, seen from the +z side only.
    /// `halfWidth` (along local x) and `halfHeight` (along local y) bound it; `.infinity` makes it
    /// unbounded in that direction (MuJoCo's size 0).
    case plane(halfWidth: Double, halfHeight: Double)
    /// An axis-aligned box with half-extents along local x, y, z.
    case box(halfExtents: Vec3)
    /// A sphere of `radius`.
    case sphere(radius: Double)
    /// A capsule: a cylinder of `radius` from z = −halfLength to +halfLength, capped by hemispheres.
    case capsule(radius: Double, halfLength: Double)
    /// A closed cylinder of `radius` from z = −halfLength to +halfLength.
    case cylinder(radius: Double, halfLength: Double)

    /// An unbounded plane.
    public static let infinitePlane = Shape.plane(halfWidth: .infinity, halfHeight: .infinity)

    /// Radius of a sphere centred on the local origin enclosing the shape (infinite for unbounded planes).
    public var boundingRadius: Double {
        switch self {
        case let .plane(w, h): return (w * w + h * h).squareRoot()
        case let .box(e): return e.norm
        case let .sphere(r): return r
        case let .capsule(r, l): return r + l
        case let .cylinder(r, l): return (r * r + l * l).squareRoot()
        }
    }

    func validate() -> String? {
        func ok(_ v: Double) -> Bool { v.isFinite && v > 0 }
        switch self {
        case let .plane(w, h):
            return (w > 0 && h > 0 && !w.isNaN && !h.isNaN) ? nil : "plane half sizes must be positive (or .infinity)"
        case let .box(e):
            return ok(e.x) && ok(e.y) && ok(e.z) ? nil : "box half-extents must be positive and finite"
        case let .sphere(r):
            return ok(r) ? nil : "sphere radius must be positive and finite"
        case let .capsule(r, l), let .cylinder(r, l):
            return ok(r) && l.isFinite && l >= 0 ? nil : "radius must be positive and half-length non-negative"
        }
    }
}

/// One drawable object: a shape, its pose in the world, its colour and its shadow flags.
public struct RenderPrimitive: Hashable, Sendable {
    /// The shape in its local frame.
    public var shape: Shape
    /// Pose of the local frame in the world (z up, metres).
    public var transform: Transform
    /// Base colour. An alpha below 255 draws the primitive translucent (after opaque geometry,
    /// far to near, without writing depth). Planes are always opaque.
    public var color: RGBA
    /// Optional checker texture; used by planes only (other shapes use `color`).
    public var checker: Checker?
    /// Whether the primitive casts a shadow on the receivers (opaque non-plane shapes only).
    public var castsShadow: Bool
    /// Whether shadows fall on it: a plane receives on its surface, a box on the face turned most
    /// towards the light (a table top). Other shapes ignore this flag.
    public var receivesShadow: Bool
    /// Lit by the directional light (Lambert plus ambient); when false the colour is drawn as is.
    public var lit: Bool

    /// A primitive. Defaults: identity pose, casts a shadow, receives none, lit.
    public init(_ shape: Shape, transform: Transform = .identity, color: RGBA, checker: Checker? = nil,
                castsShadow: Bool = true, receivesShadow: Bool = false, lit: Bool = true) {
        self.shape = shape
        self.transform = transform
        self.color = color
        self.checker = checker
        self.castsShadow = castsShadow
        self.receivesShadow = receivesShadow
        self.lit = lit
    }

    /// A z-up floor plane at height `z` that receives shadows; infinite unless half sizes are given.
    public static func floor(z: Double = 0, checker: Checker?, color: RGBA = RGBA(110, 120, 130),
                             halfWidth: Double = .infinity, halfHeight: Double = .infinity) -> RenderPrimitive {
        RenderPrimitive(.plane(halfWidth: halfWidth, halfHeight: halfHeight),
                        transform: Transform(position: Vec3(0, 0, z)), color: checker?.color1 ?? color,
                        checker: checker, castsShadow: false, receivesShadow: true)
    }

    /// A capsule whose axis runs from `a` to `b` (MuJoCo's `fromto`).
    public static func capsule(from a: Vec3, to b: Vec3, radius: Double, color: RGBA) -> RenderPrimitive {
        let (t, half) = axisTransform(from: a, to: b)
        return RenderPrimitive(.capsule(radius: radius, halfLength: half), transform: t, color: color)
    }

    /// A cylinder whose axis runs from `a` to `b` (MuJoCo's `fromto`).
    public static func cylinder(from a: Vec3, to b: Vec3, radius: Double, color: RGBA) -> RenderPrimitive {
        let (t, half) = axisTransform(from: a, to: b)
        return RenderPrimitive(.cylinder(radius: radius, halfLength: half), transform: t, color: color)
    }

    /// A goal-style marker: a sphere drawn unlit, without shadows, with the colour's alpha
    /// (put it in `RenderScene.markers`).
    public static func markerSphere(at p: Vec3, radius: Double, color: RGBA) -> RenderPrimitive {
        RenderPrimitive(.sphere(radius: radius), transform: Transform(position: p), color: color,
                        castsShadow: false, receivesShadow: false, lit: false)
    }

    static func axisTransform(from a: Vec3, to b: Vec3) -> (Transform, Double) {
        let d = b - a
        let len = d.norm
        let rot = len > 0 ? Quat.between(Vec3(0, 0, 1), d / len) : .identity
        return (Transform(position: (a + b) * 0.5, rotation: rot), len / 2)
    }
}

/// A perspective camera in MuJoCo's convention: a position, a point it looks at, an up hint and a
/// vertical field of view in degrees. Image x runs right and y down; the optical axis passes
/// through the image centre (width/2, height/2) in pixel units, where pixel (i, j) covers
/// [i, i+1) × [j, j+1).
public struct Camera: Hashable, Sendable {
    /// Eye position (world, metres).
    public var position: Vec3
    /// The point on the optical axis.
    public var target: Vec3
    /// The up hint; the image's up is its component orthogonal to the viewing direction.
    public var up: Vec3
    /// Vertical field of view in degrees, 0 < fovy < 180 (MuJoCo's `fovy`, default 45).
    public var fovy: Double

    /// A camera looking from `position` at `target`.
    public init(position: Vec3, target: Vec3, up: Vec3 = Vec3(0, 0, 1), fovy: Double = 45) {
        self.position = position; self.target = target; self.up = up; self.fovy = fovy
    }

    /// Focal length in pixels for an image `height` pixels tall: (height/2) / tan(fovy/2).
    public func focalLength(height: Int) -> Double {
        Double(height) / 2 / tan(fovy * Double.pi / 360)
    }

    /// The camera's orthonormal basis: right, down (image y) and forward, or nil when degenerate.
    func basis() -> (right: Vec3, down: Vec3, forward: Vec3)? {
        let f = (target - position)
        guard f.isFinite, up.isFinite, position.isFinite, f.norm > 1e-12 else { return nil }
        let fwd = f.normalized
        let r = fwd.cross(up)
        guard r.norm > 1e-9 * max(1, up.norm) else { return nil }
        let right = r.normalized
        let down = fwd.cross(right)
        return (right, down, fwd)
    }

    /// Why the camera cannot be used, or nil when it can.
    func validate() -> String? {
        guard fovy.isFinite, fovy > 0, fovy < 180 else { return "camera fovy must be in (0, 180) degrees, got \(fovy)" }
        guard basis() != nil else {
            return "camera position, target and up must be finite, position ≠ target, and up not parallel to the view direction"
        }
        return nil
    }

    /// Projects a world point into a `width × height` image: pixel coordinates (x right, y down,
    /// continuous: the centre of pixel (i, j) is (i + 0.5, j + 0.5)) and the depth along the
    /// optical axis. Nil when the point is behind the camera or the camera is degenerate.
    public func project(_ p: Vec3, width: Int, height: Int) -> (x: Double, y: Double, depth: Double)? {
        guard let (right, down, fwd) = basis() else { return nil }
        let d = p - position
        let z = d.dot(fwd)
        guard z > 1e-12 else { return nil }
        let f = focalLength(height: height)
        return (Double(width) / 2 + f * d.dot(right) / z, Double(height) / 2 + f * d.dot(down) / z, z)
    }
}

/// A directional light with ambient term and shadow strength.
public struct DirectionalLight: Hashable, Sendable {
    /// The direction the light travels (from the light into the scene), e.g. (0.3, 0.4, −1).
    public var direction: Vec3
    /// Ambient level in [0, 1]: lit colour = base × (ambient + diffuse × max(0, n·(−direction))).
    public var ambient: Double
    /// Diffuse (Lambert) level in [0, 1].
    public var diffuse: Double
    /// Fraction of the diffuse light removed in shadow, in [0, 1] (1: shadows are ambient only).
    public var shadowStrength: Double

    /// A light; defaults give a MuJoCo-like look.
    public init(direction: Vec3 = Vec3(0.3, 0.5, -1), ambient: Double = 0.35, diffuse: Double = 0.7,
                shadowStrength: Double = 0.7) {
        self.direction = direction; self.ambient = ambient; self.diffuse = diffuse
        self.shadowStrength = shadowStrength
    }
}

/// A complete, renderer-neutral scene description: opaque and translucent primitives, markers,
/// a camera, a light and a background colour.
public struct RenderScene: Hashable, Sendable {
    /// The scene's objects (floor, table, robot links, task objects).
    public var primitives: [RenderPrimitive]
    /// Overlays drawn after everything else (goal spheres, targets): they neither cast nor receive
    /// shadows, are depth-tested against the scene without writing depth, and blend with their
    /// colour's alpha. Their `lit` flag chooses shaded or flat colour.
    public var markers: [RenderPrimitive]
    /// The viewpoint.
    public var camera: Camera
    /// The light.
    public var light: DirectionalLight
    /// Colour where no geometry is drawn.
    public var background: RGBA

    /// A scene.
    public init(primitives: [RenderPrimitive], markers: [RenderPrimitive] = [], camera: Camera,
                light: DirectionalLight = DirectionalLight(), background: RGBA = RGBA(200, 215, 230)) {
        self.primitives = primitives; self.markers = markers; self.camera = camera
        self.light = light; self.background = background
    }

    /// The largest accepted coordinate or size magnitude in metres (planes may be unbounded).
    public static let maxMagnitude = 1e6

    /// Throws `RenderError.invalidScene` describing the first problem found: a non-finite or
    /// out-of-range (beyond ±`maxMagnitude`) pose or size, a non-positive size, a bad checker,
    /// camera or light.
    public func validate() throws {
        if let why = camera.validate() { throw RenderError.invalidScene(why) }
        let limit = RenderScene.maxMagnitude
        guard camera.position.maxAbs <= limit, camera.target.maxAbs <= limit else {
            throw RenderError.invalidScene("camera position and target must be within ±\(limit) m")
        }
        let l = light
        guard l.direction.isFinite, l.direction.norm > 0 else {
            throw RenderError.invalidScene("light direction must be finite and non-zero")
        }
        guard l.ambient.isFinite, l.diffuse.isFinite, l.shadowStrength.isFinite else {
            throw RenderError.invalidScene("light levels must be finite")
        }
        for (list, name) in [(primitives, "primitive"), (markers, "marker")] {
            for (i, p) in list.enumerated() {
                if let why = p.shape.validate() { throw RenderError.invalidScene("\(name) \(i): \(why)") }
                let size: Double
                if case .plane = p.shape { size = 0 } else { size = p.shape.boundingRadius }
                guard size <= limit, p.transform.position.maxAbs <= limit else {
                    throw RenderError.invalidScene("\(name) \(i): positions and sizes must be within ±\(limit) m")
                }
                let t = p.transform
                guard t.position.isFinite, t.rotation.w.isFinite, t.rotation.x.isFinite,
                      t.rotation.y.isFinite, t.rotation.z.isFinite, t.rotation.norm > 1e-9 else {
                    throw RenderError.invalidScene("\(name) \(i): the transform must be finite with a non-zero quaternion")
                }
                if let c = p.checker {
                    guard c.squareSize.isFinite, c.squareSize > 0 else {
                        throw RenderError.invalidScene("\(name) \(i): checker square size must be positive and finite")
                    }
                }
            }
        }
    }
}
