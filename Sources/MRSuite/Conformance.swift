import MRCore

/// The result of checking one environment against the contract of ARCHITECTURE.md.
public struct ConformanceReport: Codable, Sendable, Equatable {
    public struct Check: Codable, Sendable, Equatable {
        public let name: String
        public let passed: Bool
        public let detail: String
    }
    public let id: String
    public let passed: Bool
    public let checks: [Check]
    /// Random steps taken by the long check.
    public let steps: Int
    /// The fastest body speed seen (m/s).
    public let maxSpeed: Double
    /// The largest |observation component| seen.
    public let maxAbsObservation: Double
}

/// The environment conformance checker (`mrbench check-env`, and the all-tasks test battery).
///
/// Checks: declared spaces match what reset and step return; the same seed resets to identical
/// observations; two rollouts with the same seed and actions are bit-identical; snapshot/restore
/// replays exactly; observations and rewards stay finite and inside the observation space over
/// `steps` random steps with no divergence; the horizon truncates exactly; wrong-length and
/// non-finite actions are rejected and lose nothing; a step after the end is refused.
public enum Conformance {
    public static func check(_ spec: EnvironmentSpec, steps: Int = 10_000, seed: UInt64 = 0, assets: String? = nil) -> ConformanceReport {
        var checks: [ConformanceReport.Check] = []
        func record(_ name: String, _ passed: Bool, _ detail: String) { checks.append(.init(name: name, passed: passed, detail: detail)) }
        func attempt(_ name: String, _ body: () throws -> (Bool, String)) {
            do { let (ok, d) = try body(); record(name, ok, d) } catch { record(name, false, "threw: \(error)") }
        }
        let env: any Environment, twin: any Environment
        do { env = try spec.make(assets: assets); twin = try spec.make(assets: assets) } catch {
            record("construct", false, "\(error)")
            return ConformanceReport(id: spec.id, passed: false, checks: checks, steps: 0, maxSpeed: 0, maxAbsObservation: 0)
        }
        var g = SeededGenerator(seed: SeededGenerator.derive(seed, "conformance-actions"))
        let actions = (0..<max(2 * spec.horizon, 64)).map { _ in env.actionSpace.sample(using: &g) }

        attempt("spaces") {
            var problems: [String] = []
            if env.id != spec.id { problems.append("id \(env.id) ≠ \(spec.id)") }
            if env.observationSpace.dimension != spec.observationSize { problems.append("observation space has \(env.observationSpace.dimension) dims, spec \(spec.observationSize)") }
            if env.observationLayout.count != spec.observationSize { problems.append("layout covers \(env.observationLayout.count), spec \(spec.observationSize)") }
            if env.actionSpace != .unit(spec.actionSize) { problems.append("action space is not [-1, 1]^\(spec.actionSize)") }
            if env.horizon != spec.horizon { problems.append("horizon \(env.horizon) ≠ spec \(spec.horizon)") }
            if env.controlTimestep != spec.controlTimestep { problems.append("control timestep \(env.controlTimestep) ≠ spec \(spec.controlTimestep)") }
            let o = env.reset(seed: seed)
            if !env.observationSpace.contains(o) { problems.append("reset observation (\(o.count) values) is outside the observation space") }
            let r = try env.step(actions[0])
            if !env.observationSpace.contains(r.observation) { problems.append("step observation is outside the observation space") }
            return (problems.isEmpty, problems.isEmpty ? "observation \(spec.observationSize), action \(spec.actionSize), horizon \(spec.horizon), dt \(spec.controlTimestep) s" : problems.joined(separator: "; "))
        }
        attempt("reset-determinism") {
            let a = env.reset(seed: seed &+ 7)
            for act in actions.prefix(10) { if try env.step(act).status.isDone { break } }
            let b = env.reset(seed: seed &+ 7)
            return (a == b, a == b ? "same seed, same first observation" : "two resets with one seed differ")
        }
        attempt("rollout-determinism") {
            let (ra, rb) = (try rollout(env, seed: seed, actions: actions), try rollout(twin, seed: seed, actions: actions))
            let same = ra == rb
            return (same, same ? "\(ra.count) steps bit-identical across two instances" : "rollouts diverge at step \(Array(zip(ra, rb)).firstIndex { $0.0 != $0.1 } ?? min(ra.count, rb.count))")
        }
        attempt("snapshot-restore") {
            _ = env.reset(seed: seed &+ 1)
            var k = min(spec.horizon / 2, 20)
            // An environment that terminates (the ant's health check) may end within the prefix:
            // then replay the same seed up to the step before the end and take the snapshot there.
            if let end = try actions.prefix(k).indices.first(where: { try env.step(actions[$0]).status.isDone }) {
                _ = env.reset(seed: seed &+ 1)
                k = end
                for act in actions.prefix(k) { _ = try env.step(act) }
            }
            let saved = env.snapshot()
            let tail = Array(actions[k..<min(actions.count, k + spec.horizon / 2 + 5)])
            let first = try replay(env, tail)
            try env.restore(saved)
            let second = try replay(env, tail)
            return (first == second, first == second ? "\(first.count) steps replayed bit-identically" : "replay after restore differs")
        }
        var maxSpeed = 0.0, maxObs = 0.0, taken = 0
        attempt("finite-random-steps") {
            var o = env.reset(seed: seed &+ 2)
            var episodes = 1, diverged = 0
            var bad: String?
            for i in 0..<steps {
                let r = try env.step(env.actionSpace.sample(using: &g))
                taken += 1
                maxSpeed = max(maxSpeed, env.maxBodySpeed)
                for v in r.observation { maxObs = max(maxObs, Double(abs(v))) }
                if bad == nil {
                    if !r.reward.isFinite { bad = "non-finite reward at step \(i)" }
                    else if !env.observationSpace.contains(r.observation) { bad = "observation outside its space at step \(i)" }
                    else if !maxSpeed.isFinite { bad = "non-finite speed at step \(i)" }
                }
                if r.status == .truncated(.diverged) { diverged += 1 }
                o = r.observation
                if r.status.isDone { o = env.reset(seed: seed &+ 2 &+ UInt64(episodes)); episodes += 1 }
            }
            _ = o
            if diverged > 0 { bad = (bad.map { $0 + "; " } ?? "") + "\(diverged) episodes diverged" }
            return (bad == nil, bad ?? "\(steps) steps over \(episodes) episodes: finite, in bounds, no divergence; max speed \(fmt(maxSpeed)) m/s, max |obs| \(fmt(maxObs))")
        }
        attempt("horizon-truncates") {
            _ = env.reset(seed: seed &+ 3)
            var n = 0
            var last = EpisodeStatus.running
            while !last.isDone && n <= spec.horizon {
                last = try env.step(actions[n % actions.count]).status
                n += 1
            }
            let ok = (last == .truncated(.timeLimit) && n == spec.horizon) || (last == .terminated && n <= spec.horizon)
            var refused = false
            do { _ = try env.step(actions[0]) } catch { refused = true }
            return (ok && refused, "episode ended after \(n) steps as \(last.name); a further step was \(refused ? "refused" : "accepted")")
        }
        attempt("bad-actions-rejected") {
            _ = env.reset(seed: seed &+ 4)
            let saved = env.snapshot()
            var bad = actions[0]
            let wrongLength = bad + [0]
            bad[0] = .nan
            var inf = actions[0]; inf[inf.count - 1] = .infinity
            var rejected = 0
            for a in [wrongLength, [], bad, inf] {
                do { _ = try env.step(a) } catch is ActionError { rejected += 1 }
            }
            let after = try env.step(actions[1])
            try env.restore(saved)
            let clean = try env.step(actions[1])
            let ok = rejected == 4 && after == clean
            return (ok, "\(rejected)/4 bad actions rejected; state \(after == clean ? "untouched" : "changed") by them")
        }
        let passed = checks.allSatisfy(\.passed)
        return ConformanceReport(id: spec.id, passed: passed, checks: checks, steps: taken, maxSpeed: maxSpeed, maxAbsObservation: maxObs)
    }

    static func rollout(_ env: any Environment, seed: UInt64, actions: [[Float]]) throws -> [StepResult] {
        _ = env.reset(seed: seed)
        return try replay(env, actions)
    }

    static func replay(_ env: any Environment, _ actions: [[Float]]) throws -> [StepResult] {
        var out: [StepResult] = []
        for a in actions {
            let r = try env.step(a)
            out.append(r)
            if r.status.isDone { break }
        }
        return out
    }

    /// A number rounded to three decimals, for human-readable reports.
    public static func fmt(_ v: Double) -> String {
        let r = (v * 1000).rounded() / 1000
        return "\(r)"
    }
}
