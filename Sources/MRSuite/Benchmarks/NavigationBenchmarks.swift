import MRCore

/// The navigation benchmarks: small and fast, for debugging meta-learners and the evaluation tests.
enum NavigationBenchmarks {
    /// Documented seed of the frozen task sets (`mrbench tasksets generate <id>` uses it by default).
    static let seed: UInt64 = 20_261_121

    static let specs: [BenchmarkSpec] = [pointNav(sparse: false), pointNav(sparse: true), cubeNavZones]

    /// `point-nav-v1` (dense, metric return) and `point-nav-sparse-v1` (metric success): 100 train
    /// and 30 test goals on the upper unit half-circle; K = 4 adaptation, E = 2 evaluation episodes.
    static func pointNav(sparse: Bool) -> BenchmarkSpec {
        let id = sparse ? PointNavigationEnvironment.sparseID : PointNavigationEnvironment.denseID
        return BenchmarkSpec(
            id: id,
            summary: sparse ? "2-D point to an unseen goal on the unit half-circle, sparse reward within 0.2 (success)"
                            : "2-D point to an unseen goal on the unit half-circle, dense reward −distance (return)",
            evaluation: EvaluationProtocol(adaptationEpisodes: 4, evaluationEpisodes: 2, horizon: 100, metric: sparse ? .success : .return),
            // The goal never appears in the observation (the position only): the agent must find it.
            models: [], defaultSeed: seed, hidesGoal: true,
            generate: { seed in
                var g = SeededGenerator(seed: seed).derived(id)
                func entries(_ n: Int) throws -> [TaskSetEntry] {
                    try (0..<n).map { _ in try TaskSetEntry(stratum: "point-nav", env: id, descriptor: PointGoal.sample(using: &g)) }
                }
                let train = try entries(100), test = try entries(30)
                return TaskSet(benchmark: id, seed: seed, train: train, test: test)
            })
    }

    /// `cube-nav-zones-v1`: goals in zones A, B, C for training (150), zone D for testing (40);
    /// K = 5 adaptation, E = 2 evaluation episodes, horizon 50, metric success.
    static let cubeNavZones = BenchmarkSpec(
        id: "cube-nav-zones-v1",
        summary: "point in the unit cube to a visible goal; train goals in zones A–C, test goals in the unseen zone D",
        evaluation: EvaluationProtocol(adaptationEpisodes: 5, evaluationEpisodes: 2, horizon: 50, metric: .success),
        models: [], defaultSeed: seed,
        generate: { seed in
            var g = SeededGenerator(seed: seed).derived("cube-nav-zones-v1")
            let train = try (0..<150).map { i in
                try TaskSetEntry(stratum: "cube-nav", env: CubeNavigationEnvironment.identifier,
                                 descriptor: CubeGoal.sample(in: GoalZone.train[i % 3], using: &g))
            }
            let test = try (0..<40).map { _ in
                try TaskSetEntry(stratum: "cube-nav", env: CubeNavigationEnvironment.identifier, descriptor: CubeGoal.sample(in: .d, using: &g))
            }
            return TaskSet(benchmark: "cube-nav-zones-v1", seed: seed, train: train, test: test)
        })
}
