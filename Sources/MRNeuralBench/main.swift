// Times a SAC-style update and a PPO-style GRU update of the neural core, with the same work as
// torch_bench.py beside this file. See README.md here for how to run both.
import MRCore
import MRNeural
#if canImport(Glibc)
import Glibc
#endif

// MARK: - Timing

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

struct Timing {
    let name: String
    let samples: [Double]   // seconds per update
    var mean: Double { samples.reduce(0, +) / Double(samples.count) }
    var median: Double { let s = samples.sorted(); return s[s.count / 2] }
    var minimum: Double { samples.min()! }
    func line() -> String {
        "\(name): median \(ms(median)) ms, mean \(ms(mean)) ms, min \(ms(minimum)) ms per update (\(samples.count) updates)"
    }
}

func ms(_ s: Double) -> String {
    let v = (s * 1e5).rounded() / 100
    return String(v)
}

func time(_ name: String, warmup: Int, iterations: Int, _ body: () -> Void) -> Timing {
    for _ in 0..<warmup { body() }
    var samples: [Double] = []
    for _ in 0..<iterations {
        let t0 = now()
        body()
        samples.append(now() - t0)
    }
    return Timing(name: name, samples: samples)
}

// MARK: - SAC

/// SAC (Haarnoja et al. 2018) with twin Q networks, target networks, a tanh-Gaussian policy and a
/// learned temperature: one critic step, one actor step, one temperature step, one Polyak update.
struct SACBench {
    let obsDim = 17, actDim = 6, batch = 256
    let gamma = 0.99, tau = 0.005
    let policy: MLP, q1: MLP, q2: MLP
    var pi: Parameters, q: Parameters, qTarget: Parameters, logAlpha: Parameters
    var piOpt = Adam(learningRate: 3e-4), qOpt = Adam(learningRate: 3e-4), alphaOpt = Adam(learningRate: 3e-4)
    var g: SeededGenerator
    let batches: [(obs: Tensor, act: Tensor, rew: Tensor, next: Tensor, done: Tensor)]
    var k = 0
    var lastNoise = (Tensor.zeros([1]), Tensor.zeros([1]))

    init(hidden: [Int], seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        policy = MLP("pi", sizes: [obsDim] + hidden + [2 * actDim])
        q1 = MLP("q1", sizes: [obsDim + actDim] + hidden + [1])
        q2 = MLP("q2", sizes: [obsDim + actDim] + hidden + [1])
        pi = policy.initialParameters(using: &g)
        q = q1.initialParameters(using: &g).merging(q2.initialParameters(using: &g))
        qTarget = q
        logAlpha = Parameters([("log_alpha", Tensor(scalar: 0))])
        var data = g.derived("data")
        let (B, O, A) = (batch, obsDim, actDim)
        batches = (0..<8).map { _ in
            (Tensor.randomNormal([B, O], using: &data), Tensor.randomUniform([B, A], low: -1, high: 1, using: &data),
             Tensor.randomNormal([B, 1], using: &data), Tensor.randomNormal([B, O], using: &data),
             Tensor((0..<B).map { _ in data.nextUnit() < 0.05 ? 1 : 0 }, shape: [B, 1], dtype: .float32))
        }
        self.g = g.derived("sampling")
    }

    func dist(_ p: Parameters, _ obs: Tensor) -> TanhGaussian {
        let out = policy(p, obs)
        return TanhGaussian(mean: out.slice(alongAxis: 1, 0 ..< actDim),
                            logStd: out.slice(alongAxis: 1, actDim ..< 2 * actDim).clamped(min: -20, max: 2))
    }

    func qValues(_ p: Parameters, _ obs: Tensor, _ act: Tensor) -> (Tensor, Tensor) {
        let x = concat([obs, act], alongAxis: 1)
        return (q1(p, x), q2(p, x))
    }

    mutating func update() -> (qLoss: Double, piLoss: Double) {
        let b = batches[k % batches.count]
        k += 1
        let alpha = logAlpha["log_alpha"].scalarValue.exponential
        let targetEntropy = -Double(actDim)
        // Critic target (no gradient).
        let noiseNext = Tensor.randomNormal([batch, actDim], using: &g)
        let noiseNow = Tensor.randomNormal([batch, actDim], using: &g)
        lastNoise = (noiseNext, noiseNow)
        let (nextAct, nextLogp) = dist(pi, b.next).sample(noise: noiseNext)
        let (tq1, tq2) = qValues(qTarget, b.next, nextAct)
        let softQ = minimum(tq1, tq2) - alpha * nextLogp.reshaped(to: [batch, 1])
        let y = b.rew + (gamma * (1.0 - b.done)) * softQ
        // Critic step.
        let (qLoss, qGrad) = valueWithGradient(at: q) { p in
            let (a, c) = qValues(p, b.obs, b.act)
            return meanSquaredError(a, y) + meanSquaredError(c, y)
        }
        qOpt.update(&q, along: qGrad)
        // Actor step (the Q networks are constants here: no gradient is computed for them).
        var logp = Tensor.zeros([batch])
        let qNow = q
        let (piLoss, piGrad) = valueWithGradient(at: pi) { p in
            let (a, lp) = dist(p, b.obs).sample(noise: noiseNow)
            logp = lp.detached
            let (c1, c2) = qValues(qNow, b.obs, a)
            return (alpha * lp.reshaped(to: [batch, 1]) - minimum(c1, c2)).mean()
        }
        piOpt.update(&pi, along: piGrad)
        // Temperature step: J(α) = −log α · mean(log π + H̄).
        let target = (logp + targetEntropy).mean().detached
        let aGrad = gradient(at: logAlpha) { p in -(p["log_alpha"] * target) }
        alphaOpt.update(&logAlpha, along: aGrad)
        // Target networks.
        qTarget.moveToward(q, fraction: tau)
        return (qLoss.scalarValue, piLoss.scalarValue)
    }
}

