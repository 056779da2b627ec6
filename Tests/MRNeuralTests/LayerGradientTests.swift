import MRCore
import Testing
@testable import MRNeural

/// Checks a function of a parameter set and extra inputs, treating every tensor as an input.
func checkLayer(_ p: Parameters, _ extra: [Tensor], secondOrder: Bool = true,
                _ f: @escaping (Parameters, [Tensor]) -> Tensor) -> (Double, Double?) {
    let n = p.count
    let g: ([Tensor]) -> Tensor = { xs in f(Parameters(names: p.names, tensors: Array(xs[0..<n])), Array(xs[n...])) }
    let e1 = gradientCheckError(p.tensors + extra) { project(g($0)) }
    let e2 = secondOrder ? secondOrderCheckError(p.tensors + extra, h: 1e-5) { project(g($0).tanh()) } : nil
    return (e1, e2)
}

@Suite("Layer and distribution gradients (float64)")
struct LayerGradientTests {
    @Test("Linear, MLP, GRU cell, GRU sequence, Gaussians: relative error < 1e-6")
    func layers() {
        var g = SeededGenerator(seed: 11)
        var table = ErrorTable()
        func record(_ name: String, _ r: (Double, Double?)) {
            table.add(name, r.0, r.1)
            #expect(r.0 < 1e-6, "first-order check of \(name): \(r.0)")
            if let e2 = r.1 { #expect(e2 < 1e-6, "second-order check of \(name): \(e2)") }
        }

        let lin = Linear("l", inputSize: 3, outputSize: 4)
        record("Linear", checkLayer(lin.initialParameters(dtype: .float64, using: &g), [randn([5, 3], &g)]) { p, x in lin(p, x[0]) })
        record("Linear (rank-3 input)", checkLayer(lin.initialParameters(dtype: .float64, using: &g), [randn([2, 2, 3], &g)]) { p, x in lin(p, x[0]) })

        let mlpT = MLP("m", sizes: [3, 5, 4, 2], activation: .tanh)
        record("MLP (tanh)", checkLayer(mlpT.initialParameters(dtype: .float64, using: &g), [randn([4, 3], &g)]) { p, x in mlpT(p, x[0]) })
        let mlpR = MLP("m", sizes: [3, 6, 2], activation: .relu, outputActivation: .softplus)
        record("MLP (relu, softplus out)", checkLayer(mlpR.initialParameters(dtype: .float64, using: &g), [randn([4, 3], &g)]) { p, x in mlpR(p, x[0]) })
        let mlpS = MLP("m", sizes: [2, 4, 2], activation: .sigmoid, outputActivation: .tanh)
        record("MLP (sigmoid, tanh out)", checkLayer(mlpS.initialParameters(dtype: .float64, using: &g), [randn([3, 2], &g)]) { p, x in mlpS(p, x[0]) })

        let cell = GRUCell("c", inputSize: 3, hiddenSize: 4)
        record("GRU cell", checkLayer(cell.initialParameters(dtype: .float64, using: &g), [randn([2, 3], &g), randn([2, 4], &g)]) { p, x in
            cell(p, input: x[0], state: x[1])
        })
        let gru = GRU("r", inputSize: 2, hiddenSize: 3)
        let mask = Tensor(doubles: [1, 1, 1, 0, 1, 1, 1, 1, 0, 1], shape: [5, 2])
        record("GRU over 5 steps (with resets)", checkLayer(gru.initialParameters(dtype: .float64, using: &g), [randn([5, 2, 2], &g), randn([2, 3], &g)]) { p, x in
            let (outs, last) = gru(p, x[0], initialState: x[1], resetMask: mask)
            return concat([outs.reshaped(to: [10, 3]), last], alongAxis: 0)
        })

        let mu = randn([3, 2], &g), ls = randn([3, 2], &g, std: 0.3), x = randn([3, 2], &g)
        record("Gaussian logProb", checkLayer(Parameters(), [mu, ls, x]) { _, t in DiagonalGaussian(mean: t[0], logStd: t[1]).logProb(t[2]) })
        record("Gaussian logProb (shared [D] logStd)", checkLayer(Parameters(), [mu, randn([2], &g, std: 0.3), x]) { _, t in
            DiagonalGaussian(mean: t[0], logStd: t[1]).logProb(t[2])
        })
        record("Gaussian entropy", checkLayer(Parameters(), [mu, ls]) { _, t in DiagonalGaussian(mean: t[0], logStd: t[1]).entropy() })
        record("Gaussian KL", checkLayer(Parameters(), [mu, ls, randn([3, 2], &g), randn([3, 2], &g, std: 0.3)]) { _, t in
            DiagonalGaussian(mean: t[0], logStd: t[1]).kl(to: DiagonalGaussian(mean: t[2], logStd: t[3]))
        })
        let eps = randn([3, 2], &g)
        record("Gaussian reparameterised sample", checkLayer(Parameters(), [mu, ls]) { _, t in DiagonalGaussian(mean: t[0], logStd: t[1]).sample(noise: eps) })
        record("tanh-Gaussian sample + logProb", checkLayer(Parameters(), [mu, ls]) { _, t in
            let (a, lp) = TanhGaussian(mean: t[0], logStd: t[1]).sample(noise: eps)
            return concat([a, lp.reshaped(to: [3, 1])], alongAxis: 1)
        })
        record("product of Gaussians (PEARL posterior)", checkLayer(Parameters(), [randn([4, 3, 2], &g), positive([4, 3, 2], &g)]) { _, t in
            let d = DiagonalGaussian.product(means: t[0], variances: t[1], alongAxis: 1)
            return concat([d.mean, d.logStd], alongAxis: 1)
        })
        let act = randn([3, 2], &g, std: 0.4).tanh()
        record("tanh-Gaussian logProb(action)", checkLayer(Parameters(), [mu, ls]) { _, t in TanhGaussian(mean: t[0], logStd: t[1]).logProb(action: act) })
        table.report("layers and distributions")
    }

    @Test("distribution values match closed forms")
    func distributionValues() {
        let d = DiagonalGaussian(mean: Tensor(doubles: [0, 1], shape: [1, 2]), logStd: Tensor(doubles: [0, 0.5], shape: [1, 2]))
        // log N(0.5; 0, 1) + log N(2; 1, e^1)
        let s2 = Glibc.exp(0.5)
        let expected = (-0.125 - halfLog2Pi) + (-0.5 * (1 / s2) * (1 / s2) - 0.5 - halfLog2Pi)
        let lp = d.logProb(Tensor(doubles: [0.5, 2], shape: [1, 2]))
        #expect(abs(lp.scalarValue - expected) < 1e-12)
        #expect(abs(d.entropy().scalarValue - (0.5 + 2 * (0.5 + halfLog2Pi))) < 1e-12)
        #expect(abs(d.kl(to: d).scalarValue) < 1e-15)
        // N(1, 1)·N(3, 4) ∝ N((1·1 + 3/4)/(1 + 1/4), 1/(1 + 1/4)).
        let prod = DiagonalGaussian.product(means: Tensor(doubles: [1, 3], shape: [2, 1]), variances: Tensor(doubles: [1, 4], shape: [2, 1]), alongAxis: 0)
        #expect(abs(prod.mean.scalarValue - 1.75 / 1.25) < 1e-12)
        #expect(abs(prod.std.squared().scalarValue - 0.8) < 1e-12)
        // tanh-Gaussian density integrates to ~1 over (−1, 1) in 1-D (midpoint rule).
        let tg = TanhGaussian(mean: Tensor(doubles: [0.3], shape: [1, 1]), logStd: Tensor(doubles: [-0.2], shape: [1, 1]))
        let n = 20000
        let grid = Tensor(doubles: (0..<n).map { -1 + (Double($0) + 0.5) * 2 / Double(n) }, shape: [n, 1])
        let dens = TanhGaussian(mean: tg.base.mean.broadcast(to: [n, 1]), logStd: tg.base.logStd.broadcast(to: [n, 1])).logProb(action: grid).exp()
        #expect(abs(dens.sum().scalarValue * 2 / Double(n) - 1) < 1e-3)
    }

    @Test("truncated BPTT stops gradients after k steps; k ≥ T equals full BPTT")
    func truncation() {
        var g = SeededGenerator(seed: 12)
        let gru = GRU("r", inputSize: 2, hiddenSize: 3)
        let p = gru.initialParameters(dtype: .float64, using: &g)
        let xs = randn([6, 1, 2], &g), h0 = randn([1, 3], &g)
        func gradX(_ k: Int?) -> Tensor {
            valueWithGradient(at: xs) { x in gru(p, x, initialState: h0, truncation: k).finalState.sum() }.gradient
        }
        let full = gradX(nil), same = gradX(6), t2 = gradX(2)
        #expect(full.bitwiseEqual(same))
        // With k = 2 the final state (step 5) sees inputs 4 and 5 only.
        for t in 0..<4 { for j in 0..<2 { #expect(t2[t, 0, j] == 0) } }
        for t in 4..<6 { for j in 0..<2 { #expect(abs(t2[t, 0, j] - full[t, 0, j]) < 1e-12) } }
        #expect(full[0, 0, 0] != 0)
    }
}

#if canImport(Glibc)
import Glibc
#endif
