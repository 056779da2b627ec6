/// An ordered set of named tensors: the parameters of one or more networks, their gradients,
/// optimiser moments, or any vector in parameter space.
///
/// Parameters live outside the networks. A network is a function `(Parameters, input) → output`,
/// so MAML's adapted θ′ = θ − α∇L(θ) is simply another `Parameters` applied to the same network, and
/// a gradient has the same type, names and shapes as what it is the gradient of. The arithmetic
/// below is built from tensor operations, hence differentiable when the tensors are tracked.
public struct Parameters: Sendable, Sequence, CustomStringConvertible {
    /// Names in order (unique).
    public private(set) var names: [String]
    /// Tensors in the order of `names`.
    public internal(set) var tensors: [Tensor]
    private var lookup: [String: Int]

    /// The empty set.
    public init() { names = []; tensors = []; lookup = [:] }

    /// A set from (name, tensor) pairs in order; names must be unique.
    public init(_ entries: [(String, Tensor)]) {
        self.init()
        for (n, t) in entries { append(n, t) }
    }

    /// A set from parallel arrays of names and tensors.
    public init(names: [String], tensors: [Tensor]) {
        precondition(names.count == tensors.count, "Parameters: \(names.count) names for \(tensors.count) tensors")
        self.init()
        for (n, t) in zip(names, tensors) { append(n, t) }
    }

    /// Adds a tensor at the end; `name` must be new.
    public mutating func append(_ name: String, _ tensor: Tensor) {
        precondition(lookup[name] == nil, "Parameters: duplicate name \(name)")
        lookup[name] = names.count
        names.append(name)
        tensors.append(tensor)
    }

    /// The tensor named `name` (which must exist); setting replaces it (shape may change) or appends a new name.
    public subscript(name: String) -> Tensor {
        get {
            guard let i = lookup[name] else { preconditionFailure("Parameters: no tensor named \(name); have \(names)") }
            return tensors[i]
        }
        set {
            if let i = lookup[name] { tensors[i] = newValue } else { append(name, newValue) }
        }
    }

    /// The tensor at position `i`.
    public subscript(index i: Int) -> Tensor {
        get { tensors[i] }
        set { tensors[i] = newValue }
    }

    /// True when a tensor is named `name`.
    public func contains(_ name: String) -> Bool { lookup[name] != nil }
    /// Number of tensors.
    public var count: Int { names.count }
    /// Total number of scalars.
    public var scalarCount: Int { tensors.reduce(0) { $0 + $1.count } }
    /// The shapes in order.
    public var shapes: [[Int]] { tensors.map { $0.shape } }

    /// The (name, tensor) pairs in order.
    public func makeIterator() -> AnyIterator<(name: String, tensor: Tensor)> {
        var i = 0
        return AnyIterator { [names, tensors] in
            guard i < names.count else { return nil }
            defer { i += 1 }
            return (names[i], tensors[i])
        }
    }

    public var description: String {
        "Parameters(" + zip(names, tensors).map { "\($0): \($1.dtype)\($1.shape)" }.joined(separator: ", ") + ")"
    }

    // MARK: Maps

    /// Same names, each tensor transformed by `f`.
    public func mapTensors(_ f: (Tensor) throws -> Tensor) rethrows -> Parameters {
        var p = self
        for i in 0..<count { p.tensors[i] = try f(tensors[i]) }
        return p
    }

    /// Same names, f applied to corresponding tensors; the two sets must have the same names in order.
    public func zipTensors(_ other: Parameters, _ f: (Tensor, Tensor) throws -> Tensor) rethrows -> Parameters {
        precondition(names == other.names, "Parameters: sets differ (\(names) vs \(other.names))")
        var p = self
        for i in 0..<count { p.tensors[i] = try f(tensors[i], other.tensors[i]) }
        return p
    }

    /// Same values, untracked.
    public var detached: Parameters { mapTensors { $0.detached } }
    /// Zeros of the same names, shapes and dtypes.
    public func zerosLike() -> Parameters { mapTensors { Tensor.zeros($0.shape, dtype: $0.dtype) } }
    /// Same values in `dtype`.
    public func converted(to dtype: DType) -> Parameters { mapTensors { $0.converted(to: dtype) } }

    // MARK: Arithmetic (differentiable)

    /// Tensorwise sum.
    public static func + (a: Parameters, b: Parameters) -> Parameters { a.zipTensors(b) { $0 + $1 } }
    /// Tensorwise difference.
    public static func - (a: Parameters, b: Parameters) -> Parameters { a.zipTensors(b) { $0 - $1 } }
    /// Every tensor scaled by s.
    public static func * (s: Double, a: Parameters) -> Parameters { a.mapTensors { $0 * s } }
    /// Every tensor scaled by s.
    public static func * (a: Parameters, s: Double) -> Parameters { a.mapTensors { $0 * s } }
    /// Every tensor negated.
    public static prefix func - (a: Parameters) -> Parameters { a.mapTensors { -$0 } }

