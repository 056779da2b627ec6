import Foundation
import MRCore
import MRScoring
import Testing

/// A tiny test-local environment: a point on a line pushed by the action toward its task's
/// target; success within 0.1. It ends its own episodes: terminated on success, truncated at its
/// horizon (the runner never truncates). `endsEpisodes: false` plants the defect the runner must
/// refuse: an episode still running at the horizon.
final class LineEnvironment: Environment {
    struct Target: TaskDescriptor { static let kind = "line-target"; var x: Double }
    let id = "line-v1"
    let observationSpace = BoxSpace(dimension: 1, bound: 10)
    let observationLayout = ObservationLayout([("position", 1)])
    let actionSpace = BoxSpace.unit(1)
    let horizon: Int
    let controlTimestep = 0.1
    private(set) var task: Target
    private let endsEpisodes: Bool
    private var x = 0.0, steps = 0
    init(target: Double, horizon: Int = 12, endsEpisodes: Bool = true) {
        task = Target(x: target); self.horizon = horizon; self.endsEpisodes = endsEpisodes
    }
    func setTask(_ t: Target) throws { task = t }
    func reset(seed: UInt64) -> [Float] {
        var g = SeededGenerator(seed: seed)
        x = g.uniform(-1, 1)
        steps = 0
        return [Float(x)]
    }
    func step(_ action: [Float]) throws -> StepResult {
        let a = try actionSpace.validatedAndClipped(action)
        x += 0.3 * Double(a[0])
        steps += 1
        let d = abs(x - task.x)
        let status: EpisodeStatus = d < 0.1 ? .terminated : endsEpisodes && steps >= horizon ? .truncated(.timeLimit) : .running
        return StepResult(observation: [Float(x)], reward: -d, status: status, info: StepInfo(success: d < 0.1))
    }
    struct State { let x: Double; let steps: Int }
    func snapshot() -> EnvironmentSnapshot { EnvironmentSnapshot(State(x: x, steps: steps)) }
    func restore(_ s: EnvironmentSnapshot) throws {
        guard let st = s.payload as? State else { throw EnvironmentError.foreignSnapshot }
        x = st.x; steps = st.steps
    }
}

/// Counts what the runner tells a meta-learner (K adaptation episodes reach `adapt`).
final class CountingLearner: MetaLearner {
    let name = "counting"
    nonisolated(unsafe) static var adaptCalls: [Int] = []
    static let lock = NSLock()
    func explorationPolicy(context: AgentContext, seed: UInt64) throws -> any Policy { RandomPolicy(actionSpace: context.actionSpace, seed: seed) }
    func adapt(_ policy: any Policy, episodes: [Episode]) throws -> any Policy {
        Self.lock.withLock { Self.adaptCalls.append(episodes.count) }
        return policy
    }
}

/// A session that sends a fixed bad action at a given step of trial 1.
final class BadSession: AgentSession {
    let bad: [Float]
    var trial = 0
    init(bad: [Float]) { self.bad = bad }
    func beginTrial(_ t: Trial, seed: UInt64) throws { trial = t.index }
    func beginEpisode(phase: EpisodePhase, index: Int, observation: [Float]) throws -> [Float] { act(0) }
    func observe(_ t: Transition, step: Int) throws -> [Float]? { t.status.isDone ? nil : act(step + 1) }
    func act(_ step: Int) -> [Float] { trial == 1 && step == 2 ? bad : [0.5] }
    func adapt() throws {}
    func endTrial() throws {}
    func close() {}
}

let targets: [Double] = [0.5, -0.5, 0.9, 0.2, -0.8, 0.0]
let strata = ["near", "near", "far", "near", "far", "far"]
let lineProtocol = EvaluationProtocol(adaptationEpisodes: 3, evaluationEpisodes: 2, horizon: 12, metric: .success)

func lineRunner(seeds: Int = 3, strict: Bool = false, clip: Bool = false, session: @escaping @Sendable (Int) throws -> any AgentSession = { _ in
    MetaLearnerSession(RandomMetaLearner(), context: AgentContext(observationSpace: BoxSpace(dimension: 1, bound: 10), actionSpace: .unit(1),
                                                                  observationLayout: ObservationLayout([("position", 1)]), horizon: 12))
}) throws -> Runner {
    let plan = try EvaluationPlan(tasks: strata, seeds: seeds, rootSeed: 42, evaluation: lineProtocol)
    return Runner(plan: plan, strictActions: strict, clipActions: clip, makeEnvironment: { LineEnvironment(target: targets[$0.entry]) },
                  makeSession: session)
}

