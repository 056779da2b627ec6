import MRCore

/// A behaviour fingerprint: SHA-256 of a fixed rollout of an environment — fixed reset seeds, fixed
/// deterministic actions — over every observation, reward, success flag and episode status.
///
/// Data (models, task sets) is checksummed in `Assets/MANIFEST.json`; code is not, so a change to a
/// reward, an observation or the dynamics would keep every digest. The manifest therefore also
/// records each registered environment's and benchmark's fingerprint, the benchmark digest folds
/// them in, and a test recomputes them: behaviour that changes without a new version id (or a
/// deliberate `mrbench tasksets manifest`, which changes the digests) fails the suite.
///
/// Numbers are hashed rounded to 1e-4 (observations, rewards), so the fingerprint names the
/// behaviour rather than the last bits a particular processor's libm produces, while any change
/// of a constant that matters shows.
public enum BehaviourFingerprint {
    /// Episodes and steps per episode of the fingerprint rollout (an episode also ends when done).
    public static let episodes = 2
    public static let steps = 100
    /// The quantum numbers are rounded to before hashing.
    public static let quantum = 1e-4
    /// Names the rollout rule; part of every fingerprint, so changing the rule changes them all.
    static let version = "mrbench-behaviour/1"

    /// The fixed action of step `t` of episode `e`, component `i`: a cycle through −1 … 1 in tenths.
    public static func action(episode e: Int, step t: Int, dimension n: Int) -> [Float] {
        (0..<n).map { i in Float((t * 7 + i * 3 + e * 5) % 21 - 10) / 10 }
    }

    /// The fingerprint of a rollout of `env` (which should be freshly made, time-limited).
    public static func of(_ env: any Environment) throws -> String {
        var h = SHA256()
        func put(_ s: String) { h.update(Array(s.utf8)) }
        func put(_ x: Double) {
            guard x.isFinite else { put(x.isNaN ? "nan;" : (x > 0 ? "inf;" : "-inf;")); return }
            put(String(Int64((x / quantum).rounded())) + ";")
        }
        put("\(version)\n\(env.id)\nobs \(env.observationSpace.dimension) act \(env.actionSpace.dimension)\n")
        for e in 0..<episodes {
            let first = env.reset(seed: SeededGenerator.derive(20_261_203, "fingerprint/\(e)"))
            put("episode \(e)\n")
            for v in first { put(Double(v)) }
            for t in 0..<steps {
                let r = try env.step(action(episode: e, step: t, dimension: env.actionSpace.dimension))
                put("\n")
                for v in r.observation { put(Double(v)) }
                put(r.reward)
                put(" \(r.info.success.map { $0 ? "success" : "-" } ?? "n/a") \(r.status.name)")
                if r.status.isDone { break }
            }
            put("\n")
        }
        return SHA256.hex(h.finalize())
    }

    /// The fingerprint of a registered environment with its default task.
    public static func of(_ spec: EnvironmentSpec, assets: String? = nil) throws -> String {
        try of(spec.make(assets: assets))
    }

    /// The fingerprint of a benchmark: its first test entry's environment as the benchmark builds
    /// it (hidden goals, padded observations), with that entry's task.
    public static func of(_ benchmark: BenchmarkSpec, assets: String? = nil) throws -> String {
        let set = try benchmark.taskSet(assets: assets)
        guard let entry = set.test.first else { throw TaskSetError.malformed(TaskSetStore.relativePath(benchmark.id), "no test entries") }
        return try of(benchmark.makeEnvironment(entry, assets: assets))
    }

    /// The fingerprints of every registered environment and benchmark as the code behaves now.
    public static func computeAll(assets: String? = nil) throws -> (environments: [String: String], benchmarks: [String: String]) {
        var envs: [String: String] = [:], benches: [String: String] = [:]
        for s in Registry.environments { envs[s.id] = try of(s, assets: assets) }
        for b in Registry.benchmarks { benches[b.id] = try of(b, assets: assets) }
        return (envs, benches)
    }
}
