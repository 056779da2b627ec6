#if canImport(Glibc)
import Glibc
#endif
import MRCore
import Testing
@testable import MRNeural

/// One gradient check: inputs and a tensor-valued function of them.
struct GradCase {
    let name: String
    let inputs: [Tensor]
    let op: ([Tensor]) -> Tensor
}

func primitiveCases() -> [GradCase] {
    var g = SeededGenerator(seed: 2024)
    var cases: [GradCase] = []
    func add(_ name: String, _ inputs: [Tensor], _ op: @escaping ([Tensor]) -> Tensor) { cases.append(GradCase(name: name, inputs: inputs, op: op)) }

    add("add (same shape)", [randn([3, 4], &g), randn([3, 4], &g)]) { $0[0] + $0[1] }
    add("add (row broadcast [4])", [randn([3, 4], &g), randn([4], &g)]) { $0[0] + $0[1] }
    add("add (column broadcast [3,1])", [randn([3, 4], &g), randn([3, 1], &g)]) { $0[0] + $0[1] }
    add("add (rank-0 broadcast)", [randn([3, 4], &g), randn([], &g)]) { $0[0] + $0[1] }
    add("sub (rank-3 general broadcast)", [randn([4], &g), randn([2, 3, 4], &g)]) { $0[0] - $0[1] }
    add("mul (rank-3 broadcast [3,1])", [randn([2, 3, 4], &g), randn([3, 1], &g)]) { $0[0] * $0[1] }
    add("div (broadcast)", [randn([3, 4], &g), positive([4], &g)]) { $0[0] / $0[1] }
    add("neg", [randn([3, 4], &g)]) { -$0[0] }
    add("affineScalar", [randn([3, 4], &g)]) { $0[0] * 1.7 - 0.3 }
    add("exp", [randn([3, 4], &g)]) { $0[0].exp() }
    add("log", [positive([3, 4], &g)]) { $0[0].log() }
    add("tanh", [randn([3, 4], &g)]) { $0[0].tanh() }
    add("sigmoid", [randn([3, 4], &g, std: 3)]) { $0[0].sigmoid() }
    add("relu", [awayFromZero([3, 4], &g)]) { $0[0].relu() }
    add("softplus", [randn([3, 4], &g, std: 3)]) { $0[0].softplus() }
    add("sqrt", [positive([3, 4], &g)]) { $0[0].sqrt() }
    add("squared", [randn([3, 4], &g)]) { $0[0].squared() }
    add("clamped", [randn([3, 4], &g)]) { $0[0].clamped(min: -0.7, max: 0.7) }
    add("minimum (broadcast)", [randn([3, 4], &g), randn([4], &g)]) { minimum($0[0], $0[1]) }
    add("maximum (broadcast)", [randn([3, 4], &g), randn([3, 1], &g)]) { maximum($0[0], $0[1]) }
    add("tanhGrad (tanh's backward)", [randn([3, 4], &g), randn([3, 4], &g, std: 0.5)]) { Tensor.binary(.tanhGrad, $0[0], $0[1]) }
    add("sigmoidGrad (sigmoid's backward)", [randn([3, 4], &g), randn([3, 4], &g, std: 0.5)]) { Tensor.binary(.sigmoidGrad, $0[0], $0[1]) }
    add("reluGrad (relu's backward)", [randn([3, 4], &g), awayFromZero([3, 4], &g)]) { Tensor.binary(.reluGrad, $0[0], $0[1]) }
    add("matmul", [randn([3, 4], &g), randn([4, 5], &g)]) { matmul($0[0], $0[1]) }
    add("matmul (Aᵀ)", [randn([4, 3], &g), randn([4, 5], &g)]) { matmul($0[0], $0[1], transposeA: true) }
    add("matmul (Bᵀ)", [randn([3, 4], &g), randn([5, 4], &g)]) { matmul($0[0], $0[1], transposeB: true) }
    add("matmul (AᵀBᵀ)", [randn([4, 3], &g), randn([5, 4], &g)]) { matmul($0[0], $0[1], transposeA: true, transposeB: true) }
    add("affine", [randn([3, 4], &g), randn([4, 5], &g), randn([5], &g)]) { affine($0[0], $0[1], $0[2]) }
    add("sum (all)", [randn([3, 4], &g)]) { $0[0].sum() }
    add("sum (axis 0)", [randn([3, 4], &g)]) { $0[0].sum(alongAxis: 0) }
    add("sum (axis 1 of rank 3, kept)", [randn([2, 3, 4], &g)]) { $0[0].sum(alongAxis: 1, keepingDimension: true) }
    add("sum(toShape: [3,1])", [randn([2, 3, 4], &g)]) { $0[0].sum(toShape: [3, 1]) }
    add("broadcast(to: [2,3,4])", [randn([3, 1], &g)]) { $0[0].broadcast(to: [2, 3, 4]) }
    add("reshaped", [randn([3, 4], &g)]) { $0[0].reshaped(to: [2, 6]) }
    add("transposed", [randn([3, 4], &g)]) { $0[0].transposed() }
    add("concat (axis 0)", [randn([2, 4], &g), randn([3, 4], &g)]) { concat([$0[0], $0[1]], alongAxis: 0) }
    add("concat (axis 1)", [randn([3, 2], &g), randn([3, 4], &g), randn([3, 1], &g)]) { concat($0, alongAxis: 1) }
    add("slice (axis 1)", [randn([3, 5], &g)]) { $0[0].slice(alongAxis: 1, 1 ..< 4) }
    add("embedded (slice's adjoint)", [randn([3, 2], &g)]) { $0[0].embedded(alongAxis: 1, at: 2, in: [3, 5]) }
    add("gathering (axis 0, repeats)", [randn([4, 3], &g)]) { $0[0].gathering([2, 0, 2, 3, 2], alongAxis: 0) }
    add("gathering (axis 1)", [randn([2, 4, 3], &g)]) { $0[0].gathering([3, 1], alongAxis: 1) }
    add("scatterAdding (gather's adjoint)", [randn([3, 2], &g)]) { $0[0].scatterAdding([1, 1, 3], alongAxis: 0, extent: 5) }
    // Composites.
    add("mean", [randn([3, 4], &g)]) { $0[0].mean() }
    add("mean (axis 1)", [randn([3, 4], &g)]) { $0[0].mean(alongAxis: 1) }
    add("logSumExp (axis 1)", [randn([3, 4], &g)]) { $0[0].logSumExp(alongAxis: 1) }
    add("logSoftmax (axis 1)", [randn([3, 4], &g)]) { $0[0].logSoftmax(alongAxis: 1) }
    add("logSigmoid", [randn([3, 4], &g, std: 3)]) { $0[0].logSigmoid() }
    add("takingAlongLastAxis", [randn([3, 4], &g)]) { $0[0].takingAlongLastAxis([3, 0, 1]) }
    add("meanSquaredError", [randn([3, 4], &g), randn([3, 4], &g)]) { meanSquaredError($0[0], $0[1]) }
    add("parameters flatten/unflatten", [randn([2, 3], &g), randn([4], &g)]) { xs in
        let p = Parameters([("a", xs[0]), ("b", xs[1])])
        let q = p.unflattening(p.flattened() * 2.0)
        return concat([q["a"].reshaped(to: [6]), q["b"]], alongAxis: 0)
    }
    return cases
}

