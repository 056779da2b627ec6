import MRCore

/// One Sawyer task, type-erased for the registry and the benchmarks.
struct SawyerTaskRecord: Sendable {
    let name: String
    let version: Int
    let split: Split
    let spec: EnvironmentSpec
    let scene: String
    let sample: @Sendable (inout SeededGenerator) throws -> JSONValue

    init<T: SawyerTask>(_ t: T.Type) {
        name = T.name; version = T.version; split = T.split; spec = SawyerEnvironment<T>.spec; scene = T.scene
        sample = { g in try JSONCoding.value(of: T.sample(&g)) }
    }
}

/// The `ml10/*` environments and the ML10 / ML1 benchmarks.
public enum ManipulationFamilies {
    /// Every Sawyer task that exists, in ENVIRONMENTS.md's order within each split, then the later
    /// versions of changed tasks.
    static let tasks: [SawyerTaskRecord] = [
        SawyerTaskRecord(ReachTask.self),
        SawyerTaskRecord(PushTask.self),
        SawyerTaskRecord(PickPlaceTask.self),
        SawyerTaskRecord(DrawerOpenTask.self),
        SawyerTaskRecord(DrawerCloseTask.self),
        SawyerTaskRecord(ButtonPressTopdownTask.self),
        SawyerTaskRecord(DoorOpenTask.self),
        SawyerTaskRecord(DoorCloseTask.self),
        SawyerTaskRecord(WindowOpenTask.self),
        SawyerTaskRecord(SweepTask.self),
        SawyerTaskRecord(SweepIntoTask.self),
        SawyerTaskRecord(ShelfPlaceTask.self),
        SawyerTaskRecord(BasketballTask.self),
        SawyerTaskRecord(PegInsertSideTask.self),
        SawyerTaskRecord(LeverPullTask.self),
        SawyerTaskRecord(BasketballV3Task.self),
        SawyerTaskRecord(LeverPullV3Task.self),
    ]

    /// The 15 tasks of ML10 (10 train, 5 test); `ml10-v2` is registered only when all exist.
    /// `ml10-v3` takes each task's version-3 record where one exists (basketball, lever-pull), else its version 2.
    static let ml10Train = ["reach", "push", "pick-place", "door-open", "drawer-close", "button-press-topdown", "peg-insert-side", "window-open", "sweep", "basketball"]
    static let ml10Test = ["drawer-open", "door-close", "shelf-place", "sweep-into", "lever-pull"]

    public static var specs: [EnvironmentSpec] { tasks.map(\.spec) }

    static let protocol_ = EvaluationProtocol(adaptationEpisodes: 10, evaluationEpisodes: 3, horizon: SawyerRig.horizon, metric: .success)
    static let rigModels = ["models/sawyer_rig.xml", "models/sawyer_rig_control.xml"]
    /// The seed every ML task set was generated from (`mrbench tasksets generate <id> --seed 20260`).
    static let seed: UInt64 = 20260

    static func entries(_ r: SawyerTaskRecord, count: Int, _ g: inout SeededGenerator) throws -> [TaskSetEntry] {
        try (0..<count).map { _ in TaskSetEntry(task: r.name, env: r.spec.id, params: try r.sample(&g)) }
    }

    /// Learners see rewards × 0.1: Meta-World's per-step rewards lie in [0, 10] (Meta-World+ scales RL²'s reward input by 1/10).
    static let rewardScale = 0.1

    /// `ml1-<task>-v<version>`: 50 train and 40 held-out test goals of one task, goal hidden.
    static func ml1(_ r: SawyerTaskRecord) -> BenchmarkSpec {
        let id = "ml1-\(r.name)-v\(r.version)"
        return BenchmarkSpec(
            id: id, summary: "ML1 \(r.name): 50 train / 40 test goals of one Sawyer task, goal hidden", evaluation: protocol_,
            models: rigModels + [r.scene], defaultSeed: seed, hidesGoal: true, rewardScale: rewardScale, entryEnvironment: .goalHidden,
            generate: { s in
                let root = SeededGenerator(seed: s)
                var gt = root.derived("train"), ge = root.derived("test")
                return TaskSet(benchmark: id, seed: s, train: try entries(r, count: 50, &gt), test: try entries(r, count: 40, &ge))
            })
    }

    /// `ml10-v<version>`: the 10 train tasks × 50 goals, the 5 test tasks × 40 goals, goal hidden; each
    /// task at the highest of its versions that is ≤ `version`.
    static func ml10(version: Int) -> BenchmarkSpec? {
        var byName: [String: SawyerTaskRecord] = [:]
        for r in tasks where r.version <= version && (byName[r.name]?.version ?? 0) < r.version { byName[r.name] = r }
        guard (ml10Train + ml10Test).allSatisfy({ byName[$0] != nil }) else { return nil }
        let train = ml10Train.map { byName[$0]! }, test = ml10Test.map { byName[$0]! }
        let id = "ml10-v\(version)"
        return BenchmarkSpec(
            id: id, summary: "ML10: 10 Sawyer train tasks × 50 goals, 5 held-out test tasks × 40 goals, goal hidden", evaluation: protocol_,
            models: rigModels + (train + test).map(\.scene), defaultSeed: seed, hidesGoal: true, rewardScale: rewardScale,
            entryEnvironment: .goalHidden,
            generate: { s in
                let root = SeededGenerator(seed: s)
                var tr: [TaskSetEntry] = [], te: [TaskSetEntry] = []
                for r in train { var g = root.derived("train/\(r.name)"); tr += try entries(r, count: 50, &g) }
                for r in test { var g = root.derived("test/\(r.name)"); te += try entries(r, count: 40, &g) }
                return TaskSet(benchmark: id, seed: s, train: tr, test: te)
            })
    }

    public static var benchmarks: [BenchmarkSpec] { [2, 3].compactMap { ml10(version: $0) } + tasks.map(ml1) }
}
