import Foundation
import MRCore
import MRNeural
import MRSuite
import Testing
import _MRNeuralTestSupport
@testable import MRAgents

extension Learners {
    /// GARGAML and SAC+HER: the critic meta-gradient, learning, checkpoints and resume.
    @Suite("GARGAML", .serialized)
    struct GARGAMLTests {
        /// A small SAC (3 → 4 → 4 critics) in float64 and two tasks' batches: k = 2 inner batches
        /// of 6 rows and a post-update batch of 6 rows each.
        static func fixedProblem(firstOrder: Bool) -> (objective: CriticMetaObjective, theta: Parameters,
                                                       tasks: [(pre: [SACBatch], post: SACBatch)]) {
            var g = SeededGenerator(seed: 8)
            let settings = SACSettings(hiddenSizes: [4], learningRate: 1e-3, gamma: 0.9, tau: 0.01, rewardScale: 1, autoTemperature: false,
                                       temperature: 0.2, policyRegularization: 0, batchSize: 6, replayCapacity: 100)
            var sac = SAC(observationSize: 3, actionSize: 1, conditionSize: 0, settings: settings, using: &g)
            sac.critics = sac.critics.converted(to: .float64).mapTensors { $0 * 20 }   // away from the tiny initial head
            sac.valueTarget = sac.valueTarget.converted(to: .float64).mapTensors { $0 * 20 }
            func batch(_ n: Int) -> SACBatch {
                SACBatch(observations: Tensor.randomNormal([n, 3], dtype: .float64, using: &g),
                         actions: Tensor.randomNormal([n, 1], dtype: .float64, using: &g),
                         rewards: Tensor.randomNormal([n, 1], dtype: .float64, using: &g),
                         nextObservations: Tensor.randomNormal([n, 3], dtype: .float64, using: &g),
                         terminals: Tensor(doubles: (0..<n).map { $0 % 3 == 0 ? 1 : 0 }, shape: [n, 1]))
            }
            let tasks = (0..<2).map { _ in (pre: [batch(6), batch(6)], post: batch(6)) }
            let objective = CriticMetaObjective(sac: sac, innerLearningRate: 0.05, innerActorLearningRate: 0, firstOrder: firstOrder)
            return (objective, sac.critics, tasks)
        }

        @Test func criticMetaGradientThroughKInnerStepsMatchesFiniteDifferences() {
            let (objective, theta, tasks) = Self.fixedProblem(firstOrder: false)
            func outer(_ ts: [Tensor]) -> Tensor { objective.loss(Parameters(names: theta.names, tensors: ts), tasks: tasks) }
            let error = gradientCheckError(theta.tensors, outer)
            let exact = gradient(at: theta) { objective.loss($0, tasks: tasks) }
            let fo = Self.fixedProblem(firstOrder: true)
            let firstOrder = gradient(at: theta) { fo.objective.loss($0, tasks: fo.tasks) }
            let difference = exact.tensors.indices.map { k -> Double in
                let a = exact.tensors[k].doubles, b = firstOrder.tensors[k].doubles
                return zip(a, b).map { abs($0 - $1) }.max()! / max(a.map(abs).max()!, b.map(abs).max()!, 1e-12)
            }.max()!
            // With no inner step the meta-loss is the plain critic loss (a sanity check of the wiring).
            let none = CriticMetaObjective(sac: objective.sac, innerLearningRate: 0.05, innerActorLearningRate: 0, firstOrder: false)
            let plain = tasks.map { objective.sac.criticLoss(theta, $0.post, condition: nil).scalarValue }.reduce(0, +) / 2
            let noInner = none.loss(theta, tasks: tasks.map { ([], $0.post) }).scalarValue
            print("GARGAML critic meta-gradient (Q 4→4→1 ×2, \(theta.scalarCount) parameters, 2 tasks, k = 2 inner steps, β 0.05): worst relative error vs central differences \(error); first-order differs by \(difference)")
            #expect(error < 1e-6)
            #expect(difference > 1e-3)
            #expect(abs(plain - noInner) < 1e-12)
        }

        static func reachTasks() throws -> TrainingTasks { try Registry.environment("fetch-reach-v1").singleTaskTraining() }