@Suite("Primitive gradients (float64, central differences)")
struct PrimitiveGradientTests {
    @Test("every primitive and composite: first and second order, relative error < 1e-6")
    func allPrimitives() {
        var table = ErrorTable()
        for c in primitiveCases() {
            let e1 = gradientCheckError(c.inputs) { project(c.op($0)) }
            // Adding the squared output makes the Hessian non-zero even for linear primitives, so
            // the derivative rule of each primitive's derivative rule is exercised.
            let e2 = secondOrderCheckError(c.inputs) { let y = c.op($0); return project(y + y.squared()) }
            table.add(c.name, e1, e2)
            #expect(e1 < 1e-6, "first-order check of \(c.name): \(e1)")
            #expect(e2 < 1e-6, "second-order check of \(c.name): \(e2)")
        }
        table.report("primitives")
        #expect(table.rows.count >= 50)
    }

    @Test("a gradient that ignores an input is zero, and untracked inputs get zeros")
    func zeroGradients() {
        var g = SeededGenerator(seed: 3)
        let a = randn([2, 2], &g).tracked(), b = randn([2, 2], &g).tracked()
        let gs = gradients(of: (a * 3.0).sum(), at: [a, b, randn([3], &g)])
        #expect(gs[0].doubles == [3, 3, 3, 3])
        #expect(gs[1].doubles == [0, 0, 0, 0])
        #expect(gs[2].shape == [3] && gs[2].maxAbs == 0)
    }

