#if canImport(Glibc)
import Glibc
#endif

/// Switches and paths shared by the test targets.
public enum TestSupport {
    /// True when `MRBENCH_LONG_TESTS=1`: long runs (100,000-step batteries, full-size checks) are on.
    public static var longTests: Bool {
        guard let v = getenv("MRBENCH_LONG_TESTS") else { return false }
        return String(cString: v) == "1"
    }

    /// The package root, found from this source file's path.
    public static var packageRoot: String {
        var p = #filePath
        for _ in 0..<3 { p = String(p[..<(p.lastIndex(of: "/") ?? p.endIndex)]) }
        return p
    }
}
