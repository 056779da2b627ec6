#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
            if isDirectory(explicit) { return explicit }
            throw AssetError(message: "assets directory \(explicit) (from --assets) does not exist")
        }
        if let v = getenv("MRBENCH_ASSETS"), case let env = String(cString: v), !env.isEmpty {
            if isDirectory(env) { return env }
            throw AssetError(message: "assets directory \(env) (from MRBENCH_ASSETS) does not exist")
        }
        // .../Sources/MRSuite/AssetLocator.swift → .../Assets
        var package = #filePath
        for _ in 0..<3 { package = String(package[..<(package.lastIndex(of: "/") ?? package.endIndex)]) }
        let candidate = join(package, "Assets")
        tried.append(candidate)
        if isDirectory(candidate) { return candidate }
        throw AssetError(message: "no assets directory found (tried --assets, MRBENCH_ASSETS, \(tried.joined(separator: ", ")))")
    }

    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// `path` if absolute, else `base/path`.
    static func join(_ base: String, _ path: String) -> String {
        path.hasPrefix("/") ? path : (base.hasSuffix("/") ? base + path : base + "/" + path)
    }

    /// The path of a file under the assets root.
    public static func path(_ relative: String, explicit: String? = nil) throws(AssetError) -> String {
        join(try root(explicit: explicit), relative)
    }
}

/// The assets directory could not be found.
public struct AssetError: Error, Equatable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
