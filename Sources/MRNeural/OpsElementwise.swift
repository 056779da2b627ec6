// Elementwise primitives. Each has exactly one derivative rule, written with primitives, so the
// rules can themselves be differentiated.

extension Tensor {
    // MARK: Value kernels (untracked)

    func unaryValue(_ op: UnaryOp) -> Tensor {
        var out = Tensor(uninitialized: shape, dtype: dtype)
        switch dtype {
        case .float32:
            switch op {
            case .exp: fastExpKernel(storage.floats, out.storage.floats, count)
            case .tanh: fastTanhKernel(storage.floats, out.storage.floats, count)
            case .sigmoid: fastSigmoidKernel(storage.floats, out.storage.floats, count)
            default: unaryKernel(op, storage.floats, out.storage.floats, count)
            }
        case .float64: unaryKernel(op, storage.doubles, out.storage.doubles, count)
        }
        out.node = nil
        return out
    }

    /// The shape two shapes broadcast to (NumPy rules), or nil when they are incompatible.
    static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let r = Swift.max(a.count, b.count)
        var out = [Int](repeating: 1, count: r)
        for d in 0..<r {
            let x = d < r - a.count ? 1 : a[d - (r - a.count)]
            let y = d < r - b.count ? 1 : b[d - (r - b.count)]
            if x == y || y == 1 { out[d] = x } else if x == 1 { out[d] = y } else { return nil }
        }
        return out
    }

    /// Strides for reading a tensor of `shape` as if it had shape `outShape` (0 on broadcast axes).
    static func broadcastStrides(_ shape: [Int], to outShape: [Int]) -> [Int] {
        let r = outShape.count
        var strides = [Int](repeating: 0, count: r)
        var s = 1
        for d in stride(from: r - 1, through: 0, by: -1) {
            let k = d - (r - shape.count)
            if k < 0 { break }
            strides[d] = (shape[k] == 1 && outShape[d] != 1) ? 0 : s
            s *= shape[k]
        }
        return strides
    }

    static func binaryValue(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.dtype == b.dtype, "elementwise operation on \(a.dtype) and \(b.dtype)")
        let outShape: [Int]
        let sa: [Int], sb: [Int], loopShape: [Int]
        if a.shape == b.shape {
            outShape = a.shape; loopShape = [a.count]; sa = [1]; sb = [1]
        } else if b.count == 1 && b.rank <= a.rank {
            outShape = a.shape; loopShape = [a.count]; sa = [1]; sb = [0]
        } else if a.count == 1 && a.rank <= b.rank {
            outShape = b.shape; loopShape = [b.count]; sa = [0]; sb = [1]
        } else {
            guard let s = broadcastShape(a.shape, b.shape) else {
                preconditionFailure("shapes \(a.shape) and \(b.shape) do not broadcast")
            }
            outShape = s; loopShape = s
            sa = broadcastStrides(a.shape, to: s); sb = broadcastStrides(b.shape, to: s)
        }
        var out = Tensor(uninitialized: outShape, dtype: a.dtype)
        switch a.dtype {
        case .float32: binaryKernel(op, a.storage.floats, sa, b.storage.floats, sb, out.storage.floats, loopShape)
        case .float64: binaryKernel(op, a.storage.doubles, sa, b.storage.doubles, sb, out.storage.doubles, loopShape)
        }
        out.node = nil
        return out
    }

    func scaledValue(_ scale: Double, plus shift: Double) -> Tensor {
        var out = Tensor(uninitialized: shape, dtype: dtype)
        switch dtype {
        case .float32: affineScalarKernel(storage.floats, out.storage.floats, count, Float(scale), Float(shift))
        case .float64: affineScalarKernel(storage.doubles, out.storage.doubles, count, scale, shift)
        }
        out.node = nil
        return out
    }

    func clampValue(_ lo: Double, _ hi: Double, mask: Bool) -> Tensor {
        var out = Tensor(uninitialized: shape, dtype: dtype)
        switch dtype {
        case .float32: clampKernel(storage.floats, out.storage.floats, count, Float(lo), Float(hi), mask: mask)
        case .float64: clampKernel(storage.doubles, out.storage.doubles, count, lo, hi, mask: mask)
        }
        out.node = nil
        return out
    }

    /// self += other (same shape and dtype), in place, copying first if the buffer is shared.
    mutating func addInPlace(_ other: Tensor) {
        precondition(shape == other.shape && dtype == other.dtype, "addInPlace: \(shape) += \(other.shape)")
        makeUnique()
        switch dtype {
        case .float32: addInPlaceKernel(storage.floats, other.storage.floats, count)
        case .float64: addInPlaceKernel(storage.doubles, other.storage.doubles, count)
        }
    }

    // MARK: Recorded primitives

    static func binary(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) -> Tensor {
        let v = binaryValue(op, a, b)
        guard a.node != nil || b.node != nil else { return v }
        let sa = a.shape, sb = b.shape
        switch op {
        case .add:
            return record(v, [a, b]) { c in [c.needs[0] ? c.grad.sum(toShape: sa) : nil, c.needs[1] ? c.grad.sum(toShape: sb) : nil] }
        case .sub:
            return record(v, [a, b]) { c in [c.needs[0] ? c.grad.sum(toShape: sa) : nil, c.needs[1] ? (-c.grad).sum(toShape: sb) : nil] }
        case .mul:
            return record(v, [a, b], saving: [a, b]) { c in
                [c.needs[0] ? (c.grad * c.saved[1]).sum(toShape: sa) : nil,
                 c.needs[1] ? (c.grad * c.saved[0]).sum(toShape: sb) : nil]
            }
        case .div:
            // d(a/b)/da = 1/b, d(a/b)/db = −(a/b)/b.
            return record(v, [a, b], saving: [b], saveOutput: true) { c in
                [c.needs[0] ? (c.grad / c.saved[0]).sum(toShape: sa) : nil,
                 c.needs[1] ? (-(c.grad * c.output!) / c.saved[0]).sum(toShape: sb) : nil]
            }
        case .minimum:
            return record(v, [a, b], saving: [a, b]) { c in
                let ma = binaryValue(.lessEqual, c.saved[0].detached, c.saved[1].detached)
                return [c.needs[0] ? (c.grad * ma).sum(toShape: sa) : nil,
                        c.needs[1] ? (c.grad * (1.0 - ma)).sum(toShape: sb) : nil]
            }
        case .maximum:
            return record(v, [a, b], saving: [a, b]) { c in
                let ma = binaryValue(.lessEqual, c.saved[1].detached, c.saved[0].detached)
                return [c.needs[0] ? (c.grad * ma).sum(toShape: sa) : nil,
                        c.needs[1] ? (c.grad * (1.0 - ma)).sum(toShape: sb) : nil]
            }
        case .tanhGrad:
            // f(g, y) = g(1 − y²): ∂f/∂g = 1 − y², ∂f/∂y = −2gy.
            return record(v, [a, b], saving: [a, b]) { c in
                [c.needs[0] ? binary(.tanhGrad, c.grad, c.saved[1]) : nil,
                 c.needs[1] ? c.grad * c.saved[0] * c.saved[1] * -2.0 : nil]
            }
        case .sigmoidGrad:
            // f(g, y) = g·y(1 − y): ∂f/∂g = y(1 − y), ∂f/∂y = g(1 − 2y).
            return record(v, [a, b], saving: [a, b]) { c in
                [c.needs[0] ? binary(.sigmoidGrad, c.grad, c.saved[1]) : nil,
                 c.needs[1] ? c.grad * c.saved[0] * (1.0 - c.saved[1] * 2.0) : nil]
            }
        case .reluGrad:
            // f(g, y) = g·[y > 0]: ∂f/∂g = [y > 0], ∂f/∂y = 0 almost everywhere.
            return record(v, [a, b], saving: [b]) { c in
                [c.needs[0] ? binary(.reluGrad, c.grad, c.saved[0]) : nil, nil]
            }
        case .lessEqual, .greater:
            return v.detached
        }
    }

    func unary(_ op: UnaryOp) -> Tensor {
        let v = unaryValue(op)
        guard node != nil else { return v }
        switch op {
        case .neg: return Tensor.record(v, [self]) { c in [-c.grad] }
        case .exp: return Tensor.record(v, [self], saveOutput: true) { c in [c.grad * c.output!] }
        case .log: return Tensor.record(v, [self], saving: [self]) { c in [c.grad / c.saved[0]] }
        case .tanh: return Tensor.record(v, [self], saveOutput: true) { c in [Tensor.binary(.tanhGrad, c.grad, c.output!)] }
        case .sigmoid: return Tensor.record(v, [self], saveOutput: true) { c in [Tensor.binary(.sigmoidGrad, c.grad, c.output!)] }
        case .relu: return Tensor.record(v, [self], saveOutput: true) { c in [Tensor.binary(.reluGrad, c.grad, c.output!)] }
        case .softplus: return Tensor.record(v, [self], saving: [self]) { c in [c.grad * c.saved[0].sigmoid()] }
        case .sqrt: return Tensor.record(v, [self], saveOutput: true) { c in [c.grad / c.output! * 0.5] }
        case .square: return Tensor.record(v, [self], saving: [self]) { c in [c.grad * c.saved[0] * 2.0] }
        }
    }

    // MARK: Public elementwise API

    /// Elementwise sum with NumPy broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor { binary(.add, a, b) }
    /// Elementwise difference with broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(.sub, a, b) }
    /// Elementwise (Hadamard) product with broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(.mul, a, b) }
    /// Elementwise quotient with broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(.div, a, b) }
    /// Elementwise negation.
    public static prefix func - (a: Tensor) -> Tensor { a.unary(.neg) }

    /// x·s (a primitive: derivative s·g).
    public static func * (a: Tensor, s: Double) -> Tensor { a.affineScalar(scale: s, shift: 0) }
    /// s·x.
    public static func * (s: Double, a: Tensor) -> Tensor { a.affineScalar(scale: s, shift: 0) }
    /// x/s.
    public static func / (a: Tensor, s: Double) -> Tensor { a.affineScalar(scale: 1 / s, shift: 0) }
    /// x + s (a primitive: derivative g).
    public static func + (a: Tensor, s: Double) -> Tensor { a.affineScalar(scale: 1, shift: s) }
    /// s + x.
    public static func + (s: Double, a: Tensor) -> Tensor { a.affineScalar(scale: 1, shift: s) }
    /// x − s.
    public static func - (a: Tensor, s: Double) -> Tensor { a.affineScalar(scale: 1, shift: -s) }
    /// s − x.
    public static func - (s: Double, a: Tensor) -> Tensor { a.affineScalar(scale: -1, shift: s) }
    /// s / x.
    public static func / (s: Double, a: Tensor) -> Tensor { Tensor(scalar: s, dtype: a.dtype) / a }

    /// x·scale + shift for constants `scale` and `shift`. Derivative: scale·g.
    public func affineScalar(scale: Double, shift: Double) -> Tensor {
        let v = scaledValue(scale, plus: shift)
        return Tensor.record(v, [self]) { c in [c.grad.affineScalar(scale: scale, shift: 0)] }
    }

    /// eˣ elementwise. Derivative: g·eˣ.
    public func exp() -> Tensor { unary(.exp) }
    /// Natural logarithm elementwise. Derivative: g/x.
    public func log() -> Tensor { unary(.log) }
    /// Hyperbolic tangent elementwise. Derivative: g·(1 − tanh²x).
    public func tanh() -> Tensor { unary(.tanh) }
    /// Logistic sigmoid σ(x) = 1/(1 + e⁻ˣ) elementwise. Derivative: g·σ(1 − σ).
    public func sigmoid() -> Tensor { unary(.sigmoid) }
    /// max(x, 0) elementwise. Derivative: g·[x > 0] (0 at x = 0).
    public func relu() -> Tensor { unary(.relu) }
    /// log(1 + eˣ) elementwise, computed stably. Derivative: g·σ(x).
    public func softplus() -> Tensor { unary(.softplus) }
    /// √x elementwise. Derivative: g/(2√x).
    public func sqrt() -> Tensor { unary(.sqrt) }
    /// x² elementwise. Derivative: 2gx.
    public func squared() -> Tensor { unary(.square) }

    /// x clamped to [low, high] elementwise. Derivative: g where low ≤ x ≤ high, else 0.
    public func clamped(min low: Double, max high: Double) -> Tensor {
        let v = clampValue(low, high, mask: false)
        return Tensor.record(v, [self], saving: [self]) { c in [c.grad * c.saved[0].detached.clampValue(low, high, mask: true)] }
    }
}

/// Elementwise minimum with broadcasting; the gradient goes to `a` where a ≤ b, else to `b`.
public func minimum(_ a: Tensor, _ b: Tensor) -> Tensor { Tensor.binary(.minimum, a, b) }

/// Elementwise maximum with broadcasting; the gradient goes to `a` where a ≥ b, else to `b`.
public func maximum(_ a: Tensor, _ b: Tensor) -> Tensor { Tensor.binary(.maximum, a, b) }
