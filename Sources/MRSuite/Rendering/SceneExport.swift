import MRCore
import MRPhysics
import MRRender

#if canImport(Glibc)
import Glibc
#endif

/// An environment that describes itself to the renderer: named cameras (the first is the
/// default) and markers for what the simulation does not hold (goals).
///
/// Physics environments get defaults: cameras fitted to the scene (`front-left`, `side`, `top`)
/// and no markers; families override them with their presets (a tracking side camera for the
/// cheetah, a tracking three-quarter camera for the ant, the classic front-left views for Fetch
/// and the Sawyer tasks) and their goal markers.
public protocol RenderableEnvironment: Environment {
    /// Camera names; the first is the default.
    var cameraNames: [String] { get }
    /// The camera called `name` for the current state (tracking cameras follow the robot), nil if unknown.
    func camera(named name: String) -> Camera?
    /// Markers drawn over the scene: unlit, shadowless (the goal, a target).
    var renderMarkers: [RenderPrimitive] { get }
    /// The scene now, seen by `camera` (nil: the default).
    func renderScene(camera: String?) throws -> RenderScene
}

/// A wrapper that forwards to another environment (the registry's `TimeLimit`).
public protocol EnvironmentWrapper {
    var wrappedEnvironment: any Environment { get }
}

extension TimeLimit: EnvironmentWrapper {
    public var wrappedEnvironment: any Environment { base }
}

extension RenderableEnvironment where Self: PhysicsEnvironment {
    public var cameraNames: [String] { SceneExport.fittedCameraNames }
    public func camera(named name: String) -> Camera? { SceneExport.fittedCamera(name, simulation: simulation) }
    public var renderMarkers: [RenderPrimitive] { [] }
    public func renderScene(camera: String?) throws -> RenderScene {
        let name = camera ?? cameraNames[0]
        guard let cam = self.camera(named: name) else { throw RenderExportError.unknownCamera(name, known: cameraNames) }
        return SceneExport.scene(simulation, camera: cam, markers: renderMarkers)
    }
}

public enum RenderExportError: Error, Equatable, CustomStringConvertible {
    case unknownCamera(String, known: [String])
    case notRenderable(String)
    public var description: String {
        switch self {
        case let .unknownCamera(n, known): return "unknown camera '\(n)'; this environment has: \(known.joined(separator: ", "))"
        case let .notRenderable(id): return "environment '\(id)' has no scene to render"
        }
    }
}

/// Turns an environment's simulation into MRRender's neutral `RenderScene`.
public enum SceneExport {
    static let fittedCameraNames = ["front-left", "side", "top"]

    /// The renderable environment inside wrappers, if any.
    public static func renderable(_ env: any Environment) -> (any RenderableEnvironment)? {
        if let r = env as? any RenderableEnvironment { return r }
        if let w = env as? any EnvironmentWrapper { return renderable(w.wrappedEnvironment) }
        return nil
    }

    /// The physics environment inside wrappers, if any.
    public static func physics(_ env: any Environment) -> (any PhysicsEnvironment)? {
        if let p = env as? any PhysicsEnvironment { return p }
        if let w = env as? any EnvironmentWrapper { return physics(w.wrappedEnvironment) }
        return nil
    }

    /// Camera names an environment offers (the first is the default).
    public static func cameraNames(_ env: any Environment) -> [String] {
        if let r = renderable(env) { return r.cameraNames }
        guard physics(env) != nil else { return [] }
        return FamilyCameras.names(env.id) + fittedCameraNames
    }

    /// The scene of any environment: its own description if it is renderable, else its simulation
    /// seen by its family's camera preset (or a fitted camera), with a goal marker where the
    /// observation carries a goal (`desired_goal` or a non-zero `goal` segment of 3).
    public static func scene(of env: any Environment, camera: String? = nil, observation: [Float]? = nil) throws -> RenderScene {
        if let r = renderable(env) { return try r.renderScene(camera: camera) }
        guard let p = physics(env) else { throw RenderExportError.notRenderable(env.id) }
        let names = cameraNames(env)
        let name = camera ?? names[0]
        guard let cam = FamilyCameras.camera(env.id, name, simulation: p.simulation) ?? fittedCamera(name, simulation: p.simulation) else {
            throw RenderExportError.unknownCamera(name, known: names)
        }
        return scene(p.simulation, camera: cam, markers: goalMarkers(layout: env.observationLayout, observation: observation))
    }

    /// A translucent green sphere at the goal the observation carries, if any.
    static func goalMarkers(layout: ObservationLayout, observation: [Float]?) -> [RenderPrimitive] {
        guard let o = observation, o.count == layout.count else { return [] }
        for name in ["desired_goal", "goal", "goal_pos"] {
            guard let seg = layout.segments.first(where: { $0.name == name && $0.count == 3 }) else { continue }
            let g = o[seg.range].map(Double.init)
            if g.allSatisfy({ $0 == 0 }) { continue }  // hidden goal
            return [.markerSphere(at: Vec3(g[0], g[1], g[2]), radius: 0.03, color: RGBA(40, 200, 90, 150))]
        }
        return []
    }

