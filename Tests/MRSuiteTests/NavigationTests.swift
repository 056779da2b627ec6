import MRCore
@testable import MRSuite
import Testing

@Suite("Navigation environments and benchmarks")
struct NavigationTests {
    /// Dense and sparse rewards recomputed by hand from the recorded positions.
    @Test func pointRewardsByHand() throws {
        for sparse in [false, true] {
            let env = PointNavigationEnvironment(sparse: sparse)
            try env.setTask(PointGoal(x: 0.6, y: 0.8))
            var p = env.reset(seed: 3).map(Double.init)
            #expect(p == [0, 0])
            var g = SeededGenerator(seed: 9)
            for _ in 0..<100 {
                let a: [Float] = [Float(g.uniform(-1.5, 1.5)), Float(g.uniform(-1, 1))]
                let r = try env.step(a)
                let moved = [p[0] + 0.1 * Double(max(-1, min(1, a[0]))), p[1] + 0.1 * Double(max(-1, min(1, a[1])))]
                #expect(abs(Double(r.observation[0]) - moved[0]) < 1e-6 && abs(Double(r.observation[1]) - moved[1]) < 1e-6)
                let d = ((moved[0] - 0.6) * (moved[0] - 0.6) + (moved[1] - 0.8) * (moved[1] - 0.8)).squareRoot()
                #expect(abs(r.reward - (sparse ? (d <= 0.2 ? 1 : 0) : -d)) < 1e-9)
                #expect(r.info.success == (d <= 0.2))
                p = moved
            }
        }
    }

    /// The cube's reward equals the pure `computeReward` on every step, and positions stay in the cube.
    @Test func cubeRewardIsThePureFunction() throws {
        let env = CubeNavigationEnvironment()
        try env.setTask(CubeGoal(x: 0.7, y: 0.3, z: 0.6))
        _ = env.reset(seed: 0)
        var g = SeededGenerator(seed: 4)
        var successes = 0
        for i in 0..<300 {
            // Random steps, then head for the goal so that both reward values occur.
            let o0 = try env.step([0, 0, 0]).observation
            let a: [Float] = i < 150 ? (0..<3).map { _ in Float(g.uniform(-1, 1)) } : (0..<3).map { k in Float(max(-1, min(1, (Double(o0[6 + k]) - Double(o0[k])) / 0.05))) }
            let r = try env.step(a)
            #expect(r.reward == CubeNavigationEnvironment.computeReward(achieved: Array(r.observation[3..<6]), desired: Array(r.observation[6..<9])))
            #expect(r.observation.allSatisfy { $0 >= 0 && $0 <= 1 })
            if r.reward > 0 { successes += 1 }
        }
        #expect(successes > 100)
        #expect(CubeNavigationEnvironment.computeReward(achieved: [0, 0, 0], desired: [0.03, 0.03, 0.03]) == 0)
        #expect(CubeNavigationEnvironment.computeReward(achieved: [0, 0, 0], desired: [0.02, 0.02, 0.02]) == 1)
    }

    /// Train goals of cube-nav-zones-v1 lie in zones A–C, test goals in D; point goals on the upper half-circle.
    @Test func frozenGoalsRespectTheirZones() throws {
        let cube = try Registry.benchmark("cube-nav-zones-v1").taskSet()
        for e in cube.train { #expect(try JSONCoding.decode(CubeGoal.self, from: e.params).zone != .d) }
        for e in cube.test { #expect(try JSONCoding.decode(CubeGoal.self, from: e.params).zone == .d) }
        #expect(Set(try cube.train.map { try JSONCoding.decode(CubeGoal.self, from: $0.params).zone }) == [.a, .b, .c])
        for e in try Registry.benchmark("point-nav-v1").taskSet().train {
            let p = try JSONCoding.decode(PointGoal.self, from: e.params)
            #expect(abs((p.x * p.x + p.y * p.y).squareRoot() - 1) < 1e-5 && p.y >= 0)
        }
    }

    /// The privileged experts solve every frozen goal; a random policy rarely does.
    @Test func expertsSolveTheNavigationBenchmarks() throws {
        for id in ["point-nav-sparse-v1", "cube-nav-zones-v1"] {
            let r = try ExpertReport.run(Registry.benchmark(id), goalsPerTask: 20, seed: 1, threads: 2)
            for row in r.tasks {
                #expect(row.goals == 20)
                #expect(row.expertSuccess == 1, "\(id) \(row.task) \(row.split)")
                #expect((row.randomSuccess ?? 1) < 0.3, "\(id) \(row.task) \(row.split)")
                #expect(row.expertReturn > row.randomReturn)
            }
        }
    }

    /// A typed task decodes from a task-set entry; a malformed one is refused with the family's name.
    @Test func taskParametersDecodeOrFailClearly() throws {
        let spec = try Registry.environment("cube-nav-v1")
        let env = try spec.make(task: .object(["x": .number(0.9), "y": .number(0.2), "z": .number(0.5)]))
        #expect(env.reset(seed: 0)[6...] == [0.9, 0.2, 0.5])
        #expect(throws: EnvironmentError.self) { try spec.make(task: .object(["x": .number(0.9)])) }
        #expect(throws: EnvironmentError.self) { try spec.make(task: .object(["x": .number(2), "y": .number(0.2), "z": .number(0.5)])) }
    }
}

@Suite("Physics snapshots")
struct PhysicsSnapshotTests {
    /// A snapshot restores only into the kind of environment that made it.
    @Test func foreignSnapshotsAreRefused() throws {
        let pairs = [("half-cheetah-vel-v2", "ant-vel-v2"), ("ml10/reach-v2", "ml10/push-v2"), ("fetch-reach-v1", "ml10/reach-v2")]
        for (a, b) in pairs {
            let ea = try Registry.environment(a).makePhysics(), eb = try Registry.environment(b).makePhysics()
            _ = ea.reset(seed: 1); _ = eb.reset(seed: 1)
            #expect(throws: EnvironmentError.foreignSnapshot) { try eb.restore(ea.snapshot()) }
            try ea.restore(ea.snapshot())
        }
    }
}
