// mrbench side of the locomotion and Fetch fidelity comparison (tools/fidelity/README.md).
// Same action stream (splitmix64, seed 1_000_003·(episode+1)), same reset seeds (episode index)
// and same metric definitions as locomotion_gym.py / fetch_gym.py. Prints one JSON object.
//
//   swift run -c release LocoFidelity ant [--env ant-vel-v2] [--episodes 200] [--steps 200] [--no-terminate]
//   swift run -c release LocoFidelity cheetah [--env half-cheetah-dir-v2] [--episodes 200] [--steps 200]
//   swift run -c release LocoFidelity fetch [--env fetch-reach-v1] [--episodes 200]
import MRCore
import MRSuite

#if canImport(Glibc)
import Glibc
#endif

/// Prints `message` to standard error and exits with status 2.
func fail(_ message: String) -> Never {
    FileHandleLite.writeError(message)
    exit(2)
}

enum FileHandleLite {
    static func writeError(_ s: String) {
        var bytes = Array(s.utf8)
        _ = write(2, &bytes, bytes.count)
    }
}

struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    /// (next >> 11) · 2⁻⁵³ mapped to [−1, 1).
    mutating func uniform() -> Double { Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0) * 2 - 1 }
}

func actionSeed(_ episode: Int) -> UInt64 { 1_000_003 &* UInt64(episode + 1) }

/// numpy's default percentile (linear interpolation between order statistics).
func percentile(_ v: [Double], _ q: Double) -> Double {
    guard !v.isEmpty else { return .nan }
    let s = v.sorted()
    let pos = q / 100 * Double(s.count - 1)
    let lo = Int(pos.rounded(.down)), hi = min(lo + 1, s.count - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - Double(lo))
}

func mean(_ v: [Double]) -> Double { v.isEmpty ? .nan : v.reduce(0, +) / Double(v.count) }

struct Options {
    var robot = ""
    var env: String?
    var episodes = 200
    var steps = 200
    var terminate = true
    /// Actions are multiplied by this (0: zero action).
    var scale = 1.0
    /// Print the first episode's per-step torso height to standard error.
    var trace = false
}

func parse() -> Options {
    var o = Options()
    var args = Array(CommandLine.arguments.dropFirst())
    guard !args.isEmpty else { fail("usage: LocoFidelity ant|cheetah [--env ID] [--episodes N] [--steps N] [--no-terminate]\n")}
    o.robot = args.removeFirst()
    while !args.isEmpty {
        let a = args.removeFirst()
        switch a {
        case "--env": o.env = args.removeFirst()
        case "--episodes": o.episodes = Int(args.removeFirst()) ?? o.episodes
        case "--steps": o.steps = Int(args.removeFirst()) ?? o.steps
        case "--no-terminate": o.terminate = false
        case "--action-scale": o.scale = Double(args.removeFirst()) ?? 1
        case "--trace": o.trace = true
        default: fail("unknown option \(a)\n")
        }
    }
    return o
}

func json(_ pairs: [(String, Any)]) -> String {
    "{" + pairs.map { k, v in
        let s: String
        switch v {
        case let d as Double: s = d.isFinite ? "\(d)" : "null"
        case let i as Int: s = "\(i)"
        case let b as Bool: s = b ? "true" : "false"
        default: s = "\"\(v)\""
        }
        return "\"\(k)\": \(s)"
    }.joined(separator: ", ") + "}"
}

func runAnt(_ o: Options) throws -> String {
    let id = o.env ?? "ant-vel-v2"
    let env = try Registry.environment(id).makePhysics()
    var heights: [Double] = [], vz: [Double] = [], jointSpeed: [Double] = [], lengths: [Double] = []
    var ankle: [Double] = [], hip: [Double] = [], tilt: [Double] = []
    var terminated = 0, above = 0, below = 0
    for ep in 0..<o.episodes {
        _ = env.reset(seed: UInt64(ep))
        var rng = SplitMix64(state: actionSeed(ep))
        var n = 0
        for _ in 0..<o.steps {
            let a = (0..<8).map { _ in Float(o.scale * rng.uniform()) }
            let r = try env.step(a)
            n += 1
            let z = Double(r.observation[0])
            if o.trace, ep == 0 { FileHandleLite.writeError("\(n) z \(z) joints \((5..<13).map { r.observation[$0] })\n") }
            heights.append(z)
            vz.append(Double(r.observation[15]))
            jointSpeed.append(mean((19..<27).map { abs(Double(r.observation[$0])) }))
            ankle.append(mean([6, 8, 10, 12].map { abs(Double(r.observation[$0])) }))
            hip.append(mean([5, 7, 9, 11].map { abs(Double(r.observation[$0])) }))
            // Torso up axis's z: 1 − 2(x² + y²) of the quaternion.
            tilt.append(1 - 2 * Double(r.observation[2] * r.observation[2] + r.observation[3] * r.observation[3]))
            if o.terminate, r.status == .terminated {
                terminated += 1
                if z > 1 { above += 1 }
                if z < 0.2 { below += 1 }
                break
            }
            if case .truncated = r.status { break }
        }
        lengths.append(Double(n))
    }
    let e = Double(o.episodes)
    return json([("env", id), ("episodes", o.episodes), ("steps", o.steps), ("terminate", o.terminate),
                 ("terminated_fraction", Double(terminated) / e), ("terminated_above", Double(above) / e),
                 ("terminated_below", Double(below) / e), ("mean_length", mean(lengths)),
                 ("torso_z_p10", percentile(heights, 10)), ("torso_z_p50", percentile(heights, 50)),
                 ("torso_z_p90", percentile(heights, 90)), ("torso_z_p99", percentile(heights, 99)),
                 ("torso_z_above_1", mean(heights.map { $0 > 1 ? 1 : 0 })),
                 ("vz_p99", percentile(vz, 99)), ("vz_p1", percentile(vz, 1)), ("joint_speed_mean", mean(jointSpeed)),
                 ("ankle_abs_mean", mean(ankle)), ("hip_abs_mean", mean(hip)), ("upright_p10", percentile(tilt, 10)), ("upright_mean", mean(tilt))])
}