    /// Every visible geom (alpha > 0) as a primitive; static planes become checkered floors and
    /// static boxes receive shadows (floor and table tops).
    public static func scene(_ sim: Simulation, camera: Camera, markers: [RenderPrimitive] = []) -> RenderScene {
        var prims: [RenderPrimitive] = []
        for g in sim.geomVisuals() where g.rgba.3 > 0 {
            let color = RGBA(red: Double(g.rgba.0), green: Double(g.rgba.1), blue: Double(g.rgba.2), alpha: Double(g.rgba.3))
            guard let shape = renderShape(g.shape) else {
                if case let .plane(n, d) = g.shape { prims.append(floor(normal: n, offset: d, rgba: g.rgba)) }
                continue
            }
            // Static boxes (table tops, fixtures) receive shadows.
            let isBox = if case .box = shape { true } else { false }
            prims.append(RenderPrimitive(shape, transform: g.pose, color: color, receivesShadow: isBox && g.isStatic))
        }
        return RenderScene(primitives: prims, markers: markers, camera: camera)
    }

    /// A static plane as a checkered floor: MJCF's default grey becomes the blue-grey floor; a
    /// coloured plane (a table top) keeps its colour.
    static func floor(normal n: Vec3, offset d: Double, rgba: (Float, Float, Float, Float)) -> RenderPrimitive {
        let isDefault = abs(rgba.0 - 0.5) < 0.01 && abs(rgba.1 - 0.5) < 0.01 && abs(rgba.2 - 0.5) < 0.01
        let color = RGBA(red: Double(rgba.0), green: Double(rgba.1), blue: Double(rgba.2), alpha: Double(rgba.3))
        let dark = RGBA(red: Double(rgba.0) * 0.82, green: Double(rgba.1) * 0.82, blue: Double(rgba.2) * 0.82)
        let checker = isDefault ? Checker(RGBA(92, 102, 116), RGBA(64, 72, 84), squareSize: 0.5) : Checker(color, dark, squareSize: 0.1)
        return RenderPrimitive(.infinitePlane, transform: Transform(position: n * d, rotation: Quat.between(Vec3(0, 0, 1), n)),
                               color: checker.color1, checker: checker, castsShadow: false, receivesShadow: true)
    }

    /// Centre and radius of the dynamic geoms (all geoms but planes if nothing moves).
    static func extent(_ sim: Simulation) -> (centre: Vec3, radius: Double) {
        let visuals = sim.geomVisuals().filter { if case .plane = $0.shape { return false }; return true }
        let moving = visuals.filter { !$0.isStatic }
        let chosen = moving.isEmpty ? visuals : moving
        guard !chosen.isEmpty else { return (.zero, 1) }
        var lo = Vec3(.infinity, .infinity, .infinity), hi = Vec3(-.infinity, -.infinity, -.infinity)
        for g in chosen {
            let r = renderShape(g.shape)?.boundingRadius ?? 0
            let p = g.pose.position
            lo = Vec3(min(lo.x, p.x - r), min(lo.y, p.y - r), min(lo.z, p.z - r))
            hi = Vec3(max(hi.x, p.x + r), max(hi.y, p.y + r), max(hi.z, p.z + r))
        }
        return ((lo + hi) * 0.5, max(0.2, (hi - lo).norm / 2))
    }

    /// A camera looking at the scene's moving parts from a named direction, far enough to fit them.
    static func fittedCamera(_ name: String, simulation sim: Simulation, fovy: Double = 45) -> Camera? {
        let (c, r) = extent(sim)
        let direction: Vec3
        switch name {
        case "front-left": direction = Vec3(-0.9, -1.3, 0.8)
        case "side": direction = Vec3(0, -1, 0.15)
        case "top": direction = Vec3(0, -0.05, 1)
        default: return nil
        }
        let distance = 1.25 * r / sin(fovy * .pi / 360)
        return Camera(position: c + direction / direction.norm * distance, target: c, fovy: fovy)
    }
}

/// The renderer's shape for a physics shape (nil for planes, which become floors).
func renderShape(_ s: GeomShape) -> Shape? {
    switch s {
    case .plane: return nil
    case let .box(h): return .box(halfExtents: h)
    case let .sphere(r): return .sphere(radius: r)
    case let .capsule(r, hl): return .capsule(radius: r, halfLength: hl)
    case let .cylinder(r, hl): return .cylinder(radius: r, halfLength: hl)
    }
}

/// Per-family camera presets, chosen by environment id: a tracking side camera for the cheetah, a
/// tracking three-quarter camera for the ant, the classic front-left views of the Fetch and Sawyer
/// tables (in their world frames).
enum FamilyCameras {
    static func names(_ id: String) -> [String] {
        if id.hasPrefix("half-cheetah") { return ["side-tracking"] }
        if id.hasPrefix("ant-") { return ["three-quarter-tracking"] }
        if id.hasPrefix("fetch-") || id.hasPrefix("ml10/") { return ["front-left-table"] }
        return []
    }

    static func camera(_ id: String, _ name: String, simulation sim: Simulation) -> Camera? {
        guard names(id).contains(name) else { return nil }
        let c = SceneExport.extent(sim).centre
        switch name {
        case "side-tracking":
            let t = Vec3(c.x, 0, 0.45)
            return Camera(position: t + Vec3(0, -3.6, 0.35), target: t, fovy: 45)
        case "three-quarter-tracking":
            let t = Vec3(c.x, c.y, 0.3)
            return Camera(position: t + Vec3(-2.6, -3.4, 2.6), target: t, fovy: 45)
        case "front-left-table" where id.hasPrefix("fetch-"):
            let t = Vec3(1.3, 0.75, 0.5)
            return Camera(position: t + Vec3(0.85, -0.7, 0.5), target: t, fovy: 45)
        case "front-left-table":
            let t = Vec3(0, 0.72, 0.1)
            return Camera(position: t + Vec3(-0.55, 0.62, 0.45), target: t, fovy: 45)
        default: return nil
        }
    }
}
