#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Plain loops over unsafe buffers. Each generic kernel is called with a concrete Float or Double
// pointer, so it is specialised and the closures are inlined into vectorisable loops. The
// `@_specialize` attributes give callers in other files the specialised entry points in builds
// without whole-module optimisation (debug builds, which `swift test` uses): without them those
// callers ran the generic code through witness tables, several times slower. Whole-module (release)
// builds specialise at the call sites anyway; the arithmetic is the same either way.

/// Elementwise functions of one tensor.
enum UnaryOp: Sendable {
    case neg, exp, log, tanh, sigmoid, relu, softplus, sqrt, square
}

/// Elementwise functions of two tensors (with broadcasting).
enum BinaryOp: Sendable {
    case add, sub, mul, div, minimum, maximum
    /// g·(1 − y²): derivative of tanh given its output y (a = g, b = y).
    case tanhGrad
    /// g·y·(1 − y): derivative of the logistic sigmoid given its output y.
    case sigmoidGrad
    /// g·[y > 0]: derivative of ReLU given its output y.
    case reluGrad
    /// 1 if a ≤ b else 0 (a mask; not differentiable).
    case lessEqual
    /// 1 if a > b else 0.
    case greater
}

@inline(__always)
func stableSigmoid<S: NeuralScalar>(_ x: S) -> S {
    if x >= 0 { return 1 / (1 + S.fexp(-x)) }
    let e = S.fexp(x)
    return e / (1 + e)
}

@inline(__always)
func stableSoftplus<S: NeuralScalar>(_ x: S) -> S {
    (x > 0 ? x : 0) + S.flog1p(S.fexp(-Swift.abs(x)))
}

@inline(__always)
func unaryLoop<S: NeuralScalar>(_ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, _ n: Int, _ f: (S) -> S) {
    for i in 0..<n { y[i] = f(x[i]) }
}

@_specialize(where S == Float)
@_specialize(where S == Double)
func unaryKernel<S: NeuralScalar>(_ op: UnaryOp, _ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, _ n: Int) {
    switch op {
    case .neg: unaryLoop(x, y, n) { -$0 }
    case .exp: unaryLoop(x, y, n) { S.fexp($0) }
    case .log: unaryLoop(x, y, n) { S.flog($0) }
    case .tanh: unaryLoop(x, y, n) { S.ftanh($0) }
    case .sigmoid: unaryLoop(x, y, n) { stableSigmoid($0) }
    case .relu: unaryLoop(x, y, n) { $0 > 0 ? $0 : 0 }
    case .softplus: unaryLoop(x, y, n) { stableSoftplus($0) }
    case .sqrt: unaryLoop(x, y, n) { S.fsqrt($0) }
    case .square: unaryLoop(x, y, n) { $0 * $0 }
    }
}

/// y = x·scale + shift.
@_specialize(where S == Float)
@_specialize(where S == Double)
func affineScalarKernel<S: NeuralScalar>(_ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, _ n: Int, _ scale: S, _ shift: S) {
    if shift == 0 { for i in 0..<n { y[i] = x[i] * scale } }
    else if scale == 1 { for i in 0..<n { y[i] = x[i] + shift } }
    else { for i in 0..<n { y[i] = x[i] * scale + shift } }
}

/// y = clamp(x, lo, hi), or with `mask`, y = 1 where lo ≤ x ≤ hi and 0 elsewhere.
@_specialize(where S == Float)
@_specialize(where S == Double)
func clampKernel<S: NeuralScalar>(_ x: UnsafePointer<S>, _ y: UnsafeMutablePointer<S>, _ n: Int, _ lo: S, _ hi: S, mask: Bool) {
    if mask { for i in 0..<n { y[i] = (x[i] >= lo && x[i] <= hi) ? 1 : 0 } }
    else { for i in 0..<n { let v = x[i]; y[i] = v < lo ? lo : (v > hi ? hi : v) } }
}

/// The strided inner loop of a binary operation: `sa`, `sb` are 0 (broadcast) or 1 (contiguous).
@inline(__always)
func binaryRow<S: NeuralScalar>(_ a: UnsafePointer<S>, _ sa: Int, _ b: UnsafePointer<S>, _ sb: Int,
                                _ o: UnsafeMutablePointer<S>, _ n: Int, _ f: (S, S) -> S) {
    if sa == 1 && sb == 1 { for i in 0..<n { o[i] = f(a[i], b[i]) } }
    else if sa == 1 { let v = b[0]; for i in 0..<n { o[i] = f(a[i], v) } }
    else if sb == 1 { let u = a[0]; for i in 0..<n { o[i] = f(u, b[i]) } }
    else { let r = f(a[0], b[0]); for i in 0..<n { o[i] = r } }
}

