import MRCore

/// An n-dimensional array of `Float` (or `Double`), stored contiguously in row-major order.
///
/// `Tensor` is a value: assignment shares the buffer and the first write to a shared buffer copies
/// it. A tensor may also carry a node of the differentiation tape (see `valueWithGradient`); every
/// operation on a tracked tensor records how to differentiate its result. `detached` drops the node.
public struct Tensor: Sendable, CustomStringConvertible {
    /// The extent of each dimension; empty for a scalar.
    public private(set) var shape: [Int]
    var storage: TensorStorage
    var node: Node?

    init(shape: [Int], storage: TensorStorage, node: Node? = nil) {
        precondition(Tensor.elementCount(shape) == storage.count, "Tensor: shape \(shape) does not match \(storage.count) elements")
        self.shape = shape
        self.storage = storage
        self.node = node
    }

    /// An uninitialised tensor (internal: callers fill every element).
    init(uninitialized shape: [Int], dtype: DType) {
        self.shape = shape
        self.storage = TensorStorage(count: Tensor.elementCount(shape), dtype: dtype)
        self.node = nil
    }

    /// A `float32` tensor holding `floats` in row-major order; `floats.count` must equal the product of `shape`.
    public init(floats: [Float], shape: [Int]) {
        precondition(floats.count == Tensor.elementCount(shape), "Tensor(floats:shape:): \(floats.count) values for shape \(shape)")
        self.init(uninitialized: shape, dtype: .float32)
        let p = storage.floats
        floats.withUnsafeBufferPointer { src in for i in 0..<src.count { p[i] = src[i] } }
    }

    /// A `float64` tensor holding `doubles` in row-major order.
    public init(doubles: [Double], shape: [Int]) {
        precondition(doubles.count == Tensor.elementCount(shape), "Tensor(doubles:shape:): \(doubles.count) values for shape \(shape)")
        self.init(uninitialized: shape, dtype: .float64)
        let p = storage.doubles
        doubles.withUnsafeBufferPointer { src in for i in 0..<src.count { p[i] = src[i] } }
    }

    /// A tensor of `dtype` holding `values` (rounded to `Float` for `float32`).
    public init(_ values: [Double], shape: [Int], dtype: DType) {
        precondition(values.count == Tensor.elementCount(shape), "Tensor(_:shape:dtype:): \(values.count) values for shape \(shape)")
        self.init(uninitialized: shape, dtype: dtype)
        for i in 0..<values.count { storage.set(i, values[i]) }
    }

    /// A rank-0 tensor holding `value`.
    public init(scalar value: Double, dtype: DType = .float32) {
        self.init([value], shape: [], dtype: dtype)
    }

