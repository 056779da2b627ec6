import MRCore
import MRSuite
import Testing

/// What `hello` declares about a benchmark's observations holds for every one of its tasks.
@Suite("Benchmark observation spaces")
struct ObservationSpaceTests {
    /// fetch-zones-v1 mixes reach (16 dimensions) with push, pick-and-place and slide (31): every
    /// entry's environment has the one 31-dimensional layout, reach padded with zero object fields.
    @Test func fetchZonesHasOneObservationSpace() throws {
        let b = try Registry.benchmark("fetch-zones-v1")
        let set = try b.taskSet()
        var seen = Set<String>()
        for e in set.test + set.train where seen.insert(e.stratum).inserted {
            let env = try b.makeEnvironment(e)
            #expect(env.observationLayout == FetchEnvironment.objectLayout, "\(e.stratum)")
            #expect(env.observationSpace.dimension == 31, "\(e.stratum)")
            let o = env.reset(seed: 3)
            #expect(o.count == 31 && env.observationSpace.contains(o), "\(e.stratum)")
            let r = try env.step([0.2, -0.1, 0.1, 0.5])
            #expect(r.observation.count == 31 && env.observationSpace.contains(r.observation), "\(e.stratum)")
            if e.stratum == "reach" {
                // The same episode unpadded: each named field lands at its place in the 31-dimensional layout.
                let plain = try Registry.environment(e.env).make(task: e.params)
                let p = plain.reset(seed: 3)
                for s in plain.observationLayout.segments {
                    #expect(Array(o[FetchEnvironment.objectLayout.range(of: s.name)!]) == Array(p[s.range]), "\(s.name)")
                }
                for name in ["object_pos", "object_rel_pos", "object_rot", "object_velp", "object_velr"] {
                    #expect(FetchEnvironment.objectLayout.slice(o, name).allSatisfy { $0 == 0 }, "\(name)")
                }
            }
        }
        #expect(seen.count == 4, "\(seen)")
    }

    /// `hides_goal` is true exactly when no part of the observation shows the goal.
    @Test(arguments: Registry.benchmarks.map(\.id))
    func hidesGoalSaysWhetherTheObservationShowsTheGoal(id: String) throws {
        let b = try Registry.benchmark(id)
        let set = try b.taskSet()
        let env = try b.makeEnvironment(set.test[0])
        let o = env.reset(seed: 1)
        let goalFields = env.observationLayout.segments.filter { $0.name.contains("goal") && !$0.name.hasPrefix("achieved") }
        let shown = goalFields.contains { s in o[s.range].contains { $0 != 0 } }
        #expect(b.hidesGoal == !shown, "\(id): hidesGoal \(b.hidesGoal), goal fields \(goalFields.map(\.name)) shown \(shown)")
    }

    /// A learner and an agent see one observation and action space per benchmark: every train and
    /// test entry's environment has the first train entry's spaces and layout (fetch-tasks-v1 mixed
    /// reach's 16-dimensional observation with push's 31, which no fixed-size network can take).
    @Test(arguments: Registry.benchmarks.map(\.id))
    func everyTaskOfABenchmarkHasTheSameSpaces(id: String) throws {
        let b = try Registry.benchmark(id)
        let set = try b.taskSet()
        let first = try b.makeEnvironment(set.train[0])
        // One entry per (environment id, stratum): the spaces cannot depend on anything finer.
        var seen = Set<String>()
        for entry in set.train + set.test where seen.insert(entry.env + "|" + entry.stratum).inserted {
            let env = try b.makeEnvironment(entry)
            #expect(env.observationSpace.dimension == first.observationSpace.dimension, "\(id): \(entry.env) (\(entry.stratum)) observes \(env.observationSpace.dimension) dimensions, the first train task \(first.observationSpace.dimension)")
            #expect(env.actionSpace == first.actionSpace && env.actionSpace.dimension > 0, "\(id): \(entry.env) (\(entry.stratum)) acts in \(env.actionSpace.dimension) dimensions, the first train task \(first.actionSpace.dimension)")
            #expect(env.observationLayout.segments.map { "\($0.name):\($0.count)" } == first.observationLayout.segments.map { "\($0.name):\($0.count)" }, "\(id): \(entry.env) (\(entry.stratum)) has another observation layout")
        }
        #expect(seen.count >= 1)
    }
}
