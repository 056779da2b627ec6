import MRCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A reproducible timing of the renderer (frames per second) on a scene like an ML10 manipulation
/// task, for the long tests.
public enum RenderThroughput {
    /// Figures of one timing run.
    public struct Result: Hashable, Sendable, CustomStringConvertible {
        /// Frame size.
        public var width: Int
        /// Frame height.
        public var height: Int
        /// Frames rendered (after one warm-up frame).
        public var frames: Int
        /// Median render time per frame in milliseconds (PNG excluded).
        public var renderMedianMilliseconds: Double
        /// Mean render time per frame in milliseconds.
        public var renderMeanMilliseconds: Double
        /// Fastest frame in milliseconds.
        public var renderMinMilliseconds: Double
        /// Median time to encode one frame as PNG (default compression) in milliseconds.
        public var pngMedianMilliseconds: Double
        /// Median time to encode one frame with libpng's fast flag, in milliseconds.
        public var pngFastMedianMilliseconds: Double
        /// Size of one encoded frame in bytes (default compression).
        public var pngBytes: Int
        /// Renderer counters of the last frame.
        public var statistics: RenderStatistics

        /// A one-paragraph summary.
        public var description: String {
            "render \(width)×\(height), \(frames) frames: median \(TextFormat.fixed(renderMedianMilliseconds, decimals: 2)) ms/frame "
                + "(mean \(TextFormat.fixed(renderMeanMilliseconds, decimals: 2)), min \(TextFormat.fixed(renderMinMilliseconds, decimals: 2))), "
                + "\(TextFormat.fixed(1000 / renderMedianMilliseconds, decimals: 0)) frames/s; "
                + "PNG encode median \(TextFormat.fixed(pngMedianMilliseconds, decimals: 2)) ms/frame (\(pngBytes) bytes), "
                + "fast \(TextFormat.fixed(pngFastMedianMilliseconds, decimals: 2)) ms/frame; "
                + "\(statistics.trianglesRasterized)/\(statistics.triangles) triangles after culling, "
                + "\(statistics.shadowTriangles) shadow triangles, \(statistics.samples) samples"
        }
    }