func header(_ plan: EvaluationPlan, digest: String = String(repeating: "ab", count: 32)) -> LeaderboardEntry.Head {
    LeaderboardEntry.Header(benchmarkID: "line-v1", digest: digest, metric: .success, hidesGoal: true, agentName: "random", agentVersion: "0.1.0",
                            agentKind: "builtin", privileged: false, plan: plan, clipActions: false, mrbenchVersion: "0.1.0", revision: "test").head
}

@Suite("Runner, entry, journal and schema")
struct RunnerTests {
    @Test func trialsFollowTheProtocolAndTheSeedRule() throws {
        let runner = try lineRunner()
        let out = runner.run(indices: Array(0..<runner.plan.trialCount), threads: 1)
        #expect(out.error == nil)
        #expect(out.records.count == 18)
        for r in out.records {
            #expect(r.episodes.map(\.phase) == [.adaptation, .adaptation, .adaptation, .evaluation, .evaluation])
            #expect(r.episodes.allSatisfy { (1...12).contains($0.length) })
            // An episode ends early exactly when it succeeded (the environment terminates on success).
            #expect(r.episodes.allSatisfy { $0.success == ($0.length < 12) || ($0.success && $0.length == 12) })
            #expect(r.task == strata[r.entry] && r.index == r.seedIndex * 6 + r.entry)
        }
        // The documented rule.
        let t = runner.plan.trial(8)
        #expect(t.seedIndex == 1 && t.entry == 2)
        #expect(t.seed == SeededGenerator.derive(SeededGenerator.derive(42, "seed/1"), "entry/2"))
        #expect(t.resetSeed(episode: 3) == SeededGenerator.derive(t.seed, "reset/3"))
        #expect(t.agentSeed == SeededGenerator.derive(t.seed, "agent"))
    }

    @Test func resultsDoNotDependOnTheThreadCount() throws {
        let runner = try lineRunner()
        let a = runner.run(indices: Array(0..<18), threads: 1), b = runner.run(indices: Array(0..<18), threads: 3)
        #expect(a.records == b.records)
        let ea = try LeaderboardEntry.make(head: header(runner.plan), records: a.records).text()
        let eb = try LeaderboardEntry.make(head: header(runner.plan), records: b.records).text()
        #expect(ea == eb)
        // A different root seed changes the rollouts.
        let other = try EvaluationPlan(tasks: strata, seeds: 3, rootSeed: 43, evaluation: lineProtocol)
        let c = Runner(plan: other, strictActions: false, clipActions: false, makeEnvironment: { LineEnvironment(target: targets[$0.entry]) },
                       makeSession: runner.makeSession).run(indices: Array(0..<18), threads: 2)
        #expect(c.records != a.records)
    }

    @Test func metaLearnerSeesTheAdaptationEpisodesBeforeAdapting() throws {
        CountingLearner.adaptCalls = []
        let runner = try lineRunner(seeds: 1) { _ in
            MetaLearnerSession(CountingLearner(), context: AgentContext(observationSpace: BoxSpace(dimension: 1, bound: 10), actionSpace: .unit(1),
                                                                       observationLayout: ObservationLayout([("position", 1)]), horizon: 12))
        }
        let out = runner.run(indices: Array(0..<6), threads: 2)
        #expect(out.error == nil)
        #expect(CountingLearner.adaptCalls == Array(repeating: 3, count: 6))
    }

    @Test func badActionsNameTrialAndStep() throws {
        let cases: [([Float], String)] = [([0.5, 0.5], "action has 2 components"), ([.nan], "not a finite number"), ([3], "outside the action space")]
        for (bad, text) in cases {
            let runner = try lineRunner(seeds: 1, strict: true) { _ in BadSession(bad: bad) }
            let out = runner.run(indices: Array(0..<6), threads: 1)
            let err = try #require(out.error)
            let msg = err.description
            #expect(msg.contains(text), "\(msg)")
            #expect(msg.contains("trial 1 (seed 0, entry 1, task 'near'), adaptation episode 0, step 2"), "\(msg)")
            #expect(out.records.map(\.index) == [0])
        }
        // With clipping, out-of-range actions are clipped and counted.
        let clip = try lineRunner(seeds: 1, strict: true, clip: true) { _ in BadSession(bad: [3]) }
        let out = clip.run(indices: Array(0..<6), threads: 1)
        #expect(out.error == nil)
        #expect(out.records.map(\.clippedActions).reduce(0, +) >= 1)
    }

