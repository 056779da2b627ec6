import COpenBLAS

/// The BLAS library behind matrix products (OpenBLAS), for benchmarks and diagnostics.
///
/// OpenBLAS picks its kernels when the library loads (`OPENBLAS_CORETYPE` overrides the choice) and
/// runs on a pool of threads (`OPENBLAS_NUM_THREADS`, or `setThreadCount`).
public enum BLAS {
    /// The kernel family OpenBLAS selected, e.g. "Haswell" or "SkylakeX".
    public static var coreName: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }
    /// OpenBLAS's build configuration string.
    public static var configuration: String { openblas_get_config().map { String(cString: $0) } ?? "unknown" }
    /// Threads OpenBLAS uses for one product.
    public static var threadCount: Int { Int(openblas_get_num_threads()) }
    /// Sets the number of OpenBLAS threads (1 for reproducible single-core timing).
    public static func setThreadCount(_ n: Int) { openblas_set_num_threads(Int32(n)) }
}
