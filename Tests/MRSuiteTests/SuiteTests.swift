import MRCore
@testable import MRSuite
import Testing
import _MRTestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite("Registry battery and conformance checker")
struct SuiteTests {
    /// The all-tasks battery: every registered id passes the conformance checker
    /// (2,000 random steps; 100,000 with MRBENCH_LONG_TESTS=1).
    @Test(arguments: Registry.environments.map(\.id))
    func everyRegisteredEnvironmentConforms(id: String) throws {
        let spec = try Registry.environment(id)
        let report = Conformance.check(spec, steps: TestSupport.longTests ? 100_000 : 2_000, seed: 11)
        for c in report.checks where !c.passed { Issue.record("\(id) \(c.name): \(c.detail)") }
        #expect(report.passed)
        #expect(report.checks.count == 7)
    }

    @Test func theFakeEnvironmentConforms() {
        #expect(Conformance.check(FakeEnvironment.spec(), steps: 500).passed)
    }

    /// The checker must be able to fail: each planted flaw is caught by the check meant for it.
    @Test(arguments: [
        (FakeEnvironment.Flaw.nondeterministicReset, "reset-determinism"),
        (.nanObservation, "finite-random-steps"),
        (.acceptsWrongLength, "bad-actions-rejected"),
        (.wrongDeclaredSize, "spaces"),
    ])
    func checkerCatchesPlantedFlaws(flaw: FakeEnvironment.Flaw, check: String) {
        let report = Conformance.check(FakeEnvironment.spec(flaw: flaw), steps: 500)
        #expect(!report.passed)
        #expect(report.checks.first { $0.name == check }?.passed == false, "\(check) should fail for \(flaw)")
    }

    @Test func timeLimitOwnsTheHorizon() throws {
        let env = TimeLimit(FakeEnvironment(horizon: 5))
        #expect(throws: EnvironmentError.stepBeforeReset) { try env.step([0]) }
        _ = env.reset(seed: 1)
        var statuses: [EpisodeStatus] = []
        for _ in 0..<5 { statuses.append(try env.step([0.5]).status) }
        #expect(statuses == [.running, .running, .running, .running, .truncated(.timeLimit)])
        #expect(throws: EnvironmentError.stepAfterDone) { try env.step([0]) }
        _ = env.reset(seed: 1)
        #expect(try env.step([0]).status == .running)
    }

    /// Every environment the registry makes is wrapped in a `TimeLimit` at the horizon its spec
    /// declares; nothing else truncates.
    @Test func everyRegisteredEnvironmentIsTimeLimited() throws {
        for spec in Registry.environments {
            let env = try spec.make()
            #expect(timeLimitHorizon(of: env) == spec.horizon, "\(spec.id)")
            #expect(env.horizon == spec.horizon, "\(spec.id)")
        }
        #expect(timeLimitHorizon(of: FakeEnvironment()) == nil)
        #expect(timeLimitHorizon(of: TimeLimit(FakeEnvironment(horizon: 7))) == 7)
    }

    /// Every environment a benchmark makes for its entries (train and test, each environment id,
    /// through its own factory: hidden goals, padded observations) is time-limited at the benchmark
    /// protocol's horizon, which its learners and agents are told; and an episode run through the
    /// cursor with that horizon ends there (truncated exactly at it, or terminated before), so the
    /// runner and the learners' episode loops never have to cut one short.
    @Test(arguments: Registry.benchmarks.map(\.id))
    func everyBenchmarkEnvironmentEndsAtTheProtocolHorizon(id: String) throws {
        let b = try Registry.benchmark(id)
        let set = try b.taskSet()
        let horizon = b.evaluation.horizon
        var seen = Set<String>()
        for (split, entries) in [("train", set.train), ("test", set.test)] {
            for e in entries where seen.insert("\(split) \(e.env)").inserted {
                let env = try b.makeEnvironment(e)
                #expect(timeLimitHorizon(of: env) == horizon, "\(id) \(split) \(e.env)")
                #expect(env.horizon == horizon, "\(id) \(split) \(e.env)")
                #expect(try Registry.environment(e.env).horizon == horizon, "\(id) \(e.env)")
            }
        }
        #expect(!seen.isEmpty)
        let tasks = try b.trainingTasks()
        #expect(tasks.context.horizon == horizon && tasks.evaluation.horizon == horizon)
        #expect(try tasks.environment(0).horizon == horizon)
        let env = try b.makeEnvironment(set.test[0])
        let policy = RandomPolicy(actionSpace: env.actionSpace, seed: 3)
        policy.beginTrial(seed: 3)
        policy.beginEpisode(phase: .evaluation)
        var cursor = EpisodeCursor(env, seed: 3, horizon: horizon)
        try cursor.run(policy)
        #expect(cursor.length <= horizon, "\(id)")
        #expect(cursor.status == .terminated || cursor.status == .truncated(.timeLimit) && cursor.length == horizon, "\(id): \(cursor.status) after \(cursor.length)")
    }

