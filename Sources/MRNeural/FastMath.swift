// Branch-free single-precision exp, sigmoid and tanh written as plain loops the compiler
// vectorises (no libm calls in the loop body). Used for float32 tensors only; float64 keeps libm.
//
// exp: Cephes' expf. x = n·ln2 + g with n = round(x/ln2) (by the 1.5·2²³ trick, which also yields
// n's bits), e^g by a degree-6 polynomial on |g| ≤ ln2/2, 2ⁿ by building the exponent field.
// Relative error ≤ 2 ulp on [−87, 88]; inputs are clamped there.

@inline(__always)
func fastExpf(_ x0: Float) -> Float {
    let x = x0 < -87.0 ? -87.0 : (x0 > 88.0 ? 88.0 : x0)
    let t = x * 1.44269504088896341 + 12582912.0
    let r = t - 12582912.0
    let n = t.bitPattern &- 0x4B40_0000
    let g = (x - r * 0.693359375) - r * -2.12194440e-4
    var p: Float = 1.9875691500e-4
    p = p * g + 1.3981999507e-3
    p = p * g + 8.3334519073e-3
    p = p * g + 4.1665795894e-2
    p = p * g + 1.6666665459e-1
    p = p * g + 5.0000001201e-1
    p = p * (g * g) + g + 1
    return p * Float(bitPattern: (n &+ 127) &<< 23)
}

/// tanh: Cephes' odd polynomial for |x| < 0.625, else 1 − 2/(e^{2|x|} + 1) with the sign of x.
@inline(__always)
func fastTanhf(_ x: Float) -> Float {
    let z = x * x
    var p: Float = -5.70498872745e-3
    p = p * z + 2.06390887954e-2
    p = p * z - 5.37397155531e-2
    p = p * z + 1.33314422036e-1
    p = p * z - 3.33332819422e-1
    let small = p * z * x + x
    let ax = x < 0 ? -x : x
    let e = fastExpf(2 * (ax > 10 ? 10 : ax))
    let big = 1 - 2 / (e + 1)
    let signedBig = x < 0 ? -big : big
    return ax < 0.625 ? small : signedBig
}

/// σ(x) = 1/(1 + e^{−x}).
@inline(__always)
func fastSigmoidf(_ x: Float) -> Float { 1 / (1 + fastExpf(-x)) }

func fastExpKernel(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { y[i] = fastExpf(x[i]) }
}

func fastTanhKernel(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { y[i] = fastTanhf(x[i]) }
}

func fastSigmoidKernel(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ n: Int) {
    for i in 0..<n { y[i] = fastSigmoidf(x[i]) }
}

/// √x for x ≥ 0 without a libm call (Float.squareRoot() calls sqrtf for errno, which blocks
/// vectorisation): the 0x5F375A86 reciprocal-square-root estimate refined by three Newton steps
/// (relative error ≈ 1e-7, i.e. ~1 ulp); inputs below 1e-30 give 0.
@inline(__always)
func fastSqrtf(_ x: Float) -> Float {
    let h = 0.5 * x
    var y = Float(bitPattern: 0x5F37_5A86 &- (x.bitPattern >> 1))
    y = y * (1.5 - h * y * y)
    y = y * (1.5 - h * y * y)
    y = y * (1.5 - h * y * y)
    return x > 1e-30 ? x * y : 0
}

/// Adam's update for float32 (see `adamKernel`), as a loop the compiler vectorises: the constants
/// are hoisted and the four buffers are walked once.
func adamKernelFloat(_ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                     _ v: UnsafeMutablePointer<Float>, _ n: Int, lr: Float, b1: Float, b2: Float, eps: Float,
                     c1: Float, c2: Float, gscale: Float, decay: Float) {
    let isc2 = 1 / fastSqrtf(c2)
    let step = lr / c1, ob1 = 1 - b1, ob2 = 1 - b2, keep = 1 - lr * decay
    for i in 0..<n {
        let gi = g[i] * gscale
        let mi = m[i] * b1 + gi * ob1
        let vi = v[i] * b2 + (gi * gi) * ob2
        m[i] = mi
        v[i] = vi
        p[i] = p[i] * keep - step * mi / (fastSqrtf(vi) * isc2 + eps)
    }
}

/// Σ x² for float32 in 8 partial sums (then in Double).
func sumOfSquaresFloat(_ x: UnsafePointer<Float>, _ n: Int) -> Double {
    typealias V = SIMD8<Float>
    var acc = V()
    var i = 0
    let r = UnsafeRawPointer(x)
    var total = 0.0
    while i + 8 <= n {
        let v = r.loadUnaligned(fromByteOffset: i * 4, as: V.self)
        acc += v * v
        i += 8
        if i & 4095 == 0 { total += Double(acc.sum()); acc = V() }
    }
    total += Double(acc.sum())
    while i < n { total += Double(x[i]) * Double(x[i]); i += 1 }
    return total
}
