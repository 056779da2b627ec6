#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Small file helpers over the C library (no Foundation in this module).
enum Files {
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

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    static func environment(_ name: String) -> String? {
        guard let v = getenv(name) else { return nil }
        return String(cString: v)
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

/// Where mrbench's data lives (`Assets/`: models, task sets, MANIFEST.json).
///
/// Looked up in this order: an explicit path (the CLI's `--assets`), the `MRBENCH_ASSETS`
/// environment variable, then `Assets/` of the package this module was built from (found through
/// the source file's path, which suits a source checkout; `Bundle.module` is not used on Linux).
public enum AssetLocator {
    /// The assets directory, or an error listing what was tried.
    public static func root(explicit: String? = nil) throws(AssetError) -> String {
        var tried: [String] = []
        if let explicit {
            if Files.isDirectory(explicit) { return explicit }
            throw AssetError(message: "assets directory \(explicit) (from --assets) does not exist")
        }
        if let env = Files.environment("MRBENCH_ASSETS"), !env.isEmpty {
            if Files.isDirectory(env) { return env }
            throw AssetError(message: "assets directory \(env) (from MRBENCH_ASSETS) does not exist")
        }
        // .../Sources/MRPhysics/Files.swift → .../Assets
        let source = #filePath
        let package = Files.directory(of: Files.directory(of: Files.directory(of: source)))
        let candidate = Files.join(package, "Assets")
        tried.append(candidate)
        if Files.isDirectory(candidate) { return candidate }
        throw AssetError(message: "no assets directory found (tried --assets, MRBENCH_ASSETS, \(tried.joined(separator: ", ")))")
    }

    /// The path of a file under the assets root.
    public static func path(_ relative: String, explicit: String? = nil) throws(AssetError) -> String {
        Files.join(try root(explicit: explicit), relative)
    }
}

/// The assets directory could not be found.
public struct AssetError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
