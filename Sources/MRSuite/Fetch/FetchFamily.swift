import MRCore

/// The eight Fetch environment ids and the two Fetch meta-benchmarks.
public enum FetchFamily {
    /// `fetch-<task>-v1` and `fetch-<task>-dense-v1` for reach, push, pick-place and slide.
    public static let specs: [EnvironmentSpec] = FetchTaskKind.allCases.flatMap { kind in
        [false, true].map { dense in spec(kind, dense: dense) }
    }

    static func spec(_ kind: FetchTaskKind, dense: Bool) -> EnvironmentSpec {
        EnvironmentSpec(
            id: FetchEnvironment.identifier(kind, dense: dense), observationSize: kind == .reach ? 16 : 31, actionSize: 4,
            horizon: FetchEnvironment.horizonSteps, controlTimestep: FetchEnvironment.controlDt,
            tags: ["fetch", "goal-conditioned", kind.rawValue, dense ? "dense" : "sparse"],
            factory: { assets in try FetchEnvironment(kind: kind, dense: dense, assets: assets) },
            expert: { (_: FetchTask) in FetchExpert(kind: kind) })
    }

    static func models(_ kinds: [FetchTaskKind]) -> [String] { kinds.map { FetchConfiguration.of($0).model } }


    /// A task with v4's object start and a v4 goal whose (x, y) offset from the goal region's centre
    /// (the initial grip point plus the target offset) lies in `zone` (`GoalZone`; nil: anywhere).
    static func sampleTask(_ kind: FetchTaskKind, zone: GoalZone?, _ g: inout SeededGenerator) -> FetchTask {
        let c = FetchConfiguration.of(kind)
        var (object, goal) = c.sample(FetchTask(), &g)
        if let zone {
            let (sx, sy) = zone.signs
            let centre = c.initialGrip + c.targetOffset
            goal.x = centre.x + sx * abs(goal.x - centre.x)
            goal.y = centre.y + sy * abs(goal.y - centre.y)
        }
        let r = taskSetRounded
        return FetchTask(goal: [r(goal.x), r(goal.y), r(goal.z)], object: object.map { [r($0.x), r($0.y)] })
    }

    static func entries(_ kind: FetchTaskKind, zones: [GoalZone?], perZone: Int, _ g: inout SeededGenerator) throws -> [TaskSetEntry] {
        var out: [TaskSetEntry] = []
        for zone in zones {
            for _ in 0..<perZone {
                out.append(try TaskSetEntry(stratum: kind.rawValue, env: FetchEnvironment.identifier(kind, dense: false), descriptor: sampleTask(kind, zone: zone, &g)))
            }
        }
        return out
    }

    /// Meta-test protocol of both Fetch benchmarks: 10 adaptation episodes, 3 evaluation episodes of 50 steps, success.
    static let evaluation = EvaluationProtocol(adaptationEpisodes: 10, evaluationEpisodes: 3, horizon: FetchEnvironment.horizonSteps, metric: .success)

    public static let benchmarks: [BenchmarkSpec] = [
        BenchmarkSpec(
            id: "fetch-zones-v1",
            summary: "Fetch reach, push, pick-place and slide, one task at a time: train goals in zones A, B, C of the goal region (15 each), test goals in the unseen zone D (20 per task); goal visible, sparse reward; one 31-dimensional observation (reach's object fields are zero).",
            // One observation space for the four tasks: reach's 16 dimensions padded to 31 (object fields zero).
            evaluation: evaluation, models: models(FetchTaskKind.allCases), defaultSeed: 4, entryEnvironment: .padded(FetchEnvironment.objectLayout),
            generate: { seed in
                var train: [TaskSetEntry] = [], test: [TaskSetEntry] = []
                for kind in FetchTaskKind.allCases {
                    var g = SeededGenerator(seed: SeededGenerator.derive(seed, "fetch-zones/\(kind.rawValue)"))
                    train += try entries(kind, zones: GoalZone.train, perZone: 15, &g)
                    test += try entries(kind, zones: GoalZone.test, perZone: 20, &g)
                }
                return TaskSet(benchmark: "fetch-zones-v1", seed: seed, train: train, test: test)
            }),
        BenchmarkSpec(
            id: "fetch-tasks-v2",
            summary: "Train on Fetch reach, push and pick-place (50 v4 goals each); test on slide, an unforeseen task (40 goals); goal visible, sparse reward; one 31-dimensional observation (reach's object fields are zero).",
            // v2: reach padded to the object tasks' 31 dimensions, as fetch-zones-v1 (v1 handed
            // learners 16 dimensions on reach and 31 on push, pick-place and slide).
            evaluation: evaluation, models: models(FetchTaskKind.allCases), defaultSeed: 4, entryEnvironment: .padded(FetchEnvironment.objectLayout),
            generate: { seed in
                var train: [TaskSetEntry] = []
                for kind in [FetchTaskKind.reach, .push, .pickAndPlace] {
                    var g = SeededGenerator(seed: SeededGenerator.derive(seed, "fetch-tasks/\(kind.rawValue)"))
                    train += try entries(kind, zones: [nil], perZone: 50, &g)
                }
                var g = SeededGenerator(seed: SeededGenerator.derive(seed, "fetch-tasks/slide"))
                let test = try entries(.slide, zones: [nil], perZone: 40, &g)
                return TaskSet(benchmark: "fetch-tasks-v2", seed: seed, train: train, test: test)
            }),
    ]
}
