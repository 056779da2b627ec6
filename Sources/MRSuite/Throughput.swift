import Dispatch
import MRCore

/// Throughput of one environment id: `mrbench bench`.
public struct ThroughputResult: Codable, Sendable {
    public let id: String
    public let threads: Int
    /// Control steps timed (per thread × threads).
    public let steps: Int
    /// Environment steps per second over all threads (random actions, resets at the horizon
    /// included); with `physicsOnly`, the control-step rate the raw ODE substeps alone allow.
    public let stepsPerSecond: Double
    /// Raw ODE time per physics substep on one thread (µs): collision, step, bookkeeping
    /// (nil for environments without a simulation).
    public let physicsMicrosecondsPerSubstep: Double?
}

/// Measures environment throughput (`mrbench bench`). It prints figures; nothing here fails on a time.
public enum Throughput {
    public static func run(_ spec: EnvironmentSpec, steps: Int, threads: Int, physicsOnly: Bool, assets: String? = nil, seed: UInt64 = 1) throws -> ThroughputResult {
        precondition(steps > 0 && threads > 0)
        // The raw-physics pass needs a simulation; environments without one (navigation) skip it.
        let physicsEnv: (any PhysicsEnvironment)?
        do { physicsEnv = try spec.makePhysics(assets: assets) } catch RegistryError.noPhysics { physicsEnv = nil }
        if physicsOnly && physicsEnv == nil { throw RegistryError.noPhysics(spec.id) }
        let physicsMicros = try physicsEnv.map { try physicsPass($0, horizon: spec.horizon, steps: steps, seed: seed) }
        if physicsOnly, let physicsEnv, let physicsMicros {
            let perStep = physicsMicros * Double(physicsEnv.substeps)
            return ThroughputResult(id: spec.id, threads: 1, steps: steps, stepsPerSecond: 1e6 / perStep, physicsMicrosecondsPerSubstep: physicsMicros)
        }
        // Build every environment first, then time the stepping alone.
        let envs = try (0..<threads).map { _ in try spec.make(assets: assets) }
        // Warm up (caches, allocator, lazily built contact pairs), untimed.
        for (t, e) in envs.enumerated() { try drive(e, steps: warmUp(steps), seed: SeededGenerator.derive(seed &+ 1, UInt64(t))) }
        let box = UncheckedBox(envs)
        let elapsed = ContinuousClock().measure {
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                try? drive(box.value[t], steps: steps, seed: SeededGenerator.derive(seed, UInt64(t)))
            }
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return ThroughputResult(id: spec.id, threads: threads, steps: steps * threads, stepsPerSecond: Double(steps * threads) / seconds, physicsMicrosecondsPerSubstep: physicsMicros)
    }

    /// Untimed warm-up steps before a timed run of `steps` (PERFORMANCE.md: warm up, then time).
    static func warmUp(_ steps: Int) -> Int { min(max(steps / 10, 1), 2_000) }

    /// Steps an environment with uniform random actions, resetting when an episode ends.
    static func drive(_ env: any Environment, steps: Int, seed: UInt64) throws {
        var g = SeededGenerator(seed: seed)
        var episode: UInt64 = 0
        var cursor = EpisodeCursor(env, seed: seed, horizon: env.horizon)
        for _ in 0..<steps {
            _ = try cursor.step(env.actionSpace.sample(using: &g))
            if cursor.isDone { episode += 1; cursor = EpisodeCursor(env, seed: seed &+ episode, horizon: env.horizon) }
        }
    }

    /// Raw physics: the environment's simulation stepped directly with random controls, its start state restored at each horizon.
    static func physicsPass(_ env: any PhysicsEnvironment, horizon: Int, steps: Int, seed: UInt64) throws -> Double {
        _ = env.reset(seed: seed)
        let sim = env.simulation
        let start = sim.snapshot()
        var g = SeededGenerator(seed: seed)
        let n = sim.actuatorCount
        let controls = (0..<256).map { _ in (0..<n).map { _ in g.uniform(-1, 1) } }
        let substeps = env.substeps
        for i in 0..<warmUp(steps) {
            try sim.setControls(controls[i & 255])
            try sim.step(substeps: substeps)
        }
        try sim.restore(start)
        var t = 0
        var failure: Error?
        let elapsed = ContinuousClock().measure {
            do {
                for i in 0..<steps {
                    try sim.setControls(controls[i & 255])
                    try sim.step(substeps: substeps)
                    t += 1
                    if t == horizon { try sim.restore(start); t = 0 }
                }
            } catch { failure = error }
        }
        if let failure { throw failure }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        return seconds * 1e6 / Double(steps * substeps)
    }
}

/// Hands per-thread environments to `concurrentPerform`; each index is used by exactly one thread.
struct UncheckedBox<T>: @unchecked Sendable { let value: T; init(_ v: T) { value = v } }
