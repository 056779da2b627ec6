import Foundation
import Testing
@testable import MRRender

@Suite struct PNGTests {
    /// A fresh private directory under the system temporary directory.
    static func tempDir() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mrrender-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Pixels from a fixed LCG, every channel (alpha included) varying.
    static func noise(width: Int, height: Int, seed: UInt64) throws -> Image {
        var state = seed
        var bytes = [UInt8](repeating: 0, count: width * height * 4)
        for i in bytes.indices {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            bytes[i] = UInt8(truncatingIfNeeded: state >> 56)
        }
        return try Image(width: width, height: height, pixels: bytes)
    }

    @Test func fileRoundTripIsExact() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (w, h, fast) in [(1, 1, false), (37, 23, false), (64, 64, true)] {
            let img = try Self.noise(width: w, height: h, seed: UInt64(w * 1000 + h))
            let path = dir.appendingPathComponent("noise-\(w)x\(h).png").path
            try PNG.write(img, to: path, fast: fast)
            let back = try PNG.read(from: path)
            #expect(back == img)
        }
    }

    @Test func memoryRoundTripIsExact() throws {
        let img = try Self.noise(width: 50, height: 31, seed: 7)
        let bytes = try PNG.encode(img)
        #expect(Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(try PNG.decode(bytes) == img)
        // Incompressible data still fits the pre-computed bound (no retry needed, no failure).
        let big = try Self.noise(width: 300, height: 200, seed: 9)
        #expect(try PNG.decode(try PNG.encode(big, fast: true)) == big)
    }

    @Test func writeToMissingDirectoryThrows() throws {
        let img = try Image(width: 2, height: 2, fill: .white)
        do {
            try PNG.write(img, to: "/nonexistent-mrbench-dir/sub/out.png")
            Issue.record("expected a write error")
        } catch let e as RenderError {
            guard case let .png(op, path, message) = e else { Issue.record("wrong error \(e)"); return }
            #expect(op == "write")
            #expect(path == "/nonexistent-mrbench-dir/sub/out.png")
            #expect(!message.isEmpty)
            print("write to a missing directory: \(e)")
        }
        // A path that is a directory.
        #expect(throws: RenderError.self) { try PNG.write(img, to: "/tmp") }
        #expect(throws: RenderError.self) { try PNG.write(img, to: "") }
    }

    /// A read-only directory (reported as skipped when running as root, which ignores permissions).
    @Test(.enabled(if: getuid() != 0, "root ignores directory permissions"))
    func writeToReadOnlyDirectoryThrows() throws {
        let img = try Image(width: 2, height: 2, fill: .white)
        let dir = try Self.tempDir()
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
            try? FileManager.default.removeItem(at: dir)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: dir.path)
        #expect(throws: RenderError.self) { try PNG.write(img, to: dir.appendingPathComponent("x.png").path) }
    }

    @Test func readingNonPNGThrows() throws {
        let dir = try Self.tempDir()
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = dir.appendingPathComponent("not-a.png")
        try Data(String(repeating: "this is not a PNG file\n", count: 20).utf8).write(to: text)
        do {
            _ = try PNG.read(from: text.path)
            Issue.record("expected a read error")
        } catch let e as RenderError {
            guard case let .png(op, _, message) = e else { Issue.record("wrong error \(e)"); return }
            #expect(op == "read" && !message.isEmpty)
            print("reading a text file: \(e)")
        }
        let empty = dir.appendingPathComponent("empty.png")
        try Data().write(to: empty)
        #expect(throws: RenderError.self) { try PNG.read(from: empty.path) }
        #expect(throws: RenderError.self) { try PNG.read(from: dir.appendingPathComponent("missing.png").path) }
        #expect(throws: RenderError.self) { try PNG.decode([1, 2, 3, 4, 5, 6, 7, 8, 9]) }
        #expect(throws: RenderError.self) { try PNG.decode([]) }
        // A truncated PNG: valid header, missing data.
        let good = try PNG.encode(try Self.noise(width: 20, height: 20, seed: 3))
        #expect(throws: RenderError.self) { try PNG.decode(Array(good.prefix(good.count / 2))) }
    }
}
