import MRCore
@testable import MRSuite
import Testing
import Foundation
import _MRTestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite("Fetch environments, experts and benchmarks")
struct FetchTests {
    /// One expert episode on a pinned task; returns the observations and step results.
    static func episode(_ kind: FetchTaskKind, task: FetchTask, seed: UInt64 = 0, dense: Bool = false,
                        policy: (any Policy)? = nil) throws -> (observations: [[Float]], results: [StepResult]) {
        let env = try Registry.environment(FetchEnvironment.identifier(kind, dense: dense)).make(task: try JSONCoding.value(of: task))
        let p = policy ?? FetchExpert(kind: kind)
        p.beginTrial(seed: seed)
        p.beginEpisode(phase: .evaluation)
        var cursor = EpisodeCursor(env, seed: seed, horizon: env.horizon)
        var obs = [cursor.observation], results: [StepResult] = []
        while !cursor.isDone {
            let t = try cursor.step(p.act(cursor.observation))
            results.append(StepResult(observation: t.nextObservation, reward: t.reward, status: t.status, info: cursor.lastInfo ?? StepInfo()))
            obs.append(t.nextObservation)
        }
        return (obs, results)
    }

    /// Expert success rate over `n` tasks sampled with v4's distribution from `seed`.
    static func expertSuccess(_ kind: FetchTaskKind, n: Int, seed: UInt64 = 1, random: Bool = false) throws -> Double {
        var g = SeededGenerator(seed: seed)
        var ok = 0
        for i in 0..<n {
            let task = FetchFamily.sampleTask(kind, zone: nil, &g)
            let policy: (any Policy)? = random ? RandomPolicy(actionSpace: .unit(4), seed: UInt64(i)) : nil
            let (obs, results) = try episode(kind, task: task, seed: UInt64(i), policy: policy)
            if results.contains(where: { $0.info.success == true }) { ok += 1 }
            else if fetchTrace && !random {
                let o = obs.last!, n = o.count
                print("\(kind.rawValue) failed: \(task) final achieved \(o[(n - 6)..<(n - 3)].map { Double($0) })")
            }
        }
        return Double(ok) / Double(n)
    }

    /// The experts' thresholds of the issue (reach 99%, push 95%, pick-place 95%, slide 80% over 100
    /// goals) on a smaller sample: 20 goals each (100 with MRBENCH_LONG_TESTS=1).
    @Test(arguments: [(FetchTaskKind.reach, 0.99), (.push, 0.95), (.pickAndPlace, 0.95), (.slide, 0.80)])
    func expertsMeetTheirThresholds(kind: FetchTaskKind, threshold: Double) throws {
        let n = TestSupport.longTests ? 100 : (getenv("FETCH_GOALS").flatMap { Int(String(cString: $0)) } ?? 20)
        let rate = try FetchTests.expertSuccess(kind, n: n)
        let randomRate = try FetchTests.expertSuccess(kind, n: n, random: true)
        print("fetch \(kind.rawValue): expert success \(rate), random success \(randomRate) over \(n) v4-sampled goals")
        #expect(rate >= threshold, "\(kind.rawValue): expert success \(rate) over \(n) goals")
    }

    /// Pick-and-place grasps for real: the expert picks the cube, lifts it 20 cm, and the cube stays
    /// in the closed fingers for 2 s (50 steps with zero motion), slipping less than 1 cm.
    @Test func graspLiftsAndHolds() throws {
        let env = try FetchEnvironment(kind: .pickAndPlace)
        let start = [1.25, 0.68]
        try env.setTask(FetchTask(goal: [start[0], start[1], 0.425 + 0.20], object: start))
        let expert = FetchExpert(kind: .pickAndPlace)
        expert.beginEpisode(phase: .evaluation)
        var o = env.reset(seed: 0)
        func objectZ(_ o: [Float]) -> Double { Double(o[5]) }
        func relative(_ o: [Float]) -> Vec3 { Vec3(Double(o[6]), Double(o[7]), Double(o[8])) }
        var steps = 0
        while objectZ(o) < 0.425 + 0.195 && steps < 100 { o = try env.step(expert.act(o)).observation; steps += 1 }
        #expect(objectZ(o) >= 0.425 + 0.195, "the cube was lifted to \(objectZ(o))")
        let held = relative(o), lifted = o
        var worst = 0.0
        for _ in 0..<50 {  // 2 s: fingers closed, gripper still
            o = try env.step([0, 0, 0, -1]).observation
            worst = max(worst, (relative(o) - held).norm)
        }
        print("fetch grasp: lifted to z \(objectZ(lifted)) in \(steps) steps; over 2 s the cube moved \(worst) m relative to the grip, ending at z \(objectZ(o))")
        #expect(worst < 0.01, "the cube slipped \(worst) m in the grip")
        #expect(objectZ(o) > 0.425 + 0.18, "the cube is at \(objectZ(o)) after 2 s")
    }

