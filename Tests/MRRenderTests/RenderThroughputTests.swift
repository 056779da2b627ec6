import Foundation
import Testing
import MRRender

/// Prints the render and PNG timings of `RenderThroughput` (480×480 manipulation scene) when
/// MRBENCH_LONG_TESTS=1. Never fails on a time; run it in release on one core:
/// `MRBENCH_LONG_TESTS=1 taskset -c 0 swift test -c release --scratch-path .build-render --filter renderThroughput`
@Test(.enabled(if: ProcessInfo.processInfo.environment["MRBENCH_LONG_TESTS"] == "1", "a timing run: set MRBENCH_LONG_TESTS=1"))
func renderThroughput() throws {
    let r = try RenderThroughput.run(width: 480, height: 480, frames: 300, pngFrames: 20)
    print("RenderThroughput: \(r)")
    #expect(r.renderMedianMilliseconds > 0)
    for s in [1, 3] {
        let o = try RenderThroughput.run(width: 480, height: 480, frames: 100, pngFrames: 1, options: RenderOptions(supersampling: s))
        print("RenderThroughput supersampling \(s): median \(TextFormat.fixed(o.renderMedianMilliseconds, decimals: 2)) ms/frame")
    }
}

/// A quick smoke run of the timing entry point (tiny, always on).
@Test func renderThroughputSmoke() throws {
    let r = try RenderThroughput.run(width: 64, height: 48, frames: 2, pngFrames: 1)
    #expect(r.frames == 2 && r.width == 64 && r.height == 48)
    #expect(r.pngBytes > 8)
    #expect(r.statistics.trianglesRasterized > 100)
    #expect(throws: RenderError.self) { try RenderThroughput.run(frames: 0) }
}
