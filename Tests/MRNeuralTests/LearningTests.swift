import MRCore
import Testing
@testable import MRNeural
#if canImport(Glibc)
import Glibc
#endif

let longTests: Bool = {
    guard let v = getenv("MRBENCH_LONG_TESTS") else { return false }
    return String(cString: v) == "1"
}()

/// Fits sin x on [−π, π] with an MLP and Adam; returns the final full-batch MSE.
func fitSine(steps: Int, seed: UInt64) -> Double {
    var g = SeededGenerator(seed: seed)
    let n = 256
    let xs = (0..<n).map { -Double.pi + 2 * Double.pi * (Double($0) + 0.5) / Double(n) }
    let x = Tensor(xs, shape: [n, 1], dtype: .float32)
    let y = Tensor(xs.map { Glibc.sin($0) }, shape: [n, 1], dtype: .float32)
    let mlp = MLP("sine", sizes: [1, 32, 32, 1], activation: .tanh)
    var p = mlp.initialParameters(using: &g)
    var adam = Adam(learningRate: 1e-2)
    var mse = Double.infinity
    for step in 0..<steps {
        if step == steps / 2 { adam.learningRate = 3e-3 }
        let (loss, grad) = valueWithGradient(at: p) { q in meanSquaredError(mlp(q, x), y) }
        mse = loss.scalarValue
        adam.update(&p, along: grad)
    }
    return meanSquaredError(mlp(p, x), y).scalarValue.isFinite ? meanSquaredError(mlp(p, x), y).scalarValue : mse
}

/// One batch of the delayed-recall task: channel 0 carries a random ±1 bit at every step, channel 1
/// marks step 0; the label is the bit of step 0, to be given after `delay` more steps.
func recallBatch(_ batch: Int, delay: Int, _ g: inout SeededGenerator) -> (inputs: Tensor, labels: Tensor) {
    let T = delay + 1
    var xs = [Float](repeating: 0, count: T * batch * 2)
    var labels = [Float](repeating: 0, count: batch)
    for t in 0..<T {
        for b in 0..<batch {
            let bit: Float = g.next() & 1 == 1 ? 1 : -1
            xs[(t * batch + b) * 2] = bit
            if t == 0 { xs[(t * batch + b) * 2 + 1] = 1; labels[b] = bit }
        }
    }
    return (Tensor(floats: xs, shape: [T, batch, 2]), Tensor(floats: labels, shape: [batch, 1]))
}

/// Trains a GRU on delayed recall; returns the accuracy on 2000 fresh sequences.
func trainRecall(delay: Int, hidden: Int, steps: Int, seed: UInt64) -> (accuracy: Double, steps: Int) {
    var g = SeededGenerator(seed: seed)
    let gru = GRU("rnn", inputSize: 2, hiddenSize: hidden)
    let head = Linear("head", inputSize: hidden, outputSize: 1)
    var p = gru.initialParameters(using: &g).merging(head.initialParameters(using: &g))
    var adam = Adam(learningRate: 1e-2, maxGradNorm: 1)
    var data = g.derived("data")
    let batch = 64
    func logits(_ q: Parameters, _ x: Tensor) -> Tensor {
        let h0 = Tensor.zeros([x.shape[1], hidden])
        return head(q, gru(q, x, initialState: h0).finalState)
    }
    func accuracy(_ n: Int, _ gen: inout SeededGenerator) -> Double {
        let (x, y) = recallBatch(n, delay: delay, &gen)
        let z = logits(p, x).floats, l = y.floats
        return Double(zip(z, l).filter { ($0 > 0) == ($1 > 0) }.count) / Double(n)
    }
    var control = SeededGenerator(seed: seed ^ 0x5555)
    let before = accuracy(2000, &control)
    precondition(before > 0.4 && before < 0.6, "untrained accuracy \(before) should be chance")
    var taken = 0
    for step in 0..<steps {
        let (x, y) = recallBatch(batch, delay: delay, &data)
        // Logistic loss softplus(−y·z).
        let (_, grad) = valueWithGradient(at: p) { q in (-(logits(q, x) * y)).softplus().mean() }
        adam.update(&p, along: grad)
        taken = step + 1
        if step % 50 == 49 {
            var probe = g.derived(UInt64(step))
            if accuracy(256, &probe) == 1 { break }
        }
    }
    var test = SeededGenerator(seed: seed ^ 0xABCDEF)
    return (accuracy(2000, &test), taken)
}