    /// A scene resembling an ML10 manipulation task: checker floor, a table, a 7-link arm of
    /// capsules and cylinders with a gripper (palm and two finger boxes), a puck, a drawer of
    /// three boxes and a translucent goal marker. `phase` (radians) moves the arm, so successive
    /// frames differ as in an episode.
    public static func manipulationScene(phase: Double = 0) -> RenderScene {
        let red = RGBA(178, 34, 34), dark = RGBA(60, 60, 66), grey = RGBA(160, 160, 168)
        let tableTop = 0.8
        var prims: [RenderPrimitive] = [
            .floor(checker: Checker(RGBA(92, 102, 116), RGBA(64, 72, 84), squareSize: 0.25)),
            RenderPrimitive(.box(halfExtents: Vec3(0.7, 0.45, tableTop / 2)),
                            transform: Transform(position: Vec3(0, 0.6, tableTop / 2)), color: RGBA(150, 112, 78),
                            receivesShadow: true),
        ]
        // Arm: pedestal, base, shoulder, upper arm, elbow, forearm, wrist; its end sweeps with phase.
        let base = Vec3(0, -0.05, 0)
        let shoulder = Vec3(0, -0.05, 1.15)
        let hand = Vec3(0.12 * sin(phase), 0.58 + 0.05 * cos(phase), 1.0 + 0.04 * sin(2 * phase))
        let elbow = Vec3(0.5 * (shoulder.x + hand.x) + 0.03, 0.30, 1.30)
        prims += [
            .cylinder(from: base, to: Vec3(0, -0.05, 0.88), radius: 0.09, color: dark),
            .cylinder(from: Vec3(0, -0.05, 0.88), to: Vec3(0, -0.05, 0.98), radius: 0.115, color: red),
            .capsule(from: Vec3(0, -0.05, 0.98), to: shoulder, radius: 0.075, color: red),
            .cylinder(from: shoulder - Vec3(0.09, 0, 0), to: shoulder + Vec3(0.09, 0, 0), radius: 0.08, color: dark),
            .capsule(from: shoulder, to: elbow, radius: 0.06, color: red),
            .cylinder(from: elbow - Vec3(0.075, 0, 0), to: elbow + Vec3(0.075, 0, 0), radius: 0.065, color: dark),
            .capsule(from: elbow, to: hand, radius: 0.05, color: red),
            .cylinder(from: hand, to: hand - Vec3(0, 0, 0.07), radius: 0.045, color: dark),
        ]
        // Gripper: palm and two fingers.
        let palm = hand - Vec3(0, 0, 0.095)
        let grip = 0.035 + 0.01 * cos(phase)
        prims += [
            RenderPrimitive(.box(halfExtents: Vec3(0.065, 0.022, 0.025)), transform: Transform(position: palm), color: grey),
            RenderPrimitive(.box(halfExtents: Vec3(0.01, 0.016, 0.045)),
                            transform: Transform(position: palm + Vec3(-grip, 0, -0.065)), color: dark),
            RenderPrimitive(.box(halfExtents: Vec3(0.01, 0.016, 0.045)),
                            transform: Transform(position: palm + Vec3(grip, 0, -0.065)), color: dark),
        ]
        // Task objects: a puck and a drawer (body, front, handle).
        prims += [
            RenderPrimitive(.cylinder(radius: 0.04, halfLength: 0.015),
                            transform: Transform(position: Vec3(-0.18, 0.68, tableTop + 0.015)), color: RGBA(40, 90, 200)),
            RenderPrimitive(.box(halfExtents: Vec3(0.13, 0.13, 0.09)),
                            transform: Transform(position: Vec3(0.32, 0.88, tableTop + 0.09)), color: RGBA(120, 130, 120)),
            RenderPrimitive(.box(halfExtents: Vec3(0.11, 0.012, 0.065)),
                            transform: Transform(position: Vec3(0.32, 0.738, tableTop + 0.09)), color: RGBA(190, 190, 170)),
            RenderPrimitive(.box(halfExtents: Vec3(0.045, 0.012, 0.01)),
                            transform: Transform(position: Vec3(0.32, 0.714, tableTop + 0.1)), color: dark),
        ]
        let goal = RenderPrimitive.markerSphere(at: Vec3(-0.3, 0.5, tableTop + 0.12), radius: 0.03,
                                                color: RGBA(230, 40, 40, 128))
        let camera = Camera(position: Vec3(1.5, -0.85, 1.85), target: Vec3(0, 0.5, 0.8), fovy: 45)
        return RenderScene(primitives: prims, markers: [goal], camera: camera,
                           light: DirectionalLight(direction: Vec3(0.35, 0.45, -1)))
    }

    /// Renders `frames` frames of `manipulationScene` (phase advancing per frame) at the given
    /// size on the calling thread and encodes `pngFrames` of them as PNG, timing each step.
    /// PNG time is measured separately from render time.
    public static func run(width: Int = 480, height: Int = 480, frames: Int = 200, pngFrames: Int = 10,
                           options: RenderOptions = RenderOptions()) throws -> Result {
        guard frames >= 1, pngFrames >= 1 else { throw RenderError.invalidArgument("frames and pngFrames must be at least 1") }
        let renderer = Renderer(options: options)
        var image = try renderer.render(scene: manipulationScene(), width: width, height: height)   // warm-up
        var times: [Double] = []
        times.reserveCapacity(frames)
        for f in 0..<frames {
            let scene = manipulationScene(phase: Double(f) * 0.05)
            let t0 = now()
            try renderer.render(scene: scene, into: &image)
            times.append(now() - t0)
        }
        var png: [Double] = [], fast: [Double] = []
        var bytes = 0
        for _ in 0..<pngFrames {
            var t0 = now()
            bytes = try PNG.encode(image).count
            png.append(now() - t0)
            t0 = now()
            _ = try PNG.encode(image, fast: true)
            fast.append(now() - t0)
        }
        return Result(width: width, height: height, frames: frames,
                      renderMedianMilliseconds: median(times) * 1000,
                      renderMeanMilliseconds: times.reduce(0, +) / Double(times.count) * 1000,
                      renderMinMilliseconds: (times.min() ?? 0) * 1000,
                      pngMedianMilliseconds: median(png) * 1000, pngFastMedianMilliseconds: median(fast) * 1000,
                      pngBytes: bytes, statistics: renderer.statistics)
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
    }

    static func median(_ v: [Double]) -> Double {
        let s = v.sorted()
        guard !s.isEmpty else { return 0 }
        return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
}