/// out[idx] = f(a[idx·aStrides], b[idx·bStrides]) over `shape` (strides are 0 along broadcast axes).
@inline(__always)
func stridedBinary<S: NeuralScalar>(_ a: UnsafePointer<S>, _ aStr: [Int], _ b: UnsafePointer<S>, _ bStr: [Int],
                                    _ out: UnsafeMutablePointer<S>, _ shape: [Int], _ f: (S, S) -> S) {
    let r = shape.count
    if r == 0 { out[0] = f(a[0], b[0]); return }
    let inner = shape[r - 1]
    let sa = aStr[r - 1], sb = bStr[r - 1]
    let total = Tensor.elementCount(shape)
    if total == 0 { return }
    if r == 1 { binaryRow(a, sa, b, sb, out, inner, f); return }
    if r == 2 {
        var ao = 0, bo = 0
        for row in 0..<shape[0] {
            binaryRow(a + ao, sa, b + bo, sb, out + row * inner, inner, f)
            ao += aStr[0]; bo += bStr[0]
        }
        return
    }
    var idx = [Int](repeating: 0, count: r - 1)
    var ao = 0, bo = 0, oo = 0
    while oo < total {
        binaryRow(a + ao, sa, b + bo, sb, out + oo, inner, f)
        oo += inner
        var d = r - 2
        while d >= 0 {
            idx[d] += 1; ao += aStr[d]; bo += bStr[d]
            if idx[d] < shape[d] { break }
            ao -= aStr[d] * shape[d]; bo -= bStr[d] * shape[d]; idx[d] = 0
            d -= 1
        }
    }
}

@_specialize(where S == Float)
@_specialize(where S == Double)
func binaryKernel<S: NeuralScalar>(_ op: BinaryOp, _ a: UnsafePointer<S>, _ aStr: [Int], _ b: UnsafePointer<S>, _ bStr: [Int],
                                   _ out: UnsafeMutablePointer<S>, _ shape: [Int]) {
    switch op {
    case .add: stridedBinary(a, aStr, b, bStr, out, shape) { $0 + $1 }
    case .sub: stridedBinary(a, aStr, b, bStr, out, shape) { $0 - $1 }
    case .mul: stridedBinary(a, aStr, b, bStr, out, shape) { $0 * $1 }
    case .div: stridedBinary(a, aStr, b, bStr, out, shape) { $0 / $1 }
    case .minimum: stridedBinary(a, aStr, b, bStr, out, shape) { $0 <= $1 ? $0 : $1 }
    case .maximum: stridedBinary(a, aStr, b, bStr, out, shape) { $0 >= $1 ? $0 : $1 }
    case .tanhGrad: stridedBinary(a, aStr, b, bStr, out, shape) { $0 * (1 - $1 * $1) }
    case .sigmoidGrad: stridedBinary(a, aStr, b, bStr, out, shape) { $0 * $1 * (1 - $1) }
    case .reluGrad: stridedBinary(a, aStr, b, bStr, out, shape) { $1 > 0 ? $0 : 0 }
    case .lessEqual: stridedBinary(a, aStr, b, bStr, out, shape) { $0 <= $1 ? 1 : 0 }
    case .greater: stridedBinary(a, aStr, b, bStr, out, shape) { $0 > $1 ? 1 : 0 }
    }
}

/// out[o, i] = Σ_j x[o, j, i] for x viewed as [outer, n, inner].
@_specialize(where S == Float)
@_specialize(where S == Double)
func sumAxisKernel<S: NeuralScalar>(_ x: UnsafePointer<S>, _ out: UnsafeMutablePointer<S>, outer: Int, n: Int, inner: Int) {
    if inner == 1 {
        for o in 0..<outer {
            let row = x + o * n
            var acc: Double = 0
            for j in 0..<n { acc += Double(row[j]) }
            out[o] = S(acc)
        }
        return
    }
    for o in 0..<outer {
        let dst = out + o * inner
        let src = x + o * n * inner
        for i in 0..<inner { dst[i] = 0 }
        for j in 0..<n {
            let row = src + j * inner
            for i in 0..<inner { dst[i] += row[i] }
        }
    }
}

/// a += b elementwise.
@_specialize(where S == Float)
@_specialize(where S == Double)
func addInPlaceKernel<S: NeuralScalar>(_ a: UnsafeMutablePointer<S>, _ b: UnsafePointer<S>, _ n: Int) {
    for i in 0..<n { a[i] += b[i] }
}

/// a = a·s + b·t elementwise.
@_specialize(where S == Float)
@_specialize(where S == Double)
func axpbyKernel<S: NeuralScalar>(_ a: UnsafeMutablePointer<S>, _ s: S, _ b: UnsafePointer<S>, _ t: S, _ n: Int) {
    for i in 0..<n { a[i] = a[i] * s + b[i] * t }
}

/// Σ a·b accumulated in Double.
@_specialize(where S == Float)
@_specialize(where S == Double)
func dotKernel<S: NeuralScalar>(_ a: UnsafePointer<S>, _ b: UnsafePointer<S>, _ n: Int) -> Double {
    var acc: Double = 0
    for i in 0..<n { acc += Double(a[i]) * Double(b[i]) }
    return acc
}

/// Adam's update of one tensor (Kingma & Ba 2015, bias-corrected), in place:
/// m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − lr·m̂/(√v̂ + ε) − lr·λθ.
@_specialize(where S == Float)
@_specialize(where S == Double)
func adamKernel<S: NeuralScalar>(_ p: UnsafeMutablePointer<S>, _ g: UnsafePointer<S>, _ m: UnsafeMutablePointer<S>,
                                 _ v: UnsafeMutablePointer<S>, _ n: Int, lr: S, b1: S, b2: S, eps: S,
                                 c1: S, c2: S, gscale: S, decay: S) {
    let sc2 = S.fsqrt(c2)
    for i in 0..<n {
        let gi = g[i] * gscale
        let mi = b1 * m[i] + (1 - b1) * gi
        let vi = b2 * v[i] + (1 - b2) * gi * gi
        m[i] = mi
        v[i] = vi
        p[i] = p[i] - lr * ((mi / c1) / (S.fsqrt(vi) / sc2 + eps)) - lr * decay * p[i]
    }
}
