import MRCore

/// One ML10 family (a Sawyer task at one version: `reach`, its goals sampled by `sample`),
/// type-erased for the registry and the benchmarks.
struct SawyerFamily: Sendable {
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
    /// Every Sawyer task family that exists, in ENVIRONMENTS.md's order within each split, then the
    /// later versions of changed families.
    static let families: [SawyerFamily] = [
        SawyerFamily(ReachTask.self),
        SawyerFamily(PushTask.self),
        SawyerFamily(PickPlaceTask.self),
        SawyerFamily(DrawerOpenTask.self),
        SawyerFamily(DrawerCloseTask.self),
        SawyerFamily(ButtonPressTopdownTask.self),
        SawyerFamily(DoorOpenTask.self),
        SawyerFamily(DoorCloseTask.self),
        SawyerFamily(WindowOpenTask.self),
        SawyerFamily(SweepTask.self),
        SawyerFamily(SweepIntoTask.self),
        SawyerFamily(ShelfPlaceTask.self),
        SawyerFamily(BasketballTask.self),
        SawyerFamily(PegInsertSideTask.self),
        SawyerFamily(LeverPullTask.self),
        SawyerFamily(BasketballV3Task.self),
        SawyerFamily(LeverPullV3Task.self),
    ]

    /// The 15 families of ML10 (10 train, 5 test); `ml10-v2` is registered only when all exist.
    /// `ml10-v3` takes each family's version-3 record where one exists (basketball, lever-pull), else its version 2.
    static let ml10TrainFamilies = ["reach", "push", "pick-place", "door-open", "drawer-close", "button-press-topdown", "peg-insert-side", "window-open", "sweep", "basketball"]
    static let ml10TestFamilies = ["drawer-open", "door-close", "shelf-place", "sweep-into", "lever-pull"]

    public static var specs: [EnvironmentSpec] { families.map(\.spec) }

    static let protocol_ = EvaluationProtocol(adaptationEpisodes: 10, evaluationEpisodes: 3, horizon: SawyerRig.horizon, metric: .success)
    static let rigModels = ["models/sawyer_rig.xml", "models/sawyer_rig_control.xml"]
    /// The seed every ML task set was generated from (`mrbench tasksets generate <id> --seed 20260`).
    static let seed: UInt64 = 20260

    static func entries(_ r: SawyerFamily, count: Int, _ g: inout SeededGenerator) throws -> [TaskSetEntry] {
        try (0..<count).map { _ in TaskSetEntry(stratum: r.name, env: r.spec.id, params: try r.sample(&g)) }
    }

    /// Learners see rewards × 0.1: Meta-World's per-step rewards lie in [0, 10] (Meta-World+ scales RL²'s reward input by 1/10).
    static let rewardScale = 0.1

    /// `ml1-<task>-v<version>`: 50 train and 40 held-out test goals of one task, goal hidden.
    static func ml1(_ r: SawyerFamily) -> BenchmarkSpec {
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
        var byName: [String: SawyerFamily] = [:]
        for r in families where r.version <= version && (byName[r.name]?.version ?? 0) < r.version { byName[r.name] = r }
        guard (ml10TrainFamilies + ml10TestFamilies).allSatisfy({ byName[$0] != nil }) else { return nil }
        let train = ml10TrainFamilies.map { byName[$0]! }, test = ml10TestFamilies.map { byName[$0]! }
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

    public static var benchmarks: [BenchmarkSpec] { [2, 3].compactMap { ml10(version: $0) } + families.map(ml1) }
}
