#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The element type of a tensor.
///
/// `float32` is the working type of every network; `float64` exists so gradient checks can compare
/// analytic derivatives with finite differences at a precision where the comparison is meaningful.
public enum DType: UInt8, Sendable, Hashable, CustomStringConvertible {
    /// IEEE 754 binary32.
    case float32 = 0
    /// IEEE 754 binary64.
    case float64 = 1

    /// Bytes per element.
    public var byteSize: Int { self == .float32 ? 4 : 8 }

    public var description: String { self == .float32 ? "float32" : "float64" }
}

/// The scalar types a tensor can hold, with the few elementary functions the kernels need.
///
/// Kernels are generic over this protocol and are specialised for `Float` and `Double` at their
/// (internal, concrete) call sites, so the inner loops compile to plain machine code.
protocol NeuralScalar: BinaryFloatingPoint, Sendable {
    static var dtype: DType { get }
    static func fexp(_ x: Self) -> Self
    static func flog(_ x: Self) -> Self
    static func ftanh(_ x: Self) -> Self
    static func flog1p(_ x: Self) -> Self
    static func fsqrt(_ x: Self) -> Self
}

extension Float: NeuralScalar {
    static var dtype: DType { .float32 }
    @inline(__always) static func fexp(_ x: Float) -> Float { expf(x) }
    @inline(__always) static func flog(_ x: Float) -> Float { logf(x) }
    @inline(__always) static func ftanh(_ x: Float) -> Float { tanhf(x) }
    @inline(__always) static func flog1p(_ x: Float) -> Float { log1pf(x) }
    @inline(__always) static func fsqrt(_ x: Float) -> Float { x.squareRoot() }
}

extension Double: NeuralScalar {
    static var dtype: DType { .float64 }
    @inline(__always) static func fexp(_ x: Double) -> Double { Glibc.exp(x) }
    @inline(__always) static func flog(_ x: Double) -> Double { Glibc.log(x) }
    @inline(__always) static func ftanh(_ x: Double) -> Double { Glibc.tanh(x) }
    @inline(__always) static func flog1p(_ x: Double) -> Double { Glibc.log1p(x) }
    @inline(__always) static func fsqrt(_ x: Double) -> Double { x.squareRoot() }
}

/// A contiguous, 64-byte aligned buffer of `count` elements of one dtype.
///
/// Shared between tensor values and copied before a write when shared (copy on write), so a
/// `Tensor` behaves as a value. Marked `@unchecked Sendable` because writes only happen through a
/// uniquely referenced instance.
final class TensorStorage: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let count: Int
    let dtype: DType

    init(count: Int, dtype: DType) {
        self.count = count
        self.dtype = dtype
        base = UnsafeMutableRawPointer.allocate(byteCount: max(1, count) * dtype.byteSize, alignment: 64)
    }

    /// A zero-filled buffer.
    convenience init(zeros count: Int, dtype: DType) {
        self.init(count: count, dtype: dtype)
        memset(base, 0, count * dtype.byteSize)
    }

    deinit { base.deallocate() }

    /// An independent copy of the contents.
    func copy() -> TensorStorage {
        let s = TensorStorage(count: count, dtype: dtype)
        memcpy(s.base, base, count * dtype.byteSize)
        return s
    }

    @inline(__always) func pointer<S: NeuralScalar>(_: S.Type) -> UnsafeMutablePointer<S> {
        base.assumingMemoryBound(to: S.self)
    }
    @inline(__always) var floats: UnsafeMutablePointer<Float> { base.assumingMemoryBound(to: Float.self) }
    @inline(__always) var doubles: UnsafeMutablePointer<Double> { base.assumingMemoryBound(to: Double.self) }

    /// Element `i` widened to `Double`.
    @inline(__always) func double(at i: Int) -> Double {
        dtype == .float32 ? Double(floats[i]) : doubles[i]
    }
    /// Stores `v` (narrowed to the dtype) at element `i`.
    @inline(__always) func set(_ i: Int, _ v: Double) {
        if dtype == .float32 { floats[i] = Float(v) } else { doubles[i] = v }
    }
}
