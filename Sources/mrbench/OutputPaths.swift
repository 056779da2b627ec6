import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A failure of a command, printed as one line (`Error: <message>`) with exit status 1.
struct CommandError: Error, CustomStringConvertible {
    let message: String
    init(_ message: String) { self.message = message }
    var description: String { message }
}

/// Checks of the files a command is about to write, made before any work starts, so that a bad
/// path is one clear line instead of a Foundation error after the work (or a journal in `/dev`).
enum OutputPaths {
    enum Kind { case missing, regular, directory, other }

    static func kind(_ path: String) -> Kind {
        var st = stat()
        guard stat(path, &st) == 0 else { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        default: return .other
        }
    }

    /// The directory part of a path ("." for a bare file name).
    static func directory(of path: String) -> String {
        let d = (path as NSString).deletingLastPathComponent
        return d.isEmpty ? "." : d
    }

    /// Checks that `dir` is, or can be made, a writable directory, and makes it.
    /// - Throws: `CommandError` naming the part of the path that is in the way.
    static func prepareDirectory(_ dir: String, for what: String) throws {
        var prefix = dir.hasPrefix("/") ? "" : "."
        for part in dir.split(separator: "/") {
            prefix += "/" + part
            let k = kind(prefix)
            if k == .missing { break }
            if k != .directory { throw CommandError("\(what): \(prefix) is a file, not a directory") }
        }
        if kind(dir) == .missing {
            guard mkdirAll(dir) else { throw CommandError("\(what): cannot create the directory \(dir): \(String(cString: strerror(errno)))") }
        }
        guard access(dir, W_OK) == 0 else { throw CommandError("\(what): the directory \(dir) is not writable") }
    }

    private static func mkdirAll(_ dir: String) -> Bool {
        (try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)) != nil || kind(dir) == .directory
    }

    /// Checks an entry path of `mrbench evaluate` (or `leaderboard merge`) and makes its directory:
    /// the path must not be empty, must be a regular file or not exist yet (so `--output` cannot
    /// name a directory or a device such as /dev/full), and so must the files written beside it.
    static func prepareEntryOutput(_ path: String, option: String = "--output") throws {
        guard !path.isEmpty else { throw CommandError("\(option) is empty: give the path of the entry file to write, e.g. out/entry.json") }
        guard !path.hasSuffix("/") else { throw CommandError("\(option) \(path) names a directory; give the path of the entry file to write, e.g. \(path)entry.json") }
        let stem = path.hasSuffix(".json") ? String(path.dropLast(5)) : path
        for (p, role) in [(path, "the entry"), (path + ".journal", "the journal"), (stem + ".run.json", "the run record"),
                          (stem + ".partial.json", "partial results"), (stem + ".agent.log", "the agent log")] {
            switch kind(p) {
            case .missing, .regular: continue
            case .directory:
                throw CommandError("\(option) \(path): \(p) (\(role)) is a directory; give the path of the entry file to write, e.g. \(p)/entry.json")
            case .other:
                throw CommandError("\(option) \(path): \(p) (\(role)) is not a regular file; mrbench writes the entry, its run record and journal beside it, so give a path in a directory")
            }
        }
        try prepareDirectory(directory(of: path), for: "\(option) \(path)")
    }

    /// Writes `data` to `path` (created or truncated), flushed to disk.
    /// - Throws: `CommandError` naming the path and the system's reason.
    static func write(_ data: Data, to path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CommandError("cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var off = 0
        while off < data.count {
            let n = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, data.count - off) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw CommandError("cannot write \(path): \(String(cString: strerror(errno)))") }
            off += n
        }
        guard fsync(fd) == 0 || errno == EINVAL else { throw CommandError("cannot write \(path): \(String(cString: strerror(errno)))") }
    }
}