func runCheetah(_ o: Options) throws -> String {
    let id = o.env ?? "half-cheetah-dir-v2"
    let env = try Registry.environment(id).makePhysics()
    var velocities: [Double] = [], z: [Double] = [], jointSpeed: [Double] = []
    var flips = 0
    for ep in 0..<o.episodes {
        _ = env.reset(seed: UInt64(ep))
        var rng = SplitMix64(state: actionSeed(ep))
        var sum = 0.0, flipped = false
        for _ in 0..<o.steps {
            let a = (0..<6).map { _ in Float(o.scale * rng.uniform()) }
            let r = try env.step(a)
            // half-cheetah-dir-v2 with d = +1: the `forward` term is vx (root x displacement / 0.05 s).
            sum += r.info.terms.first { $0.name == "forward" }?.value ?? .nan
            z.append(Double(r.observation[0]))
            jointSpeed.append(mean((11..<17).map { abs(Double(r.observation[$0])) }))
            flipped = flipped || abs(Double(r.observation[1])) > .pi / 2
        }
        velocities.append(sum / Double(o.steps))
        if flipped { flips += 1 }
    }
    let m = mean(velocities)
    let sd = (mean(velocities.map { ($0 - m) * ($0 - m) })).squareRoot()
    return json([("env", id), ("episodes", o.episodes), ("steps", o.steps), ("mean_vx", m), ("vx_episode_std", sd),
                 ("vx_mean_stderr", sd / Double(o.episodes).squareRoot()),
                 ("root_z_p10", percentile(z, 10)), ("root_z_p50", percentile(z, 50)), ("root_z_p90", percentile(z, 90)),
                 ("joint_speed_mean", mean(jointSpeed)), ("flip_fraction", Double(flips) / Double(o.episodes))])
}

func runFetch(_ o: Options) throws -> String {
    let id = o.env ?? "fetch-reach-v1"
    let env = try Registry.environment(id).makePhysics()
    var out: [(String, Any)] = [("env", id), ("episodes", o.episodes)]
    for (name, s) in [("full", 1.0), ("half", 0.5)] {
        var steps: [(Int, Double)] = []
        for seed in 0..<10 {
            var p = Array(env.reset(seed: UInt64(seed)).prefix(3)).map(Double.init)
            for k in 0..<5 {
                let q = Array(try env.step([Float(s), 0, 0, 0]).observation.prefix(3)).map(Double.init)
                steps.append((k, 100 * (q[0] - p[0])))
                p = q
            }
        }
        out.append(("step_cm_\(name)", mean(steps.map(\.1))))
        out.append(("step1_cm_\(name)", mean(steps.filter { $0.0 == 0 }.map(\.1))))
        out.append(("step5_cm_\(name)", mean(steps.filter { $0.0 == 4 }.map(\.1))))
    }
    var any = 0, final = 0
    for ep in 0..<o.episodes {
        _ = env.reset(seed: UInt64(ep))
        var rng = SplitMix64(state: actionSeed(ep))
        var hit = false, last = false
        for _ in 0..<50 {
            let r = try env.step((0..<4).map { _ in Float(rng.uniform()) })
            last = r.info.success ?? false
            hit = hit || last
        }
        if hit { any += 1 }
        if last { final += 1 }
    }
    out.append(("random_success_any", Double(any) / Double(o.episodes)))
    out.append(("random_success_final", Double(final) / Double(o.episodes)))
    return json(out)
}

let options = parse()
do {
    switch options.robot {
    case "ant": print(try runAnt(options))
    case "cheetah": print(try runCheetah(options))
    case "fetch": print(try runFetch(options))
    default: fail("unknown robot \(options.robot)\n")
    }
} catch {
    fail("error: \(error)\n")
}