// MARK: - PPO with a GRU policy (RL²-style)

/// One PPO (Schulman et al. 2017) gradient step of a recurrent Gaussian policy with a value head over
/// a batch of B sequences of T steps: clipped surrogate, value loss, entropy bonus, full BPTT,
/// gradient clipping to norm 0.5, Adam.
struct PPOBench {
    let T = 128, B = 16, obsDim = 20, actDim = 6, hidden = 256
    let gru: GRU, piHead: Linear, vHead: Linear
    var p: Parameters
    var opt = Adam(learningRate: 3e-4, maxGradNorm: 0.5)
    let obs: Tensor, act: Tensor, oldLogp: Tensor, adv: Tensor, ret: Tensor

    init(seed: UInt64) {
        var g = SeededGenerator(seed: seed)
        gru = GRU("gru", inputSize: obsDim, hiddenSize: hidden)
        piHead = Linear("pi", inputSize: hidden, outputSize: actDim)
        vHead = Linear("v", inputSize: hidden, outputSize: 1)
        p = gru.initialParameters(using: &g).merging(piHead.initialParameters(using: &g))
            .merging(vHead.initialParameters(using: &g))
        p["log_std"] = Tensor(repeating: -0.5, shape: [actDim])
        var d = g.derived("data")
        obs = Tensor.randomNormal([T, B, obsDim], using: &d)
        act = Tensor.randomNormal([T * B, actDim], using: &d)
        oldLogp = Tensor.randomNormal([T * B], mean: -8, std: 1, using: &d)
        adv = Tensor.randomNormal([T * B], using: &d)
        ret = Tensor.randomNormal([T * B], using: &d)
    }

    mutating func update() -> Double {
        let (loss, grad) = valueWithGradient(at: p) { p in
            let (outs, _) = gru(p, obs, initialState: Tensor.zeros([B, hidden]))
            let flat = outs.reshaped(to: [T * B, hidden])
            let d = DiagonalGaussian(mean: piHead(p, flat), logStd: p["log_std"])
            let ratio = (d.logProb(act) - oldLogp).exp()
            let surrogate = minimum(ratio * adv, ratio.clamped(min: 0.8, max: 1.2) * adv).mean()
            let vLoss = meanSquaredError(vHead(p, flat).reshaped(to: [T * B]), ret)
            return -surrogate + 0.5 * vLoss - 0.01 * d.entropy().mean()
        }
        opt.update(&p, along: grad)
        return loss.scalarValue
    }
}

extension Double {
    var exponential: Double { Glibc.exp(self) }
}

// MARK: - Main

func argument(_ name: String, default d: Int) -> Int {
    let args = CommandLine.arguments
    if let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) { return v }
    return d
}

let which = CommandLine.arguments.contains("--sac-only") ? "sac" : CommandLine.arguments.contains("--ppo-only") ? "ppo" : "all"
let iterations = argument("--iterations", default: 100)
let warmup = argument("--warmup", default: 10)
BLAS.setThreadCount(argument("--threads", default: 1))
let coretype = getenv("OPENBLAS_CORETYPE").map { String(cString: $0) } ?? "(unset)"
print("MRNeuralBench")
print("OPENBLAS_CORETYPE=\(coretype)  OpenBLAS core: \(BLAS.coreName)  threads: \(BLAS.threadCount)")
print("OpenBLAS config: \(BLAS.configuration)")

// --dump-sac PATH: one SAC update with its inputs and results, for torch_bench.py --check PATH.
if let i = CommandLine.arguments.firstIndex(of: "--dump-sac"), i + 1 < CommandLine.arguments.count {
    var sac = SACBench(hidden: [256, 256], seed: 1)
    let before = sac.pi.prefixed("init/").merging(sac.q.prefixed("init/"))
    let b = sac.batches[0]
    let (ql, pl) = sac.update()
    var p = before.merging(Parameters([("batch/obs", b.obs), ("batch/act", b.act), ("batch/rew", b.rew),
                                       ("batch/next", b.next), ("batch/done", b.done),
                                       ("noise/next", sac.lastNoise.0), ("noise/now", sac.lastNoise.1),
                                       ("loss/q", Tensor(scalar: ql)), ("loss/pi", Tensor(scalar: pl))]))
    p = p.merging(sac.pi.prefixed("after/")).merging(sac.q.prefixed("after/")).merging(sac.qTarget.prefixed("after_target/"))
        .merging(sac.logAlpha.prefixed("after/"))
    do { try Checkpoint(parameters: p).write(to: CommandLine.arguments[i + 1]) } catch { print(error); exit(1) }
    print("wrote one SAC update to \(CommandLine.arguments[i + 1]): q loss \(ql), pi loss \(pl)")
    exit(0)
}

if which != "ppo" {
    var sac = SACBench(hidden: [256, 256], seed: 1)
    var last = (0.0, 0.0)
    let t = time("SAC update (batch 256, (256,256) twin Q + policy, Adam)", warmup: warmup, iterations: iterations) { last = sac.update() }
    print(t.line())
    print("  last losses: q \(last.0), pi \(last.1)")
}
if which != "sac" {
    var ppo = PPOBench(seed: 2)
    var last = 0.0
    let t = time("PPO-GRU update (16 sequences x 128 steps, GRU 256, Adam)", warmup: max(2, warmup / 5), iterations: max(5, iterations / 5)) { last = ppo.update() }
    print(t.line())
    print("  last loss: \(last)")
}