        @Test func checkpointHoldsNoReplayAndResumeContinuesExactly() throws {
            let tasks = try Self.reachTasks()
            var config = GARGAMLConfig.smoke
            config.gradientStepsPerCycle = 2; config.evaluateEvery = 100; config.evaluationTasks = 1
            for variant in GoalLearnerVariant.allCases {
                let a = try GARGAMLTrainer(variant: variant, tasks: tasks, config: config, seed: 4)
                for _ in 0..<2 { _ = try a.iterate(threads: 2) }
                // The run folder splits the state: the agent file has no replay, replay.mrnc has it.
                let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mrbench-gargaml-\(variant.rawValue)-\(getpid())").path
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(atPath: dir) }
                let folder = RunFolder(dir)
                try folder.write(a.checkpoint(), bulk: a.bulkStatePrefixes)
                let ck = try Checkpoint(contentsOf: folder.checkpoint), resume = try Checkpoint(contentsOf: folder.replay)
                #expect(!ck.parameters.names.contains { $0.contains("replay") || $0.hasPrefix("pre/") || $0.hasPrefix("shared/") })
                #expect(!resume.parameters.names.isEmpty && resume.parameters.names.allSatisfy { $0.hasPrefix("replay/") })
                let ckBytes = ck.encoded().count, resumeBytes = resume.encoded().count
                let b = try GARGAMLTrainer(variant: variant, tasks: tasks, checkpoint: try folder.readTrainingState())
                _ = try a.iterate(threads: 2); _ = try b.iterate(threads: 2)
                let same = a.checkpoint().encoded() == b.checkpoint().encoded()
                print("\(variant.rawValue): checkpoint \(ckBytes) bytes, replay file \(resumeBytes) bytes; resumed run identical: \(same)")
                #expect(same)
                #expect(ckBytes < 1_000_000)
                // Without the replay file the run refuses to resume.
                #expect(throws: TrainingError.self) { try GARGAMLTrainer(variant: variant, tasks: tasks, checkpoint: ck) }
                // The checkpoint agent loads, and refuses the other learner's name.
                let agent = try GARGAMLAgent(checkpoint: ck, expected: variant)
                #expect(agent.name == variant.rawValue)
                let other: GoalLearnerVariant = variant == .gargaml ? .sacHER : .gargaml
                #expect(throws: TrainingError.self) { try GARGAMLAgent(checkpoint: ck, expected: other) }
            }
        }

        /// Trains `variant` on fetch-reach-v1 (one task, a fresh goal every episode) until `steps`
        /// environment steps, testing every `testEvery` cycles on 10 trials × 10 episodes with reset
        /// seeds training never uses, and stopping at the first test at or above `stopAt`.
        /// Returns the tests (steps, success).
        static func trainOnReach(_ variant: GoalLearnerVariant, config: GARGAMLConfig, steps: Int, testEvery: Int,
                                 stopAt: Double = 2) throws -> [(steps: Int, success: Double)] {
            var c = config
            c.evaluateEvery = 1_000_000
            let t = try GARGAMLTrainer(variant: variant, tasks: try reachTasks(), config: c, seed: 1)
            var tests: [(Int, Double)] = [(0, try t.metaTest(threads: 2, tasks: 10).evaluationSuccess!)]
            while t.environmentSteps < steps {
                _ = try t.iterate(threads: 2)
                if t.iteration % testEvery == 0 || t.environmentSteps >= steps {
                    let s = try t.metaTest(threads: 2, tasks: 10).evaluationSuccess!
                    tests.append((t.environmentSteps, s))
                    if s >= stopAt { break }
                }
            }
            print("\(variant.rawValue) on fetch-reach-v1, test success (100 episodes) by env steps: \(tests.map { "\($0.0): \($0.1)" }.joined(separator: ", "))")
            return tests
        }

        /// GARGAML's smoke test: from the initial policy's chance success (about 0.1) to at least
        /// 0.6 on fetch-reach within 7 000 steps (measured: 1.0). SAC+HER's is the test below.
        @Test func smokeConfigOfGARGAMLLearnsFetchReach() throws {
            let tests = try Self.trainOnReach(.gargaml, config: .smoke, steps: 7000, testEvery: 1_000_000)
            #expect(tests.first!.success < 0.3)
            #expect(tests.last!.success >= 0.6)
        }

        /// The issue's bar: single-task SAC+HER reaches ≥ 90% test success on fetch-reach-v1
        /// within 20 000 environment steps (Plappert et al. solve it in under 5 000), with the smoke
        /// config (measured: 0.89 at 6 000, 1.0 at 7 000 steps; about 40 s in a debug build). It is
        /// also SAC+HER's smoke test.
        @Test func singleTaskSACHERSolvesFetchReachWithin20kSteps() throws {
            let tests = try Self.trainOnReach(.sacHER, config: .smoke, steps: 20_000, testEvery: 5, stopAt: 0.9)
            #expect(tests.first!.success < 0.3)
            #expect(tests.last!.steps <= 20_000)
            #expect(tests.last!.success >= 0.9)
        }
    }
}
