import Foundation
import MRCore
import MRSuite
import Testing
@testable import MRBenchC

/// The C entry points, called exactly as a C caller would: opaque handles, caller-owned buffers,
/// status codes and `mrbench_last_error()`.
@Suite struct CABITests {
    /// A handle made through the ABI, failing the test on an error.
    func make(_ id: String) throws -> OpaquePointer {
        var h: OpaquePointer?
        let rc = mrbench_env_make(id, &h)
        try #require(rc == 0, "\(lastError())")
        return try #require(h)
    }

    func lastError() -> String { String(cString: mrbench_last_error()) }

    func info(_ h: OpaquePointer) throws -> [String: Any] {
        let p = try #require(mrbench_env_info(h))
        let text = String(cString: p)
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    struct Step: Equatable { var obs: [Float]; var reward: Double; var status: Int8; var success: Int8 }

    func reset(_ h: OpaquePointer, seed: UInt64?, size: Int) throws -> [Float] {
        var obs = [Float](repeating: .nan, count: size)
        let rc = mrbench_env_reset(h, seed ?? 0, seed == nil ? 0 : 1, &obs, size)
        try #require(rc == 0, "\(lastError())")
        return obs
    }

    func step(_ h: OpaquePointer, _ a: [Float], size: Int) -> (Int32, Step) {
        var s = Step(obs: [Float](repeating: .nan, count: size), reward: .nan, status: -9, success: -9)
        let rc = mrbench_env_step(h, a, a.count, &s.obs, size, &s.reward, &s.status, &s.success)
        return (rc, s)
    }

    func bits(_ v: [Float]) -> [UInt32] { v.map(\.bitPattern) }

    @Test func catalogueListsEveryEnvironmentAndBenchmark() throws {
        let text = String(cString: mrbench_catalogue())
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let envs = try #require(json["environments"] as? [[String: Any]]).compactMap { $0["id"] as? String }
        let benches = try #require(json["benchmarks"] as? [[String: Any]]).compactMap { $0["id"] as? String }
        #expect(envs == Registry.environments.map(\.id))
        #expect(benches == Registry.benchmarks.map(\.id))
        #expect(json["abi"] as? Int == Int(mrbench_abi_version()))
    }

    @Test func unknownIdsAndNullPointersAreErrorCodes() {
        var h: OpaquePointer?
        #expect(mrbench_env_make("banana-v9", &h) == 1)
        #expect(lastError().contains("unknown environment 'banana-v9'"))
        #expect(h == nil)
        #expect(mrbench_env_make(nil, &h) == 2)
        #expect(lastError() == "environment id is NULL")
        #expect(mrbench_env_make_train("banana-v9", 0, &h) == 1)
        #expect(lastError().contains("unknown benchmark 'banana-v9'"))
        var text: UnsafePointer<CChar>?
        #expect(mrbench_benchmark_info("nope", &text) == 1)
        var obs = [Float](repeating: 0, count: 2)
        #expect(mrbench_env_reset(nil, 0, 1, &obs, 2) == 2)
        #expect(lastError() == "environment handle is NULL")
        #expect(mrbench_env_info(nil) == nil)
        #expect(mrbench_set_assets("/nonexistent/assets") == 2)
    }

    /// Reset and step through the ABI equal the registry environment stepped directly, bit for bit.
    @Test(arguments: ["point-nav-v1", "half-cheetah-vel-v2", "fetch-push-v1"])
    func stepsEqualTheRegistryEnvironment(_ id: String) throws {
        let h = try make(id)
        defer { mrbench_env_free(h) }
        let reference = try Registry.environment(id).make()
        let n = reference.observationSpace.dimension, m = reference.actionSpace.dimension
        #expect(bits(try reset(h, seed: 7, size: n)) == bits(reference.reset(seed: 7)))
        var g = SeededGenerator(seed: 3)
        for _ in 0..<40 {
            let a = reference.actionSpace.sample(using: &g)
            let (rc, s) = step(h, a, size: n)
            #expect(rc == 0)
            let r = try reference.step(a)
            #expect(bits(s.obs) == bits(r.observation))
            #expect(s.reward.bitPattern == r.reward.bitPattern)
            #expect(s.status == StatusCode.of(r.status))
        }
        let i = try info(h)
        #expect(i["observation_size"] as? Int == n)
        #expect(i["action_size"] as? Int == m)
        #expect((i["layout"] as? [[String: Any]])?.count == reference.observationLayout.segments.count)
    }

    @Test func badActionsAreRefusedAndLeaveTheStateUntouched() throws {
        let h = try make("point-nav-v1")
        defer { mrbench_env_free(h) }
        var (rc, _) = step(h, [0.1, 0.2], size: 2)
        #expect(rc == 4)
        #expect(lastError() == "step called before reset on point-nav-v1; call reset first")
        _ = try reset(h, seed: 1, size: 2)
        (rc, _) = step(h, [.nan, 0.2], size: 2)
        #expect(rc == 3)
        #expect(lastError() == "action component 0 is nan, not a finite number")
        (rc, _) = step(h, [0.1, 0.2, 0.3], size: 2)
        #expect(rc == 2)
        #expect(lastError().contains("action has 3 components"))
        (rc, _) = step(h, [0.1, 0.2], size: 5)
        #expect(rc == 2)
        #expect(lastError() == "observation buffer has 5 elements, expected 2")
        // The refused steps did not move anything: the next step equals a fresh environment's first.
        let (ok, s) = step(h, [0.1, 0.2], size: 2)
        #expect(ok == 0)
        let reference = try Registry.environment("point-nav-v1").make()
        _ = reference.reset(seed: 1)
        #expect(bits(s.obs) == bits(try reference.step([0.1, 0.2]).observation))
    }

    @Test func stepAfterTheEpisodeEndedIsAnError() throws {
        let h = try make("point-nav-v1")
        defer { mrbench_env_free(h) }
        _ = try reset(h, seed: 1, size: 2)
        var last = Step(obs: [], reward: 0, status: 0, success: 0)
        for _ in 0..<100 { let (rc, s) = step(h, [0, 0], size: 2); #expect(rc == 0); last = s }
        #expect(last.status == StatusCode.truncated)
        let (rc, _) = step(h, [0, 0], size: 2)
        #expect(rc == 4)
        #expect(lastError() == "step called after the episode ended on point-nav-v1; call reset first")
    }

    /// Unseeded resets follow the chain of the last seeded one, so they are reproducible.
    @Test func unseededResetsFollowTheSeedChain() throws {
        let a = try make("ant-goal-v2"), b = try make("ant-goal-v2")
        defer { mrbench_env_free(a); mrbench_env_free(b) }
        _ = try reset(a, seed: 5, size: 27)
        let next = try reset(a, seed: nil, size: 27)
        #expect(bits(next) == bits(try reset(b, seed: SeededGenerator.derive(5, 1), size: 27)))
    }

    @Test func trainTasksAreOpaqueAndBounded() throws {
        var text: UnsafePointer<CChar>?
        #expect(mrbench_benchmark_info("ml10-v2", &text) == 0)
        let benchText = try #require(text)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(String(cString: benchText).utf8)) as? [String: Any])
        let tasks = try Registry.benchmark("ml10-v2").trainingTasks()
        #expect(json["train_tasks"] as? Int == tasks.count)
        #expect(json["labels"] as? [String] == tasks.labels)
        #expect(json["observation_size"] as? Int == 39)
        #expect(json["action_size"] as? Int == 4)
        #expect((json["layout"] as? [[String: Any]])?.count == tasks.context.observationLayout.segments.count)
        var h: OpaquePointer?
        #expect(mrbench_env_make_train("ml10-v2", Int64(tasks.count), &h) == 2)
        #expect(lastError().contains("out of range"))
        #expect(mrbench_env_make_train("ml10-v2", 3, &h) == 0)
        let handle = try #require(h)
        defer { mrbench_env_free(handle) }
        let i = try info(handle)
        // Only the label of the train task, never its parameters.
        let binding = try #require(i["benchmark"] as? [String: Any])
        #expect(Set(binding.keys) == ["id", "task_index", "label", "hides_goal", "reward_scale"])
        #expect(binding["label"] as? String == tasks.labels[3])
        #expect(i["horizon"] as? Int == tasks.evaluation.horizon)
        // Same steps as the split's own environment for that task.
        let reference = try tasks.environment(3)
        #expect(bits(try reset(handle, seed: 11, size: 39)) == bits(reference.reset(seed: 11)))
        let (rc, s) = step(handle, [0.5, -0.5, 0.2, 1], size: 39)
        #expect(rc == 0)
        #expect(bits(s.obs) == bits(try reference.step([0.5, -0.5, 0.2, 1]).observation))
    }

    @Test func goalRewardMatchesTheStepReward() throws {
        let h = try make("fetch-reach-dense-v1")
        defer { mrbench_env_free(h) }
        let i = try info(h)
        let goal = try #require(i["goal"] as? [String: [Int]])
        let a = try #require(goal["achieved"]), d = try #require(goal["desired"])
        _ = try reset(h, seed: 2, size: 16)
        var achieved: [Float] = [], desired: [Float] = [], rewards: [Double] = []
        for k in 0..<5 {
            let (rc, s) = step(h, [0.3, -0.2, Float(k) * 0.1, 0], size: 16)
            #expect(rc == 0)
            achieved += s.obs[a[0]..<(a[0] + a[1])]
            desired += s.obs[d[0]..<(d[0] + d[1])]
            rewards.append(s.reward)
        }
        var out = [Double](repeating: .nan, count: 5)
        #expect(mrbench_env_goal_reward(h, achieved, desired, 5, 3, &out) == 0)
        #expect(out.map(\.bitPattern) == rewards.map(\.bitPattern))
        #expect(mrbench_env_goal_reward(h, achieved, desired, 5, 4, &out) == 2)
        let nav = try make("point-nav-v1")
        defer { mrbench_env_free(nav) }
        #expect(mrbench_env_goal_reward(nav, achieved, desired, 1, 3, &out) == 2)
        #expect(lastError().contains("not goal-conditioned"))
    }

    /// N environments in one vector on 2 threads equal N single environments, auto-resets included.
    @Test func vectorEqualsSingleEnvironments() throws {
        let n = 3, obsSize = 2, actSize = 2
        let members = try (0..<n).map { _ in try make("point-nav-v1") }
        var v: OpaquePointer?
        #expect(mrbench_vec_make(members.map { Optional($0) }, n, 2, &v) == 0)
        let vec = try #require(v)
        members.forEach { mrbench_env_free($0) }  // the vector keeps its own references
        defer { mrbench_vec_free(vec) }
        let singles = try (0..<n).map { _ in try make("point-nav-v1") }
        defer { singles.forEach { mrbench_env_free($0) } }

        var obs = [Float](repeating: .nan, count: n * obsSize)
        var rewards = [Double](repeating: .nan, count: n), status = [Int8](repeating: -9, count: n), success = [Int8](repeating: -9, count: n)
        var actions = [Float](repeating: 0, count: n * actSize)
        #expect(mrbench_vec_step(vec, actions, actions.count, &obs, obs.count, &rewards, &status, &success) == 4)
        let seeds: [UInt64] = [10, 11, 12]
        #expect(mrbench_vec_reset(vec, seeds, &obs, obs.count) == 0)
        for i in 0..<n { #expect(bits(Array(obs[(i * obsSize)..<((i + 1) * obsSize)])) == bits(try reset(singles[i], seed: seeds[i], size: obsSize))) }
        var g = SeededGenerator(seed: 9)
        var singleDone = [Bool](repeating: false, count: n)
        var autoresets = 0
        for _ in 0..<230 {
            for k in actions.indices { actions[k] = Float(g.uniform(-1, 1)) }
            #expect(mrbench_vec_step(vec, actions, actions.count, &obs, obs.count, &rewards, &status, &success) == 0)
            for i in 0..<n {
                let row = Array(obs[(i * obsSize)..<((i + 1) * obsSize)])
                if singleDone[i] {
                    #expect(status[i] == StatusCode.autoreset)
                    #expect(rewards[i] == 0)
                    #expect(bits(row) == bits(try reset(singles[i], seed: nil, size: obsSize)))
                    singleDone[i] = false
                    autoresets += 1
                } else {
                    let (rc, s) = step(singles[i], Array(actions[(i * actSize)..<((i + 1) * actSize)]), size: obsSize)
                    #expect(rc == 0)
                    #expect(bits(row) == bits(s.obs))
                    #expect(rewards[i].bitPattern == s.reward.bitPattern)
                    #expect(status[i] == s.status)
                    singleDone[i] = s.status != StatusCode.running
                }
            }
        }
        #expect(autoresets == 2 * n)
        // One bad action anywhere refuses the whole step, naming the slot.
        actions[3] = .infinity
        #expect(mrbench_vec_step(vec, actions, actions.count, &obs, obs.count, &rewards, &status, &success) == 3)
        #expect(lastError() == "environment 1: action component 1 is inf, not a finite number")
        #expect(mrbench_vec_step(vec, actions, 5, &obs, obs.count, &rewards, &status, &success) == 2)
    }

    /// Everything one vector run returns (observations, rewards, statuses as bits), made, reset,
    /// stepped through auto-resets and freed; the worker threads it had, checked gone after the free.
    func vectorRun(threads: Int32, n: Int, steps: Int) throws -> (bits: [UInt64], workers: [Int]) {
        let obsSize = 2, actSize = 2
        let members = try (0..<n).map { _ in try make("point-nav-v1") }
        var v: OpaquePointer?
        try #require(mrbench_vec_make(members.map { Optional($0) }, n, threads, &v) == 0, "\(lastError())")
        members.forEach { mrbench_env_free($0) }
        let vec = try #require(v)
        var out: [UInt64] = []
        var obs = [Float](repeating: .nan, count: n * obsSize)
        var rewards = [Double](repeating: .nan, count: n), status = [Int8](repeating: -9, count: n), success = [Int8](repeating: -9, count: n)
        var actions = [Float](repeating: 0, count: n * actSize)
        let seeds = (0..<n).map { UInt64(40 + $0) }
        #expect(mrbench_vec_reset(vec, seeds, &obs, obs.count) == 0)
        out += obs.map { UInt64($0.bitPattern) }
        var g = SeededGenerator(seed: 5)
        for _ in 0..<steps {
            for k in actions.indices { actions[k] = Float(g.uniform(-1, 1)) }
            #expect(mrbench_vec_step(vec, actions, actions.count, &obs, obs.count, &rewards, &status, &success) == 0)
            out += obs.map { UInt64($0.bitPattern) } + rewards.map(\.bitPattern) + status.map { UInt64(UInt8(bitPattern: $0)) }
        }
        #if os(Linux)
        let pool = try #require(Unmanaged<VecHandle>.fromOpaque(UnsafeRawPointer(vec)).takeUnretainedValue().runner as? WorkerPool)
        let workers = pool.workerThreadIDs
        #else
        let workers: [Int] = []
        #endif
        mrbench_vec_free(vec)
        return (out, workers)
    }

    /// Many make / reset / step / free cycles of 2-thread vectors return the same bits as the first
    /// cycle and as one thread, and every cycle's worker thread has ended once its vector is freed.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/self/task"), "needs /proc/self/task (Linux)"))
    func vectorCyclesAreIdenticalAndEndTheirThreads() throws {
        let n = 5, steps = 130  // past point-nav's horizon: auto-resets included
        let reference = try vectorRun(threads: 1, n: n, steps: steps)
        #expect(reference.workers.isEmpty)
        var seen = Set<Int>()
        for _ in 0..<40 {
            let run = try vectorRun(threads: 2, n: n, steps: steps)
            #expect(run.bits == reference.bits)
            #expect(run.workers.count == 1)
            for tid in run.workers {
                #expect(!FileManager.default.fileExists(atPath: "/proc/self/task/\(tid)"), "worker \(tid) outlived its vector")
                seen.insert(tid)
            }
        }
        #expect(seen.count == 40)  // a new worker per vector, each ended
    }

    #if os(Linux)
    /// The pool calls the body exactly once per slot per call, however the participants share the
    /// slots out, with fewer slots than threads too; shutdown joins its workers.
    @Test func workerPoolRunsEverySlotOnceAndJoins() throws {
        for (slots, threads) in [(7, 3), (2, 4), (1, 2), (64, 2)] {
            let pool = WorkerPool(slots: slots, threads: threads)
            #expect(pool.participants == min(slots, threads))
            let buffer = UnsafeMutablePointer<Int>.allocate(capacity: slots)
            buffer.initialize(repeating: 0, count: slots)
            defer { buffer.deallocate() }
            let counts = UncheckedPointer(buffer)
            let calls = 300
            for _ in 0..<calls { pool.run { i in counts.p[i] += 1 } }
            #expect(Array(UnsafeBufferPointer(start: buffer, count: slots)) == [Int](repeating: calls, count: slots))
            let tids = pool.workerThreadIDs
            #expect(tids.count == pool.participants - 1)
            for tid in tids { #expect(FileManager.default.fileExists(atPath: "/proc/self/task/\(tid)")) }
            pool.shutdown()
            for tid in tids { #expect(!FileManager.default.fileExists(atPath: "/proc/self/task/\(tid)")) }
        }
    }
    #endif

    @Test func vectorRefusesMixedSizes() throws {
        let a = try make("point-nav-v1"), b = try make("cube-nav-v1")
        defer { mrbench_env_free(a); mrbench_env_free(b) }
        var v: OpaquePointer?
        #expect(mrbench_vec_make([Optional(a), b], 2, 1, &v) == 2)
        #expect(lastError().contains("has sizes"))
        #expect(mrbench_vec_make([Optional(a), a], 2, 1, &v) == 2)
        #expect(mrbench_vec_make([Optional(a)], 0, 1, &v) == 2)
    }
}

/// An environment that never ends its episodes (no `TimeLimit`): the handle must refuse to step
/// it past the horizon, through the episode cursor's one check.
private final class Endless: EpisodicEnvironment {
    let observationSpace = BoxSpace(dimension: 1, bound: 10)
    let observationLayout = ObservationLayout([("x", 1)])
    let actionSpace = BoxSpace(dimension: 1, bound: 1)
    var x: Float = 0
    func reset(seed: UInt64) -> [Float] { x = 0; return [x] }
    func step(_ action: [Float]) throws -> StepResult { x += 1; return StepResult(observation: [x], reward: 1, status: .running) }
}

@Suite struct EnvHandleHorizonTests {
    @Test func anEpisodeStillRunningAtTheHorizonIsRefusedThenNeedsAReset() throws {
        let h = EnvHandle(environment: Endless(), id: "endless", horizon: 3, goal: nil, benchmark: nil)
        #expect(throws: ABIError.self) { try h.checkCanStep() }
        #expect(h.reset(seed: 1) == [0])
        for i in 1...2 { #expect(try h.step([0]).observation == [Float(i)]) }
        do { _ = try h.step([0]); Issue.record("stepped past the horizon") } catch {
            #expect(error.code == Code.internal)
            #expect(error.message == "endless: \(EnvironmentError.pastHorizon(3))")
        }
        do { try h.checkCanStep(); Issue.record("stepped after the horizon error") } catch {
            #expect(error.code == Code.state && error.message.contains("after the episode ended"))
        }
        #expect(h.reset(seed: nil) == [0])
        #expect(try h.step([0]).reward == 1)
    }
}
