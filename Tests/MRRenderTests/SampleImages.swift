import Foundation
import Testing
import MRRender

/// Writes the documentation images when MRBENCH_RENDER_SAMPLES=1 (otherwise reported as skipped):
/// docs/images/render-sample.png (480×480 manipulation scene) and
/// docs/images/render-contact-sheet.png (a 4×2 sheet of captioned frames) and
/// docs/images/render-line-plot.png (learning curves, `LinePlotTests.learningCurves()`).
@Test(.enabled(if: ProcessInfo.processInfo.environment["MRBENCH_RENDER_SAMPLES"] == "1", "writes docs/images: set MRBENCH_RENDER_SAMPLES=1"))
func writeDocumentationImages() throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let dir = root.appendingPathComponent("docs/images")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let renderer = Renderer()
    let sample = try renderer.render(scene: RenderThroughput.manipulationScene(), width: 480, height: 480)
    try PNG.write(sample, to: dir.appendingPathComponent("render-sample.png").path)
    var frames: [ContactSheetFrame] = []
    for k in 0..<8 {
        let img = try renderer.render(scene: RenderThroughput.manipulationScene(phase: Double(k) * 0.8), width: 160, height: 160)
        frames.append(ContactSheetFrame(image: img, step: k * 25, reward: 0.8 * Double(k) - 1.234, success: k >= 6))
    }
    let sheet = try ContactSheet.compose(frames, style: ContactSheetStyle(columns: 4))
    try PNG.write(sheet, to: dir.appendingPathComponent("render-contact-sheet.png").path)
    try PNG.write(try LinePlotTests.learningCurves().render(), to: dir.appendingPathComponent("render-line-plot.png").path)
}
