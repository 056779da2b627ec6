import MRCore
import Testing
@testable import MRNeural

@Suite("Determinism and optimisers")
struct DeterminismAndOptimizerTests {
    /// A few SAC-like actor steps: initialisation, reparameterised sampling, Adam.
    func run(seed: UInt64) -> (Parameters, Tensor) {
        var g = SeededGenerator(seed: seed)
        let pi = MLP("pi", sizes: [3, 16, 4])
        var p = pi.initialParameters(using: &g)
        var adam = Adam(learningRate: 1e-3, maxGradNorm: 0.5)
        let obs = Tensor.randomNormal([8, 3], using: &g)
        var last = Tensor.zeros([8, 2])
        for _ in 0..<5 {
            let (_, grad) = valueWithGradient(at: p) { q in
                let out = pi(q, obs)
                let d = TanhGaussian(mean: out.slice(alongAxis: 1, 0 ..< 2), logStd: out.slice(alongAxis: 1, 2 ..< 4).clamped(min: -5, max: 2))
                let (a, lp) = d.sample(using: &g)
                last = a.detached
                return (lp * 0.1 - a.squared().sum(alongAxis: 1)).mean()
            }
            adam.update(&p, along: grad)
        }
        return (p, last)
    }

    @Test("the same seed gives bit-identical parameters and samples; another seed does not")
    func determinism() {
        let (p1, a1) = run(seed: 42), (p2, a2) = run(seed: 42), (p3, _) = run(seed: 43)
        #expect(p1.bitwiseEqual(p2))
        #expect(a1.bitwiseEqual(a2))
        #expect(!p1.bitwiseEqual(p3))
    }

    @Test("Adam's first step matches the closed form; clipping scales the gradient")
    func adamStep() {
        var p = Parameters([("w", Tensor(doubles: [1, -2], shape: [2]))])
        let g = Parameters([("w", Tensor(doubles: [0.5, -4], shape: [2]))])
        var adam = Adam(learningRate: 0.1)
        let norm = adam.update(&p, along: g)
        #expect(abs(norm - (0.25 + 16.0).squareRoot()) < 1e-12)
        // Step 1: m̂ = g, v̂ = g², so θ ← θ − lr·g/(|g| + ε).
        #expect(abs(p["w"][0] - (1 - 0.1 * 0.5 / (0.5 + 1e-8))) < 1e-12)
        #expect(abs(p["w"][1] - (-2 + 0.1 * 4 / (4 + 1e-8))) < 1e-12)
        // Second step with the same gradient: m = 0.19g·…, computed by hand.
        _ = adam.update(&p, along: g)
        let m = 0.9 * 0.1 * 0.5 + 0.1 * 0.5, v = 0.999 * 0.001 * 0.25 + 0.001 * 0.25
        let step2 = 0.1 * (m / (1 - 0.81)) / ((v / (1 - 0.999 * 0.999)).squareRoot() + 1e-8)
        #expect(abs(p["w"][0] - (1 - 0.1 * 0.5 / (0.5 + 1e-8) - step2)) < 1e-12)
        #expect(adam.step == 2)

        let (clipped, n) = g.clippedByGlobalNorm(1)
        #expect(abs(n - 16.25.squareRoot()) < 1e-12)
        #expect(abs(clipped.globalNorm() - 1) < 1e-12)
    }

    @Test("SGD with momentum and Adam minimise a quadratic")
    func convergence() {
        let target = Tensor(doubles: [3, -1, 2], shape: [3])
        let loss: (Parameters) -> Tensor = { q in (q["x"] - target).squared().sum() }
        var p1 = Parameters([("x", Tensor.zeros([3], dtype: .float64))]), p2 = p1
        var sgd = SGD(learningRate: 0.05, momentum: 0.9)
        var adam = Adam(learningRate: 0.05)
        for _ in 0..<500 {
            sgd.update(&p1, along: gradient(at: p1, of: loss))
            adam.update(&p2, along: gradient(at: p2, of: loss))
        }
        #expect(loss(p1).scalarValue < 1e-8)
        #expect(loss(p2).scalarValue < 1e-6)
    }

    @Test("Adam state round-trips through a checkpoint")
    func adamState() throws {
        var p = Parameters([("w", Tensor(floats: [1, 2], shape: [2]))])
        var a = Adam()
        a.update(&p, along: p)
        let ck = try Checkpoint(decoding: Checkpoint(parameters: a.state).encoded())
        var b = Adam()
        b.restore(ck.parameters)
        var p1 = p, p2 = p
        a.update(&p1, along: p)
        b.update(&p2, along: p)
        #expect(p1.bitwiseEqual(p2))
    }

    @Test("Polyak averaging and parameter arithmetic")
    func parameterArithmetic() {
        var t = Parameters([("a", Tensor(floats: [0, 10], shape: [2]))])
        let o = Parameters([("a", Tensor(floats: [1, 20], shape: [2]))])
        t.moveToward(o, fraction: 0.25)
        #expect(t["a"].floats == [0.25, 12.5])
        #expect((t + o)["a"].floats == [1.25, 32.5])
        #expect(abs(o.dot(o).scalarValue - 401) < 1e-9)
        #expect(o.flattened().floats == [1, 20])
        #expect(o.prefixed("x/").names == ["x/a"])
    }
}