    /// `computeReward` (single and batched) agrees with the reward of every step of recorded episodes,
    /// sparse and dense, and with hindsight goals too.
    @Test(arguments: FetchTaskKind.allCases)
    func computeRewardMatchesEverySteps(kind: FetchTaskKind) throws {
        var g = SeededGenerator(seed: 5)
        for dense in [false, true] {
            let env = try FetchEnvironment(kind: kind, dense: dense)
            for e in 0..<3 {
                let task = FetchFamily.sampleTask(kind, zone: nil, &g)
                let policy: any Policy = e == 0 ? RandomPolicy(actionSpace: .unit(4), seed: 9) : FetchExpert(kind: kind)
                let (obs, results) = try FetchTests.episode(kind, task: task, seed: UInt64(e), dense: dense, policy: policy)
                let layout = env.observationLayout
                guard let ar = layout.range(of: "achieved_goal"), let dr = layout.range(of: "desired_goal") else { Issue.record("no goal segments"); return }
                var achieved: [Float] = [], desired: [Float] = []
                for (o, r) in zip(obs.dropFirst(), results) {
                    let a = Array(o[ar]), d = Array(o[dr])
                    #expect(env.computeReward(achieved: a, desired: d) == r.reward)
                    #expect((r.info.success == true) == FetchEnvironment.isSuccess(achieved: a[...], desired: d[...]))
                    achieved += a; desired += d
                }
                #expect(env.computeReward(achievedBatch: achieved, desiredBatch: desired) == results.map(\.reward))
                // Hindsight: the final achieved goal as the desired one gives reward 0 (sparse) / 0 (dense) on the last step.
                let last = Array(obs.last![ar])
                #expect(env.computeReward(achieved: last, desired: last) == 0)
            }
        }
    }

    /// The cube never ends inside the table and nothing diverges under random actions
    /// (2,000 steps per id here; `mrbench check-env … --steps 100000` for the long run).
    @Test(arguments: FetchFamily.specs.map(\.id))
    func randomStepsKeepTheObjectOnTheTable(id: String) throws {
        let env = try Registry.environment(id).make()
        var g = SeededGenerator(seed: 3)
        var episode: UInt64 = 0
        _ = env.reset(seed: 0)
        let steps = TestSupport.longTests ? 50_000 : 2_000
        for _ in 0..<steps {
            let r = try env.step(env.actionSpace.sample(using: &g))
            #expect(r.status != .truncated(.diverged), "\(id) diverged")
            if r.status.isDone { episode += 1; _ = env.reset(seed: episode) }
        }
    }

    /// The task of FETCH_TRACE_TASK="kind gx gy gz ox oy", if it is set.
    static var traceTask: (FetchTaskKind, [String])? {
        guard let spec = getenv("FETCH_TRACE_TASK").map({ String(cString: $0).split(separator: " ").map(String.init) }), spec.count >= 4,
              let kind = FetchTaskKind(rawValue: spec[0]) else { return nil }
        return (kind, spec)
    }

    /// FETCH_TRACE_TASK="kind gx gy gz ox oy" prints one expert episode step by step (a debugging aid; skipped otherwise).
    @Test(.enabled(if: FetchTests.traceTask != nil, "a debugging trace: set FETCH_TRACE_TASK=\"kind gx gy gz [ox oy]\""))
    func traceOneEpisode() throws {
        let (kind, spec) = try #require(FetchTests.traceTask)
        let v = spec.dropFirst().compactMap(Double.init)
        let task = FetchTask(goal: Array(v.prefix(3)), object: v.count >= 5 ? Array(v[3..<5]) : nil)
        let (obs, results) = try FetchTests.episode(kind, task: task)
        for (i, o) in obs.enumerated() {
            let f = o.map { String(format: "%.3f", $0) }
            print(i, "grip", f[0..<3].joined(separator: " "), "obj", f[3..<6].joined(separator: " "), "fing", f[9..<11].joined(separator: " "),
                  "objv", String(format: "%.2f %.2f", (o[14] + o[20]) / 0.04, (o[15] + o[21]) / 0.04), i > 0 ? "\(results[i - 1].reward)" : "")
        }
    }

    /// A pinned task fixes the episode: two reset seeds give the same first observation.
    @Test func pinnedTaskIgnoresTheSeed() throws {
        let env = try FetchEnvironment(kind: .push)
        try env.setTask(FetchTask(goal: [1.3, 0.7, 0.425], object: [1.2, 0.8]))
        #expect(env.reset(seed: 1) == env.reset(seed: 2))
        let free = try FetchEnvironment(kind: .push)
        #expect(free.reset(seed: 1) != free.reset(seed: 2))
        #expect(throws: (any Error).self) { try env.setTask(FetchTask(goal: [1, 2])) }
        #expect(throws: (any Error).self) { try FetchEnvironment(kind: .reach).setTask(FetchTask(goal: [1, 2, 3], object: [1, 1])) }
    }

    /// v4's sampling: reach goals within ±0.15 of the initial grip; objects ≥ 0.1 m from it; zone D goals in (+x, −y).
    @Test func samplingFollowsV4AndZones() {
        var g = SeededGenerator(seed: 2)
        for kind in FetchTaskKind.allCases {
            let c = FetchConfiguration.of(kind)
            for _ in 0..<200 {
                let t = FetchFamily.sampleTask(kind, zone: .d, &g)
                let goal = Vec3(t.goal![0], t.goal![1], t.goal![2])
                let centre = c.initialGrip + c.targetOffset
                #expect(goal.x >= centre.x - 1e-6 && goal.y <= centre.y + 1e-6)
                #expect(abs(goal.x - centre.x) <= c.targetRange + 1e-6 && abs(goal.y - centre.y) <= c.targetRange + 1e-6)
                if let o = t.object {
                    let d = ((o[0] - c.initialGrip.x) * (o[0] - c.initialGrip.x) + (o[1] - c.initialGrip.y) * (o[1] - c.initialGrip.y)).squareRoot()
                    #expect(d >= 0.1 - 1e-6 && abs(o[0] - c.initialGrip.x) <= c.objectRange + 1e-6)
                    #expect(goal.z >= c.objectHeight - 1e-9 && goal.z <= c.objectHeight + (c.targetInTheAir ? 0.45 : 0) + 1e-9)
                } else {
                    #expect(abs(goal.z - c.initialGrip.z) <= c.targetRange + 1e-6)
                }
            }
        }
    }
}

/// FETCH_TRACE=1 prints the tasks an expert failed.
var fetchTrace: Bool { getenv("FETCH_TRACE") != nil }
