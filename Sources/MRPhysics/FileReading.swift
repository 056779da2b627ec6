#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading model files over the C library (no Foundation in this module): a whole file as text, and
/// the path arithmetic that resolves an `<include file=…>` against the including file.
enum FileReading {
    /// The whole file as UTF-8 text, or an error message naming the system's reason.
    static func readText(_ path: String) -> Result<String, FileError> {
        guard let f = fopen(path, "rb") else { return .failure(FileError(path: path, reason: String(cString: strerror(errno)))) }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, 65536, f) }
            if n > 0 { bytes.append(contentsOf: chunk[0..<n]) }
            if n < 65536 { break }
        }
        if ferror(f) != 0 { return .failure(FileError(path: path, reason: "read error")) }
        return .success(String(decoding: bytes, as: UTF8.self))
    }

    /// The directory part of a path ("." for a bare name).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// `path` if absolute, else `base/path`.
    static func join(_ base: String, _ path: String) -> String {
        path.hasPrefix("/") ? path : (base.hasSuffix("/") ? base + path : base + "/" + path)
    }
}

struct FileError: Error, Equatable { let path: String; let reason: String }