    @Test("gradients accumulate over repeated uses of a tensor")
    func accumulation() {
        let x = Tensor(doubles: [1, 2, 3], shape: [3])
        let (v, gr) = valueWithGradient(at: x) { x in (x * x + x * 2.0 + x.exp()).sum() }
        #expect(abs(v.scalarValue - (1 + 4 + 9 + 12 + (1.0).exponential + (2.0).exponential + (3.0).exponential)) < 1e-12)
        for (i, xi) in [1.0, 2, 3].enumerated() { #expect(abs(gr[flat: i] - (2 * xi + 2 + xi.exponential)) < 1e-12) }
    }

    @Test("float32 kernels agree with float64 ones")
    func floatMatchesDouble() {
        var g = SeededGenerator(seed: 4)
        let a = randn([5, 7], &g), b = randn([7, 3], &g), c = randn([3], &g)
        let d64 = affine(a.tanh(), b, c).sigmoid().softplus()
        let d32 = affine(a.converted(to: .float32).tanh(), b.converted(to: .float32), c.converted(to: .float32)).sigmoid().softplus()
        #expect(d32.dtype == .float32)
        let err = zip(d64.doubles, d32.doubles).map { abs($0 - $1) }.max()!
        #expect(err < 1e-5)
    }

    @Test("converted(to:): the gradient is converted back (float32 rounding is the only change)")
    func conversionGradient() {
        var g = SeededGenerator(seed: 5)
        let x = randn([3, 4], &g), r = randn([3, 4], &g).converted(to: .float32)
        let grad = valueWithGradient(at: x) { x in (x.converted(to: .float32) * r).sum() }.gradient
        #expect(grad.dtype == .float64)
        #expect(grad.bitwiseEqual(r.converted(to: .float64)))
        // And twice: float64 → float32 → float64 inside a second-order computation.
        let hv = valueWithGradient(at: x) { x in
            let y = x.converted(to: .float32)
            return (gradients(of: (y * y * r).sum(), at: [y], createGraph: true)[0] * r).sum().converted(to: .float64)
        }.gradient
        #expect(hv.bitwiseEqual((r * r * 2.0).converted(to: .float64)))
    }

    @Test("value semantics: writes copy shared buffers")
    func valueSemantics() {
        var a = Tensor(floats: [1, 2, 3, 4], shape: [2, 2])
        let b = a
        a[0, 1] = 9
        #expect(a.floats == [1, 9, 3, 4])
        #expect(b.floats == [1, 2, 3, 4])
        let r = b.reshaped(to: [4])
        #expect(r.floats == [1, 2, 3, 4] && r.shape == [4])
    }

    @Test("deep graphs (10⁵ chained operations) differentiate and free without recursion")
    func deepGraph() {
        var x = Tensor(doubles: [0.5], shape: [1]).tracked()
        let x0 = x
        for _ in 0..<100_000 { x = x * 1.0 }
        let g = gradients(of: x.sum(), at: [x0])
        #expect(g[0].doubles == [1])
    }
}

extension Double {
    var exponential: Double { Glibc.exp(self) }
}