    @Test func unknownIdIsAClearError() {
        #expect(throws: RegistryError.self) { try Registry.environment("no-such-env-v1") }
        do { _ = try Registry.environment("no-such-env-v1") } catch {
            #expect(error.description.contains("pendulum-v1"))
        }
    }

    /// An id leads to its spec by a keyed lookup: every registered id finds its own spec, and each
    /// benchmark names how its entries' environments are made from the registered ones.
    @Test func idsLeadToTheirSpecsAndEntryEnvironments() throws {
        for e in Registry.environments { #expect(try Registry.environment(e.id).id == e.id) }
        for b in Registry.benchmarks {
            #expect(try Registry.benchmark(b.id).id == b.id)
            let expected: BenchmarkSpec.EntryEnvironment = b.id.hasPrefix("ml") ? .goalHidden
                : b.id.hasPrefix("fetch-") ? .padded(FetchEnvironment.objectLayout) : .registered
            #expect(b.entryEnvironment == expected, "\(b.id)")
        }
        // Only environments that declare a goal-hidden variant have one.
        #expect(throws: RegistryError.noHiddenGoal("pendulum-v1")) {
            try Registry.environment("pendulum-v1").makeGoalHidden(task: try JSONCoding.value(of: PendulumEnvironment.Task()))
        }
        let hidden = try Registry.environment("ml10/reach-v2").makeGoalHidden(task: try JSONCoding.value(of: ReachTask.defaultDescriptor))
        #expect(Array(hidden.reset(seed: 0).suffix(3)) == [0, 0, 0])
        let shown = try Registry.environment("ml10/reach-v2").make(task: try JSONCoding.value(of: ReachTask.defaultDescriptor))
        #expect(Array(shown.reset(seed: 0).suffix(3)) != [0, 0, 0])
    }
}

@Suite("pendulum-v1")
struct PendulumTests {
    /// The reward recomputed by hand from the observation before the step and the action.
    @Test func rewardMatchesItsFormulaOnEveryStep() throws {
        let env = try Registry.environment("pendulum-v1").make()
        var o = env.reset(seed: 5)
        var g = SeededGenerator(seed: 9)
        for _ in 0..<200 {
            let a = env.actionSpace.sample(using: &g)
            let theta = Double(atan2(o[1], o[0])), omega = Double(o[2]), torque = 2 * Double(a[0])
            let expected = -(theta * theta + 0.1 * omega * omega + 0.001 * torque * torque)
            let r = try env.step(a)
            #expect(abs(r.reward - expected) < 1e-5 * max(1, abs(expected)), "reward \(r.reward) vs \(expected)")
            o = r.observation
            if r.status.isDone { break }
        }
    }

    /// Released from rest at θ₀ with no torque, the rod starts with θ̈ = (3g / 2L) sin θ₀ = 15 sin θ₀.
    @Test func releasedRodAcceleratesAsAUniformRod() throws {
        let env = try PendulumEnvironment()
        var o = env.reset(seed: 0)
        // Find a start state from a seed, then compare the first step's change of θ̇ to the rod's equation.
        let theta0 = Double(atan2(o[1], o[0])), omega0 = Double(o[2])
        o = try env.step([0]).observation
        let alpha = (Double(o[2]) - omega0) / env.controlTimestep
        let expected = 15 * sin(theta0)
        #expect(abs(alpha - expected) < 0.05 * abs(expected) + 0.5, "θ̈ \(alpha) vs \(expected) at θ₀ = \(theta0)")
    }
}
