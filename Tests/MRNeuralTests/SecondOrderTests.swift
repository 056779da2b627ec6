import MRCore
import Testing
@testable import MRNeural

@Suite("Second-order differentiation")
struct SecondOrderTests {
    /// Relative error ‖a − b‖∞ / max(‖a‖∞, ‖b‖∞) of two parameter sets.
    func relError(_ a: Parameters, _ b: Parameters) -> Double {
        var d = 0.0, s = 0.0
        for (x, y) in zip(a.tensors, b.tensors) {
            for i in 0..<x.count { d = max(d, abs(x[flat: i] - y[flat: i])); s = max(s, abs(x[flat: i]), abs(y[flat: i])) }
        }
        return d / s
    }

    @Test("Hessian-vector product through an MLP matches finite differences of gradients")
    func hvpMLP() {
        var g = SeededGenerator(seed: 21)
        let mlp = MLP("pi", sizes: [4, 16, 16, 2], activation: .tanh)
        let p = mlp.initialParameters(dtype: .float64, using: &g)
        let x = randn([8, 4], &g), y = randn([8, 2], &g)
        let loss: (Parameters) -> Tensor = { q in meanSquaredError(mlp(q, x), y) + mlp(q, x).softplus().mean() }
        let v = p.mapTensors { Tensor.randomNormal($0.shape, dtype: .float64, using: &g) }
        let hv = hessianVectorProduct(at: p, along: v, of: loss)
        let h = 1e-5
        let fd = (gradient(at: p + h * v, of: loss) - gradient(at: p - h * v, of: loss)) * (1 / (2 * h))
        let err = relError(hv, fd)
        print("== Hessian-vector product through MLP [4,16,16,2] (\(p.scalarCount) parameters): max relative error \(fmt(err))")
        #expect(err < 1e-6)
        // Symmetry of the Hessian: ⟨u, Hv⟩ = ⟨v, Hu⟩.
        let u = p.mapTensors { Tensor.randomNormal($0.shape, dtype: .float64, using: &g) }
        let hu = hessianVectorProduct(at: p, along: u, of: loss)
        #expect(abs(u.dotValue(hv) - v.dotValue(hu)) < 1e-9 * max(1, abs(u.dotValue(hv))))
    }

    @Test("MAML meta-gradient through one inner SGD step matches finite differences")
    func mamlMetaGradient() {
        var g = SeededGenerator(seed: 22)
        let mlp = MLP("f", sizes: [1, 12, 12, 1], activation: .tanh)
        let p = mlp.initialParameters(dtype: .float64, using: &g)
        let xTrain = randn([10, 1], &g), yTrain = xTrain.sin()
        let xTest = randn([10, 1], &g), yTest = xTest.sin()
        let alpha = 0.1
        // L_outer(θ − α ∇L_inner(θ)), the exact second-order MAML objective.
        func meta(_ theta: Parameters) -> Tensor {
            let inner = gradient(at: theta, createGraph: true) { q in meanSquaredError(mlp(q, xTrain), yTrain) }
            return meanSquaredError(mlp(theta - alpha * inner, xTest), yTest)
        }
        let (value, metaGrad) = valueWithGradient(at: p, of: meta)
        // The same without the second-order term (first-order MAML) must differ: the test would
        // otherwise not show that the inner gradient was differentiated.
        let foGrad = gradient(at: p) { theta in
            let inner = gradient(at: theta) { q in meanSquaredError(mlp(q, xTrain), yTrain) }
            return meanSquaredError(mlp(theta - alpha * inner, xTest), yTest)
        }
        let h = 1e-6
        var fd = p
        for k in 0..<p.count {
            let t = p.tensors[k]
            var d = t
            for i in 0..<t.count {
                var plus = p, minus = p
                var tp = t, tm = t
                tp[flat: i] += h; tm[flat: i] -= h
                plus[index: k] = tp; minus[index: k] = tm
                d[flat: i] = (meta(plus).scalarValue - meta(minus).scalarValue) / (2 * h)
            }
            fd[index: k] = d
        }
        let worst = relError(metaGrad, fd)
        let foErr = relError(foGrad, fd)
        print("== MAML meta-gradient (MLP [1,12,12,1], \(p.scalarCount) parameters, loss \(fmt(value.scalarValue))): max relative error \(fmt(worst)); first-order MAML differs by \(fmt(foErr))")
        #expect(worst < 1e-6)
        #expect(foErr > 1e-4)
    }

    @Test("third order: d³/dx³ of x⁴ through nested gradients")
    func thirdOrder() {
        let x = Tensor(doubles: [1.5], shape: [1])
        let d3 = valueWithGradient(at: x) { a in
            let d2 = gradients(of: gradients(of: a.squared().squared().sum(), at: [a], createGraph: true)[0].sum(), at: [a], createGraph: true)[0]
            return d2.sum()
        }.gradient
        #expect(abs(d3[flat: 0] - 24 * 1.5) < 1e-12)
    }
}

extension Tensor {
    /// sin via Glibc (test data only).
    func sin() -> Tensor { Tensor(doubles: doubles.map { Glibc.sin($0) }, shape: shape) }
}

#if canImport(Glibc)
import Glibc
#endif