@Suite("Learning sanity")
struct LearningTests {
    @Test("an MLP fits sin x on [−π, π] to MSE < 1e-3")
    func sineRegression() {
        let steps = 2000
        let mse = fitSine(steps: steps, seed: 1)
        print("== sin regression, MLP [1,32,32,1] tanh, Adam, \(steps) full-batch steps of 256 points: MSE \(fmt(mse))")
        #expect(mse < 1e-3)
    }

    @Test("a GRU recalls a bit seen 10 steps earlier with > 99% accuracy")
    func gruRecall() {
        let (acc, steps) = trainRecall(delay: 10, hidden: 16, steps: longTests ? 3000 : 1500, seed: 5)
        print("== GRU(16) delayed recall over 10 distractor steps: accuracy \(acc) on 2000 fresh sequences after \(steps) Adam steps of batch 64")
        #expect(acc > 0.99)
    }
}

/// The harder memory task: a random ±1 bit arrives at every step and the label at step t ≥ delay is
/// the bit of step t − delay, so the state must hold the last `delay` bits at once (a shift register).
func trainShiftRegister(delay: Int, hidden: Int, steps: Int, seed: UInt64) -> (accuracy: Double, steps: Int) {
    var g = SeededGenerator(seed: seed)
    let T = 2 * delay, batch = 32
    let gru = GRU("rnn", inputSize: 1, hiddenSize: hidden)
    let head = Linear("head", inputSize: hidden, outputSize: 1)
    var p = gru.initialParameters(using: &g).merging(head.initialParameters(using: &g))
    var adam = Adam(learningRate: 3e-3, maxGradNorm: 1)
    var data = g.derived("data")
    func batchOf(_ n: Int, _ gen: inout SeededGenerator) -> (Tensor, Tensor) {
        let bits = (0..<(T * n)).map { _ in Float(gen.next() & 1 == 1 ? 1 : -1) }
        let x = Tensor(floats: bits, shape: [T, n, 1])
        let y = Tensor(floats: Array(bits[0..<((T - delay) * n)]), shape: [(T - delay) * n, 1])
        return (x, y)
    }
    func logits(_ q: Parameters, _ x: Tensor) -> Tensor {
        let n = x.shape[1]
        let (outs, _) = gru(q, x, initialState: Tensor.zeros([n, hidden]))
        let late = outs.slice(alongAxis: 0, delay ..< T).reshaped(to: [(T - delay) * n, hidden])
        return head(q, late)
    }
    func accuracy(_ n: Int, _ gen: inout SeededGenerator) -> Double {
        let (x, y) = batchOf(n, &gen)
        let z = logits(p, x).floats, l = y.floats
        return Double(zip(z, l).filter { ($0 > 0) == ($1 > 0) }.count) / Double(z.count)
    }
    var taken = 0
    for step in 0..<steps {
        let (x, y) = batchOf(batch, &data)
        let (_, grad) = valueWithGradient(at: p) { q in (-(logits(q, x) * y)).softplus().mean() }
        adam.update(&p, along: grad)
        taken = step + 1
        if step % 100 == 99 {
            var probe = g.derived(UInt64(step))
            if accuracy(128, &probe) > 0.999 { break }
        }
    }
    var test = SeededGenerator(seed: seed ^ 0xABCDEF)
    return (accuracy(500, &test), taken)
}

extension LearningTests {
    @Test("long: a GRU holds the last 10 bits of a stream (shift register), > 99% accuracy",
          .enabled(if: longTests, "set MRBENCH_LONG_TESTS=1"))
    func gruShiftRegister() {
        let (acc, steps) = trainShiftRegister(delay: 10, hidden: 64, steps: 6000, seed: 6)
        print("== GRU(64) recalls the bit of 10 steps earlier at every step of a random bit stream: accuracy \(acc) on 500 fresh sequences × 10 scored steps after \(steps) Adam steps of batch 32")
        #expect(acc > 0.99)
    }
}