    /// A tensor of `shape` with every element equal to `value`.
    public init(repeating value: Double, shape: [Int], dtype: DType = .float32) {
        self.init(uninitialized: shape, dtype: dtype)
        switch dtype {
        case .float32: let p = storage.floats; let v = Float(value); for i in 0..<storage.count { p[i] = v }
        case .float64: let p = storage.doubles; for i in 0..<storage.count { p[i] = value }
        }
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(zeros: elementCount(shape), dtype: dtype))
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        Tensor(repeating: 1, shape: shape, dtype: dtype)
    }

    /// Independent draws from N(mean, std²), in row-major order from `generator`.
    public static func randomNormal(_ shape: [Int], mean: Double = 0, std: Double = 1, dtype: DType = .float32,
                                    using generator: inout SeededGenerator) -> Tensor {
        var t = Tensor(uninitialized: shape, dtype: dtype)
        t.fill { _ in generator.normal(mean: mean, std: std) }
        return t
    }

    /// Independent draws from U[low, high), in row-major order from `generator`.
    public static func randomUniform(_ shape: [Int], low: Double, high: Double, dtype: DType = .float32,
                                     using generator: inout SeededGenerator) -> Tensor {
        var t = Tensor(uninitialized: shape, dtype: dtype)
        t.fill { _ in generator.uniform(low, high) }
        return t
    }

    /// Sets element `i` to `f(i)` for every i, in order.
    mutating func fill(_ f: (Int) -> Double) {
        makeUnique()
        for i in 0..<storage.count { storage.set(i, f(i)) }
    }

    // MARK: Properties

    /// The element type.
    public var dtype: DType { storage.dtype }
    /// The number of dimensions.
    public var rank: Int { shape.count }
    /// The number of elements (the product of `shape`; 1 for a scalar).
    public var count: Int { storage.count }
    /// True when operations on this tensor are recorded for differentiation.
    public var isTracked: Bool { node != nil }

    /// The same values, no longer recorded for differentiation (a stop-gradient).
    public var detached: Tensor { Tensor(shape: shape, storage: storage) }

    /// The elements in row-major order, as `Float`.
    public var floats: [Float] {
        switch dtype {
        case .float32: return Array(UnsafeBufferPointer(start: storage.floats, count: count))
        case .float64: let p = storage.doubles; return (0..<count).map { Float(p[$0]) }
        }
    }

    /// The elements in row-major order, as `Double`.
    public var doubles: [Double] {
        switch dtype {
        case .float32: let p = storage.floats; return (0..<count).map { Double(p[$0]) }
        case .float64: return Array(UnsafeBufferPointer(start: storage.doubles, count: count))
        }
    }

    /// The only element of a one-element tensor, as `Double`.
    public var scalarValue: Double {
        precondition(count == 1, "scalarValue of a tensor of shape \(shape)")
        return storage.double(at: 0)
    }

    /// Element at row-major position `i`, as `Double`.
    public subscript(flat i: Int) -> Double {
        get { precondition(i >= 0 && i < count, "flat index \(i) out of range"); return storage.double(at: i) }
        set { precondition(i >= 0 && i < count, "flat index \(i) out of range"); makeUnique(); storage.set(i, newValue) }
    }

    /// Element at multi-index `index`, as `Double`.
    public subscript(_ index: Int...) -> Double {
        get { storage.double(at: flatIndex(index)) }
        set { let i = flatIndex(index); makeUnique(); storage.set(i, newValue) }
    }

    func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == rank, "index \(index) for shape \(shape)")
        var off = 0
        for d in 0..<rank {
            precondition(index[d] >= 0 && index[d] < shape[d], "index \(index) out of range for shape \(shape)")
            off = off * shape[d] + index[d]
        }
        return off
    }

    /// Copies the buffer if it is shared and drops the tape node: a tensor about to be written in
    /// place is no longer the recorded value.
    mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
        node = nil
    }

    /// Same values converted to `dtype` (not recorded on the tape; see `converted(to:)` for the recorded form).
    func convertedValue(to dtype: DType) -> Tensor {
        if dtype == self.dtype { return detached }
        var out = Tensor(uninitialized: shape, dtype: dtype)
        switch dtype {
        case .float32: let s = storage.doubles, d = out.storage.floats; for i in 0..<count { d[i] = Float(s[i]) }
        case .float64: let s = storage.floats, d = out.storage.doubles; for i in 0..<count { d[i] = Double(s[i]) }
        }
        out.node = nil
        return out
    }

    /// True when both tensors have the same dtype, shape and bit patterns.
    public func bitwiseEqual(_ other: Tensor) -> Bool {
        dtype == other.dtype && shape == other.shape
            && memcmp(storage.base, other.storage.base, count * dtype.byteSize) == 0
    }

    /// Largest absolute element (0 for an empty tensor).
    public var maxAbs: Double {
        var m = 0.0
        for i in 0..<count { m = Swift.max(m, Swift.abs(storage.double(at: i))) }
        return m
    }

    /// True when every element is finite.
    public var isFinite: Bool {
        for i in 0..<count where !storage.double(at: i).isFinite { return false }
        return true
    }

    public var description: String {
        let vals = doubles.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor<\(dtype)>\(shape)[\(vals)\(count > 8 ? ", …" : "")]"
    }

    static func elementCount(_ shape: [Int]) -> Int {
        var n = 1
        for d in shape { precondition(d >= 0, "negative dimension in \(shape)"); n *= d }
        return n
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
