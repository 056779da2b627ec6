import MRCore
import MRRender

extension PendulumEnvironment: RenderableEnvironment {}

/// The point on a checker floor (1 m squares ≙ 1 unit), the goal as a translucent green disc-sphere.
extension PointNavigationEnvironment: RenderableEnvironment {
    public var cameraNames: [String] { ["top", "front-left"] }

    public func camera(named name: String) -> Camera? {
        switch name {
        case "top": return Camera(position: Vec3(0, 0.45, 3.2), target: Vec3(0, 0.45, 0), up: Vec3(0, 1, 0), fovy: 45)
        case "front-left": return Camera(position: Vec3(-1.6, -1.6, 1.8), target: Vec3(0, 0.45, 0), fovy: 45)
        default: return nil
        }
    }

    public var renderMarkers: [RenderPrimitive] {
        [.markerSphere(at: Vec3(task.x, task.y, 0), radius: PointNavigationEnvironment.goalRadius, color: RGBA(40, 200, 90, 110))]
    }

    public func renderScene(camera name: String?) throws -> RenderScene {
        let n = name ?? cameraNames[0]
        guard let cam = camera(named: n) else { throw RenderExportError.unknownCamera(n, known: cameraNames) }
        let p = observation()
        return RenderScene(primitives: [
            .floor(checker: Checker(RGBA(92, 102, 116), RGBA(64, 72, 84), squareSize: 0.25)),
            RenderPrimitive(.sphere(radius: 0.05), transform: Transform(position: Vec3(Double(p[0]), Double(p[1]), 0.05)), color: RGBA(220, 60, 50)),
        ], markers: renderMarkers, camera: cam)
    }
}

/// The unit cube's edges as thin capsules, the point as a sphere, the goal as a translucent marker.
extension CubeNavigationEnvironment: RenderableEnvironment {
    public var cameraNames: [String] { ["front-left", "top"] }

    public func camera(named name: String) -> Camera? {
        let c = Vec3(0.5, 0.5, 0.5)
        switch name {
        case "front-left": return Camera(position: c + Vec3(-1.3, -1.8, 1.2), target: c, fovy: 45)
        case "top": return Camera(position: c + Vec3(0, -0.01, 2.6), target: c, fovy: 45)
        default: return nil
        }
    }

    public var renderMarkers: [RenderPrimitive] {
        [.markerSphere(at: Vec3(task.x, task.y, task.z), radius: CubeNavigationEnvironment.threshold, color: RGBA(40, 200, 90, 140))]
    }

    public func renderScene(camera name: String?) throws -> RenderScene {
        let n = name ?? cameraNames[0]
        guard let cam = camera(named: n) else { throw RenderExportError.unknownCamera(n, known: cameraNames) }
        let o = observation()
        var prims: [RenderPrimitive] = [.floor(z: -0.02, checker: Checker(RGBA(92, 102, 116), RGBA(64, 72, 84), squareSize: 0.25))]
        let edge = RGBA(200, 200, 210)
        for a in 0..<3 {
            for i in 0..<2 {
                for j in 0..<2 {
                    var p = [0.0, 0.0, 0.0], q = [0.0, 0.0, 0.0]
                    let (b, c) = ((a + 1) % 3, (a + 2) % 3)
                    p[b] = Double(i); p[c] = Double(j); q[b] = Double(i); q[c] = Double(j); q[a] = 1
                    prims.append(.capsule(from: Vec3(p[0], p[1], p[2]), to: Vec3(q[0], q[1], q[2]), radius: 0.006, color: edge))
                }
            }
        }
        prims.append(RenderPrimitive(.sphere(radius: 0.03), transform: Transform(position: Vec3(Double(o[0]), Double(o[1]), Double(o[2]))), color: RGBA(220, 60, 50)))
        return RenderScene(primitives: prims, markers: renderMarkers, camera: cam)
    }
}
