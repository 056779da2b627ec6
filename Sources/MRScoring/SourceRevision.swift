import Foundation
import MRCore

/// The source revision recorded in entries: `git rev-parse HEAD` of the package (with `+dirty` when
/// tracked sources differ from it), `$MRBENCH_REVISION` if set, else "unknown".
public enum SourceRevision {
    public static var current: String {
        if let r = ProcessInfo.processInfo.environment["MRBENCH_REVISION"], !r.isEmpty { return r }
        var root = #filePath
        for _ in 0..<3 { root = (root as NSString).deletingLastPathComponent }
        guard let head = git(["-C", root, "rev-parse", "HEAD"], status: nil), !head.isEmpty else { return "unknown" }
        var clean: Int32 = 0
        _ = git(["-C", root, "diff", "--quiet", "HEAD", "--", "Sources", "Assets", "Package.swift"], status: &clean)
        return head + (clean == 0 ? "" : "+dirty")
    }

    static func git(_ args: [String], status: UnsafeMutablePointer<Int32>?) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let d = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        status?.pointee = p.terminationStatus
        return p.terminationStatus == 0 ? String(decoding: d, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }
}