    /// The runner never truncates: an episode still running at the protocol's horizon fails its
    /// trial with a clear error, and so does an environment whose horizon is not the protocol's.
    @Test func anEpisodeThatOutrunsTheHorizonIsAnErrorNotCutShort() throws {
        let plan = try EvaluationPlan(tasks: strata, seeds: 1, rootSeed: 42, evaluation: lineProtocol)
        let session = try lineRunner().makeSession
        // Target 50 is out of reach in 12 steps of at most 0.3: the episode never terminates.
        let endless = Runner(plan: plan, strictActions: false, clipActions: false,
                             makeEnvironment: { _ in LineEnvironment(target: 50, endsEpisodes: false) }, makeSession: session)
        let out = endless.run(indices: Array(0..<6), threads: 1)
        let err = try #require(out.error)
        #expect(err.description.contains("trial 0 (seed 0, entry 0, task 'near'), adaptation episode 0, step 11"), "\(err)")
        #expect(err.description.contains(EnvironmentError.pastHorizon(12).description), "\(err)")
        #expect(out.records.isEmpty)
        // The same environment ending its episodes runs every trial to 12 steps.
        let ending = Runner(plan: plan, strictActions: false, clipActions: false,
                            makeEnvironment: { _ in LineEnvironment(target: 50) }, makeSession: session)
        let ok = ending.run(indices: Array(0..<6), threads: 1)
        #expect(ok.error == nil && ok.records.count == 6)
        #expect(ok.records.allSatisfy { $0.episodes.allSatisfy { $0.length == 12 && !$0.success } })
        // An environment with another horizon is refused before its first step.
        let longer = Runner(plan: plan, strictActions: false, clipActions: false,
                            makeEnvironment: { LineEnvironment(target: targets[$0.entry], horizon: 15) }, makeSession: session)
        let bad = longer.run(indices: Array(0..<6), threads: 1)
        #expect(bad.error?.description.contains("the environment's horizon is 15 steps, the protocol's 12") == true, "\(String(describing: bad.error))")
    }

    @Test func entryStatisticsFollowTheRecords() throws {
        let runner = try lineRunner()
        let out = runner.run(indices: Array(0..<18), threads: 2)
        let e = try LeaderboardEntry.make(head: header(runner.plan), records: out.records).json()
        #expect(e["complete"] == .bool(true) && e["trials"] == nil)
        let res = try #require(e["results"])
        // Per-task score = mean of its trials' evaluation success; raw scores per seed.
        for task in ["near", "far"] {
            let ts = out.records.filter { $0.task == task }
            let want = JSONText.round6(Statistics.mean(ts.map { $0.score(.success) }))
            #expect(abs((res["tasks"]?[task]?["score"]?.doubleValue ?? -1) - want) < 1e-6)
            let perSeed = (0..<3).map { s in Statistics.mean(ts.filter { $0.seedIndex == s }.map { $0.score(.success) }) }
            #expect(res["scores"]?[task]?.arrayValue?.compactMap(\.doubleValue) == perSeed.map(JSONText.round6))
            #expect(res["tasks"]?[task]?["curve"]?["success"]?.arrayValue?.count == 5)
        }
        let flat = ["far", "near"].flatMap { res["scores"]?[$0]?.arrayValue?.compactMap(\.doubleValue) ?? [] }
        #expect(abs((res["overall"]?["iqm"]?.doubleValue ?? -1) - Statistics.interquartileMean(flat)) < 2e-6)
        #expect(abs((res["overall"]?["optimalityGap"]?.doubleValue ?? -1) - Statistics.optimalityGap(flat)) < 2e-6)
        let interval = res["overall"]?["meanCI"]?.arrayValue?.compactMap { $0.doubleValue } ?? []
        try #require(interval.count == 2)
        let ci = interval
        let mean = try #require(res["overall"]?["mean"]?.doubleValue)
        #expect(ci[0] <= mean && mean <= ci[1])
        #expect(res["bootstrap"]?["resamples"]?.intValue == 2000)
        #expect(try SchemaValidator.entry().problems(e) == [])
    }