    /// The inner product Σᵢ ⟨aᵢ, bᵢ⟩ over all tensors, a rank-0 tensor.
    public func dot(_ other: Parameters) -> Tensor {
        precondition(names == other.names, "Parameters.dot: sets differ")
        guard count > 0 else { return Tensor(scalar: 0) }
        var acc = (tensors[0] * other.tensors[0]).sum()
        for i in 1..<count { acc = acc + (tensors[i] * other.tensors[i]).sum() }
        return acc
    }

    /// Σᵢ ‖aᵢ‖², a rank-0 tensor.
    public var squaredNorm: Tensor { dot(self) }

    /// The Euclidean norm of all scalars together, as a number (not recorded).
    public func globalNorm() -> Double {
        var acc = 0.0
        for t in tensors {
            switch t.dtype {
            case .float32: acc += sumOfSquaresFloat(t.storage.floats, t.count)
            case .float64: acc += dotKernel(t.storage.doubles, t.storage.doubles, t.count)
            }
        }
        return acc.squareRoot()
    }

    /// The set scaled by min(1, maxNorm/‖·‖) (global-norm clipping) and the norm before clipping.
    public func clippedByGlobalNorm(_ maxNorm: Double) -> (clipped: Parameters, norm: Double) {
        let n = globalNorm()
        guard n > maxNorm, n.isFinite else { return (self, n) }
        return (self.detached * (maxNorm / n), n)
    }

    /// ⟨a, b⟩ as a number (not recorded).
    public func dotValue(_ other: Parameters) -> Double {
        precondition(names == other.names, "Parameters.dotValue: sets differ")
        var acc = 0.0
        for (a, b) in zip(tensors, other.tensors) {
            precondition(a.shape == b.shape && a.dtype == b.dtype, "Parameters.dotValue: shapes differ")
            switch a.dtype {
            case .float32: acc += dotKernel(a.storage.floats, b.storage.floats, a.count)
            case .float64: acc += dotKernel(a.storage.doubles, b.storage.doubles, a.count)
            }
        }
        return acc
    }

    /// In place, self ← s·self + t·other (untracked; for optimisers, Polyak averaging, conjugate gradient).
    public mutating func combine(scale s: Double, with other: Parameters, scale t: Double) {
        precondition(names == other.names, "Parameters.combine: sets differ")
        for i in 0..<count {
            let o = other.tensors[i]
            precondition(tensors[i].shape == o.shape && tensors[i].dtype == o.dtype, "Parameters.combine: \(names[i]) differs")
            tensors[i].makeUnique()
            let n = o.count
            switch o.dtype {
            case .float32: axpbyKernel(tensors[i].storage.floats, Float(s), o.storage.floats, Float(t), n)
            case .float64: axpbyKernel(tensors[i].storage.doubles, s, o.storage.doubles, t, n)
            }
        }
    }

    /// Polyak averaging in place: self ← (1 − τ)·self + τ·other.
    public mutating func moveToward(_ other: Parameters, fraction tau: Double) {
        combine(scale: 1 - tau, with: other, scale: tau)
    }

    // MARK: Structure

    /// The union of two sets with disjoint names (self's first).
    public func merging(_ other: Parameters) -> Parameters {
        var p = self
        for (n, t) in zip(other.names, other.tensors) { p.append(n, t) }
        return p
    }

    /// The same tensors with `prefix` prepended to every name.
    public func prefixed(_ prefix: String) -> Parameters {
        Parameters(names: names.map { prefix + $0 }, tensors: tensors)
    }

    /// The tensors whose names start with `prefix`, optionally with the prefix removed.
    public func filtered(prefix: String, droppingPrefix: Bool = false) -> Parameters {
        var p = Parameters()
        for (n, t) in zip(names, tensors) where n.hasPrefix(prefix) {
            p.append(droppingPrefix ? String(n.dropFirst(prefix.count)) : n, t)
        }
        return p
    }

    /// All scalars as one vector, in order (differentiable).
    public func flattened() -> Tensor {
        guard count > 0 else { return Tensor.zeros([0]) }
        return concat(tensors.map { $0.reshaped(to: [$0.count]) }, alongAxis: 0)
    }

    /// A set with the names and shapes of this one holding the scalars of `flat` (differentiable).
    public func unflattening(_ flat: Tensor) -> Parameters {
        precondition(flat.rank == 1 && flat.count == scalarCount, "unflattening: \(flat.shape) for \(scalarCount) scalars")
        var p = self
        var at = 0
        for i in 0..<count {
            let n = tensors[i].count
            p.tensors[i] = flat.slice(alongAxis: 0, at ..< at + n).reshaped(to: tensors[i].shape)
            at += n
        }
        return p
    }

    /// True when names, dtypes, shapes and bit patterns all agree.
    public func bitwiseEqual(_ other: Parameters) -> Bool {
        names == other.names && zip(tensors, other.tensors).allSatisfy { $0.bitwiseEqual($1) }
    }

    /// True when every scalar is finite.
    public var isFinite: Bool { tensors.allSatisfy { $0.isFinite } }
}
