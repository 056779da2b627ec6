import MRCore
import Testing
@testable import MRNeural
#if canImport(Glibc)
import Glibc
#endif

@Suite("Vectorised float32 kernels")
struct FastMathTests {
    /// Inputs spread over the useful range, plus edge values.
    func grid() -> [Float] {
        var xs: [Float] = stride(from: -30.0, through: 30.0, by: 0.0137).map { Float($0) }
        xs += [0, -0.0, 1e-8, -1e-8, 1e-3, 0.6249, 0.625, 0.6251, -0.625, 9, -9, 50, -50, 87, -87, 100, -100]
        return xs
    }

    @Test("exp, tanh and sigmoid agree with float64 libm")
    func accuracy() {
        let xs = grid()
        var worstExp = 0.0, worstTanh = 0.0, worstSig = 0.0
        for x in xs {
            let d = Double(x)
            if abs(d) < 80 {
                let e = Glibc.exp(d)
                worstExp = max(worstExp, abs(Double(fastExpf(x)) - e) / e)
            }
            worstTanh = max(worstTanh, abs(Double(fastTanhf(x)) - Glibc.tanh(d)))
            worstSig = max(worstSig, abs(Double(fastSigmoidf(x)) - 1 / (1 + Glibc.exp(-d))))
        }
        // Relative error of tanh near 0 (the polynomial branch keeps it relative, not just absolute).
        for x: Float in [1e-6, 1e-4, 0.01, 0.3, -0.3] {
            #expect(abs(Double(fastTanhf(x)) - Glibc.tanh(Double(x))) / abs(Glibc.tanh(Double(x))) < 3e-7)
        }
        print("== float32 fast kernels vs float64 libm: exp max rel error \(fmt(worstExp)), tanh max abs error \(fmt(worstTanh)), sigmoid max abs error \(fmt(worstSig))")
        #expect(worstExp < 3e-7)
        #expect(worstTanh < 3e-7)
        #expect(worstSig < 3e-7)
        #expect(fastTanhf(100) == 1 && fastTanhf(-100) == -1)
        #expect(fastSigmoidf(-100) >= 0 && fastSigmoidf(100) == 1)
        #expect(fastExpf(0) == 1)
    }

    @Test("float32 tensor ops use the fast kernels and match float64 ops")
    func tensorOps() {
        var g = SeededGenerator(seed: 8)
        let x64 = Tensor.randomNormal([1000], std: 5, dtype: .float64, using: &g)
        let x32 = x64.converted(to: .float32)
        for (name, f) in [("exp", { (t: Tensor) in (t * 0.3).exp() }), ("tanh", { $0.tanh() }), ("sigmoid", { $0.sigmoid() })] {
            let a = f(x64).doubles, b = f(x32).doubles
            let err = zip(a, b).map { abs($0 - $1) / max(1, abs($0)) }.max()!
            #expect(err < 1e-6, "\(name): \(err)")
        }
    }

    @Test("float32 square root and Adam kernel match float64")
    func adamAndSqrt() {
        for x: Float in [0, 1e-31, 1e-20, 1e-8, 0.25, 2, 1e6, 3.4e38] {
            let s = Double(fastSqrtf(x)), r = Double(x).squareRoot()
            #expect(x < 1e-30 ? s == 0 : abs(s - r) / r < 2.5e-7, "sqrt(\(x)) = \(s), expected \(r)")
        }
        var g = SeededGenerator(seed: 9)
        let p64 = Parameters([("w", Tensor.randomNormal([37], dtype: .float64, using: &g))])
        var a64 = p64, a32 = p64.converted(to: .float32)
        var o64 = Adam(learningRate: 0.01, weightDecay: 0.1), o32 = o64
        for _ in 0..<10 {
            let gr = p64.mapTensors { _ in Tensor.randomNormal([37], dtype: .float64, using: &g) }
            o64.update(&a64, along: gr)
            o32.update(&a32, along: gr.converted(to: .float32))
        }
        let err = zip(a64["w"].doubles, a32["w"].doubles).map { abs($0 - $1) }.max()!
        #expect(err < 1e-5)
    }
}