    @Test func shardsMergeToTheUnshardedEntry() throws {
        let runner = try lineRunner()
        let full = runner.run(indices: Array(0..<18), threads: 1).records
        let h = header(runner.plan)
        var parts: [JSONValue] = []
        for k in 1...3 {
            let shard = try Shard(index: k, count: 3)
            let idx = (0..<18).filter(shard.contains)
            // Shard entries round-trip through text.
            parts.append(try JSONText.parse(try LeaderboardEntry.make(head: h, records: runner.run(indices: idx, threads: 2).records, shard: shard).text()))
        }
        func merge(_ p: [JSONValue]) throws -> LeaderboardEntry.Document { try LeaderboardEntry.merge(p.map(LeaderboardEntry.Document.init(json:))) }
        let merged = try merge(parts.reversed())
        #expect(try merged.text() == LeaderboardEntry.make(head: h, records: full).text())
        #expect(throws: EvaluationError.self) { try merge(Array(parts.prefix(2))) }
        var other = parts[1].objectValue!
        var b = other["benchmark"]!.objectValue!
        b["digest"] = .string(String(repeating: "cd", count: 32))
        other["benchmark"] = .object(b)
        #expect(throws: EvaluationError.self) { try merge([parts[0], .object(other), parts[2]]) }
    }

    @Test func journalRecoversCompletedTrialsAndIgnoresATornLine() throws {
        let runner = try lineRunner(seeds: 1)
        let path = NSTemporaryDirectory() + "mrbench-journal-\(getpid()).journal"
        defer { unlink(path) }
        unlink(path)
        let id: JSONValue = .object(["x": .number(1)])
        let j = try Journal(path: path, identity: id)
        let out = runner.run(indices: Array(0..<6), threads: 1, onTrial: { r, _ in if r.index < 3 { j.append(r) } })
        j.finish(remove: false)
        // A kill mid-write leaves a torn last line.
        let h = FileHandle(forWritingAtPath: path)!
        h.seekToEndOfFile(); h.write(Data("{\"index\":3,\"epi".utf8)); h.closeFile()
        let j2 = try Journal(path: path, identity: id)
        #expect(j2.recovered == Array(out.records.prefix(3)))
        let rest = runner.run(indices: Array(0..<6), completed: j2.recovered, threads: 2, onTrial: { r, _ in j2.append(r) })
        #expect(rest.records == out.records)
        j2.finish(remove: false)
        #expect(try Journal(path: path, identity: id).recovered == out.records)
        #expect(throws: EvaluationError.self) { _ = try Journal(path: path, identity: .object(["x": .number(2)])) }
    }

    @Test func schemaCheckerRejectsAlteredEntries() throws {
        let runner = try lineRunner(seeds: 2)
        let e = try LeaderboardEntry.make(head: header(runner.plan), records: runner.run(indices: Array(0..<12), threads: 1).records).json()
        let v = try SchemaValidator.entry()
        #expect(v.problems(e).isEmpty)
        var o = e.objectValue!
        o["agent"] = nil
        #expect(v.problems(.object(o)).contains("$: missing required member \"agent\""))
        o = e.objectValue!
        var p = o["protocol"]!.objectValue!
        p["seeds"] = .string("2")
        o["protocol"] = .object(p)
        #expect(v.problems(.object(o)).contains("$.protocol.seeds: expected integer, found string"))
        o = e.objectValue!
        var b = o["benchmark"]!.objectValue!
        b["digest"] = .string("not-a-digest")
        o["benchmark"] = .object(b)
        #expect(v.problems(.object(o)).contains { $0.hasPrefix("$.benchmark.digest:") })
        o = e.objectValue!
        o["surprise"] = .bool(true)
        #expect(v.problems(.object(o)) == ["$: unexpected member \"surprise\""])
    }

    @Test func schemaFileMatchesTheBuiltInSchema() throws {
        var root = #filePath
        for _ in 0..<3 { root = (root as NSString).deletingLastPathComponent }
        let file = try String(contentsOfFile: root + "/leaderboard/schema/" + EntrySchema.fileName, encoding: .utf8)
        #expect(file == EntrySchema.text + "\n")
    }
}

@Suite("Command-line splitting")
struct TextTests {
    @Test func commandLinesSplitLikeAShellWithoutOne() throws {
        #expect(try CommandLineSplitter.split("python3  agent.py --x 1") == ["python3", "agent.py", "--x", "1"])
        #expect(try CommandLineSplitter.split("a 'b c' \"d \\\"e\\\"\" f\\ g") == ["a", "b c", "d \"e\"", "f g"])
        #expect(try CommandLineSplitter.split("echo $HOME | cat > x; *") == ["echo", "$HOME", "|", "cat", ">", "x;", "*"])
        #expect(try CommandLineSplitter.split("x ''") == ["x", ""])
        #expect(throws: EvaluationError.self) { _ = try CommandLineSplitter.split("a 'b") }
        #expect(throws: EvaluationError.self) { _ = try CommandLineSplitter.split("   ") }
    }
}
