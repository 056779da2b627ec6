import Foundation
import MRCore
import MRNeural
import MRSuite
import Testing
@testable import MRAgents

extension Learners {
    /// RL² on the point-navigation benchmark: it learns, it adapts, and a broken loss fails.
    @Suite("RL²", .serialized)
    struct RL2Tests {
        static func tasks() throws -> TrainingTasks { try Registry.benchmark("point-nav-v1").trainingTasks() }

        /// The mean evaluation-episode return of a uniformly random policy on the trainer's meta-test.
        static func randomReturn(_ trainer: RL2Trainer) throws -> Double {
            var g = SeededGenerator(seed: 99)
            var total = 0.0, n = 0
            for i in trainer.heldOut.prefix(10) {
                let env = try trainer.tasks.environment(i)
                for e in 0..<2 {
                    var c = EpisodeCursor(env, seed: UInt64(e), horizon: env.horizon)
                    while !c.isDone { _ = try c.step(env.actionSpace.sample(using: &g)) }
                    total += c.totalReward; n += 1
                }
            }
            return total / Double(n)
        }

        static func train(iterations: Int, flip: Bool = false) throws -> (trainer: RL2Trainer, result: RL2Trainer.MetaTestResult, seconds: Double) {
            let start = Date()
            let t = try RL2Trainer(tasks: tasks(), config: .smoke, seed: 7)
            if flip { t.surrogateSign = -1 }
            for _ in 0..<iterations { _ = try t.iterate(threads: 2) }
            return (t, try t.metaTest(threads: 2, tasks: 10), Date().timeIntervalSince(start))
        }

        static let iterations = 12

        @Test func smokeConfigLearnsAndAdaptsOnPointNavigation() throws {
            let (trainer, r, seconds) = try Self.train(iterations: Self.iterations)
            let random = try Self.randomReturn(trainer)
            print("RL² smoke on point-nav-v1: \(Self.iterations) iterations, \(trainer.environmentSteps) env steps, \(trainer.gradientSteps) gradient steps in \(String(format: "%.1f", seconds)) s; "
                  + "meta-test first episode \(String(format: "%.1f", r.firstEpisodeReturn)), evaluation episodes \(String(format: "%.1f", r.evaluationReturn)), random \(String(format: "%.1f", random))")
            // Beats random by a clear margin (random ≈ −100, a policy that walks to the goal ≈ −10).
            #expect(r.evaluationReturn > random + 25)
            // And adapts: after K adaptation episodes it does better than in its first episode.
            #expect(r.evaluationReturn > r.firstEpisodeReturn + 5)
        }

        @Test func flippedSurrogateDoesNotLearn() throws {
            let (trainer, r, _) = try Self.train(iterations: Self.iterations, flip: true)
            let random = try Self.randomReturn(trainer)
            print("RL² smoke with the PPO surrogate's sign flipped: evaluation episodes \(String(format: "%.1f", r.evaluationReturn)), random \(String(format: "%.1f", random))")
            #expect(!(r.evaluationReturn > random + 25))
        }

        @Test func checkpointRestoresTheTrainerExactly() throws {
            let tasks = try Self.tasks()
            var config = RL2Config.smoke
            config.metaBatch = 4; config.minibatches = 2; config.epochs = 2; config.normalizeObservations = true
            // Three iterations straight…
            let a = try RL2Trainer(tasks: tasks, config: config, seed: 3)
            for _ in 0..<3 { _ = try a.iterate(threads: 2) }
            // …against one, a checkpoint through bytes, and two more.
            let b = try RL2Trainer(tasks: tasks, config: config, seed: 3)
            _ = try b.iterate(threads: 2)
            let c = try RL2Trainer(tasks: tasks, checkpoint: try Checkpoint(decoding: b.checkpoint().encoded()))
            for _ in 0..<2 { _ = try c.iterate(threads: 2) }
            let resumedEqual = a.checkpoint().encoded() == c.checkpoint().encoded()
            #expect(resumedEqual, "a resumed trainer must end byte-identical to an uninterrupted one")
            // The same seed and thread count again: the same bytes. (The thread count is part of the
            // run's identity: OpenBLAS splits the update's products over that many threads.)
            let d = try RL2Trainer(tasks: tasks, config: config, seed: 3)
            for _ in 0..<3 { _ = try d.iterate(threads: 2) }
            let repeatEqual = a.checkpoint().encoded() == d.checkpoint().encoded()
            #expect(repeatEqual)
            // A different seed differs.
            let e = try RL2Trainer(tasks: tasks, config: config, seed: 4)
            _ = try e.iterate(threads: 2)
            let seedsDiffer = e.checkpoint().encoded() != b.checkpoint().encoded()
            #expect(seedsDiffer)
        }

        @Test func checkpointAgentActsLikeTheTrainer() throws {
            let tasks = try Self.tasks()
            var config = RL2Config.smoke
            config.metaBatch = 2; config.minibatches = 1; config.epochs = 1
            let t = try RL2Trainer(tasks: tasks, config: config, seed: 5)
            _ = try t.iterate(threads: 1)
            let agent = try RL2Agent(checkpoint: try Checkpoint(decoding: t.checkpoint().encoded()))
            #expect(agent.trainingSteps == t.environmentSteps && agent.trainingSeed == 5 && agent.benchmark == "point-nav-v1")
            let live = t.agent()
            var actions: [[[Float]]] = []
            for learner in [agent, live] as [RL2Agent] {
                let p = try learner.explorationPolicy(context: tasks.context, seed: 11)
                p.beginTrial(seed: 11)
                let env = try tasks.environment(0)
                var seq: [[Float]] = []
                for phase in [EpisodePhase.adaptation, .evaluation] {
                    p.beginEpisode(phase: phase)
                    // The first 20 steps of each episode (the environment's horizon is 100; the cursor never cuts short).
                    var c = EpisodeCursor(env, seed: 1, horizon: env.horizon)
                    while c.length < 20 && !c.isDone {
                        let t = try c.step(p.act(c.observation))
                        p.observe(t)
                        seq.append(t.action)
                    }
                }
                actions.append(seq)
            }
            #expect(actions[0] == actions[1] && actions[0].count == 40)
            #expect(actions[0].allSatisfy { $0.allSatisfy { abs($0) <= 1 } })
            // A mismatched benchmark is refused with a message.
            let wrong = AgentContext(observationSpace: BoxSpace(dimension: 39, bound: 10), actionSpace: .unit(4),
                                     observationLayout: ObservationLayout([("x", 39)]), horizon: 500)
            #expect(throws: TrainingError.self) { _ = try agent.explorationPolicy(context: wrong, seed: 0) }
        }

        @Test func configurationErrorsAreRefused() throws {
            var c = RL2Config.smoke
            c.minibatches = 100
            #expect(throws: TrainingError.self) { _ = try RL2Trainer(tasks: Self.tasks(), config: c, seed: 1) }
            #expect(throws: TrainingError.self) { _ = try RL2Agent(checkpoint: Checkpoint(parameters: Parameters(), metadata: ["format": "other"])) }
        }
    }
}
