import Foundation
import MRCore
import Testing
@testable import MRRender

/// Golden-image tests: small scenes rendered and compared with the committed PNGs in
/// `Tests/MRRenderTests/Golden/` (found through `#filePath`, read with `PNG.read`).
///
/// Regenerate after an intended visual change with
/// `MRBENCH_UPDATE_GOLDEN=1 swift test --scratch-path .build-render --filter GoldenTests`,
/// look at the new files, and commit them. Without the variable a missing golden fails.
@Suite struct GoldenTests {
    /// Mean absolute difference per channel (0...255) allowed against the golden.
    static let maxMeanDifference = 0.5
    /// Fraction of pixels allowed to differ by more than 24 in some channel.
    static let maxOutlierFraction = 0.005

    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static func check(_ image: Image, against name: String) throws {
        let url = goldenDirectory.appendingPathComponent(name + ".png")
        if ProcessInfo.processInfo.environment["MRBENCH_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: goldenDirectory, withIntermediateDirectories: true)
            try PNG.write(image, to: url.path)
            print("golden \(name): written to \(url.path)")
            return
        }
        guard FileManager.default.fileExists(atPath: url.path) else {
            Issue.record("golden image \(url.path) is missing; generate it with MRBENCH_UPDATE_GOLDEN=1")
            return
        }
        let golden = try PNG.read(from: url.path)
        guard golden.width == image.width, golden.height == image.height else {
            Issue.record("golden \(name) is \(golden.width)×\(golden.height), rendered \(image.width)×\(image.height)")
            return
        }
        let mad = try #require(image.meanAbsoluteDifference(to: golden))
        var outliers = 0
        for i in stride(from: 0, to: image.pixels.count, by: 4) {
            var worst = 0
            for c in 0..<4 { worst = max(worst, abs(Int(image.pixels[i + c]) - Int(golden.pixels[i + c]))) }
            if worst > 24 { outliers += 1 }
        }
        let fraction = Double(outliers) / Double(image.width * image.height)
        print("golden \(name): mean abs difference \(TextFormat.fixed(mad, decimals: 4)), \(outliers) pixels off by > 24")
        if mad >= maxMeanDifference || fraction > maxOutlierFraction {
            let out = FileManager.default.temporaryDirectory.appendingPathComponent("mrrender-\(name)-actual.png")
            try? PNG.write(image, to: out.path)
            Issue.record("golden \(name) differs: mean abs difference \(mad), \(outliers) outlier pixels; actual image written to \(out.path)")
        }
    }

    /// Checker floor with a box, a sphere, a capsule and a cylinder casting shadows.
    static func primitivesScene() -> RenderScene {
        RenderScene(primitives: [
            .floor(checker: Checker(RGBA(190, 190, 180), RGBA(120, 125, 130), squareSize: 0.25)),
            RenderPrimitive(.box(halfExtents: Vec3(0.2, 0.15, 0.2)),
                            transform: Transform(position: Vec3(-0.45, 0.35, 0.2), rotation: Quat(axis: Vec3(0, 0, 1), angle: 0.5)),
                            color: RGBA(200, 60, 50)),
            RenderPrimitive(.sphere(radius: 0.22), transform: Transform(position: Vec3(0.35, 0.4, 0.22)), color: RGBA(60, 160, 70)),
            .capsule(from: Vec3(-0.55, -0.35, 0.12), to: Vec3(0.05, -0.45, 0.3), radius: 0.1, color: RGBA(60, 90, 200)),
            RenderPrimitive(.cylinder(radius: 0.14, halfLength: 0.2), transform: Transform(position: Vec3(0.45, -0.3, 0.2)),
                            color: RGBA(220, 180, 40)),
        ], camera: Camera(position: Vec3(2.1, -1.7, 1.5), target: Vec3(0, 0, 0.2), fovy: 45),
        light: DirectionalLight(direction: Vec3(0.6, 0.5, -0.9)))
    }

    /// A table top receiving shadows from a puck and a drawer, a finite mat, and a translucent
    /// goal marker, over a floor.
    static func tableScene() -> RenderScene {
        RenderScene(primitives: [
            .floor(checker: Checker(RGBA(100, 110, 125), RGBA(70, 78, 90), squareSize: 0.3)),
            RenderPrimitive(.box(halfExtents: Vec3(0.5, 0.4, 0.3)), transform: Transform(position: Vec3(0, 0, 0.3)),
                            color: RGBA(160, 120, 80), receivesShadow: true),
            RenderPrimitive(.plane(halfWidth: 0.15, halfHeight: 0.1), transform: Transform(position: Vec3(-0.25, 0.15, 0.601)),
                            color: RGBA(40, 120, 60), checker: Checker(RGBA(40, 120, 60), RGBA(230, 230, 230), squareSize: 0.05),
                            receivesShadow: true),
            RenderPrimitive(.cylinder(radius: 0.06, halfLength: 0.02), transform: Transform(position: Vec3(0.05, -0.1, 0.62)),
                            color: RGBA(30, 70, 190)),
            RenderPrimitive(.box(halfExtents: Vec3(0.12, 0.1, 0.08)), transform: Transform(position: Vec3(0.28, 0.2, 0.68)),
                            color: RGBA(130, 140, 130)),
            .capsule(from: Vec3(-0.45, -0.35, 1.0), to: Vec3(-0.2, 0.0, 0.72), radius: 0.04, color: RGBA(180, 40, 40)),
        ], markers: [.markerSphere(at: Vec3(-0.2, -0.15, 0.7), radius: 0.06, color: RGBA(255, 40, 40, 110))],
        camera: Camera(position: Vec3(1.3, -1.5, 1.6), target: Vec3(0, 0, 0.55), fovy: 45),
        light: DirectionalLight(direction: Vec3(-0.5, -0.2, -1)))
    }

    @Test func primitivesWithShadows() throws {
        try Self.check(try Renderer().render(scene: Self.primitivesScene(), width: 96, height: 96), against: "primitives-96")
    }

    @Test func tableWithMarker() throws {
        try Self.check(try Renderer().render(scene: Self.tableScene(), width: 96, height: 96), against: "table-96")
    }

    @Test func noSupersamplingNoShadows() throws {
        let r = Renderer(options: RenderOptions(supersampling: 1, shadows: false))
        try Self.check(try r.render(scene: Self.primitivesScene(), width: 64, height: 64), against: "primitives-64-ss1-noshadow")
    }

    @Test func captionedContactSheet() throws {
        let r = Renderer()
        let a = try r.render(scene: Self.primitivesScene(), width: 96, height: 96)
        let b = try r.render(scene: Self.tableScene(), width: 64, height: 64)       // resized to the first frame's size
        let sheet = try ContactSheet.compose([
            ContactSheetFrame(image: a, step: 12, reward: 0.25, success: false),
            ContactSheetFrame(image: b, step: 150, reward: -1.5, success: true),
        ], style: ContactSheetStyle(columns: 2, spacing: 2))
        try Self.check(sheet, against: "sheet")
    }
}
