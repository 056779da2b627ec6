import Foundation
import MRCore
import MRNeural
import MRSuite
import Testing
import _MRNeuralTestSupport
@testable import MRAgents

extension Learners {
    /// MAML: the meta-gradient is exact, a TRPO step keeps its promise, and the smoke config learns to
    /// adapt on point navigation (and does not when the inner step is skipped).
    @Suite("MAML", .serialized)
    struct MAMLTests {
        static func tasks() throws -> TrainingTasks { try Registry.benchmark("point-nav-v1").trainingTasks() }

        // MARK: A fixed batch in float64

        /// A small policy (2 → 5 → 2) and two tasks of random steps, all float64.
        static func fixedProblem(firstOrder: Bool = false, seed: UInt64 = 21) -> (objective: MAMLObjective, theta: Parameters) {
            var g = SeededGenerator(seed: seed)
            let net = MAMLNetwork(observationSize: 2, actionSize: 2, hiddenSizes: [5])
            var theta = net.initialParameters(initialLogStd: -0.3, dtype: .float64, using: &g)
            theta["logStd"] = Tensor(doubles: [-0.2, -0.4], shape: [2])
            func batch(_ n: Int) -> PolicyGradientBatch {
                let w = Tensor(doubles: Array(repeating: 1 / Double(n), count: n), shape: [n])
                return PolicyGradientBatch(observations: Tensor.randomNormal([n, 2], dtype: .float64, using: &g),
                                           actions: Tensor.randomNormal([n, 2], dtype: .float64, using: &g),
                                           advantages: Tensor.randomNormal([n], dtype: .float64, using: &g), weights: w)
            }
            let tasks = (0..<2).map { _ in MAMLTaskBatch(adaptation: batch(8), validation: batch(8)) }
            return (MAMLObjective(net: net, tasks: tasks, innerLearningRate: 0.5, firstOrder: firstOrder), theta)
        }

        @Test func metaGradientThroughTheInnerStepMatchesFiniteDifferences() {
            let (objective, theta) = Self.fixedProblem()
            // The reference (π_old′) is fixed at a point a little away from θ, so the surrogate's
            // gradient is not at its stationary ratio 1 and every term matters.
            var away = theta
            away.combine(scale: 1, with: theta.mapTensors { Tensor(repeating: 0.05, shape: $0.shape, dtype: .float64) }, scale: 1)
            let reference = objective.referenceDistributions(away)
            func outer(_ ts: [Tensor]) -> Tensor {
                objective.lossAndKL(Parameters(names: theta.names, tensors: ts), reference: reference, differentiable: true).loss
            }
            let secondOrder = gradientCheckError(theta.tensors, outer)
            // The same check of the first-order (FOMAML) gradient against the exact objective's finite
            // differences must fail clearly: it drops the second-order term.
            let fo = MAMLObjective(net: objective.net, tasks: objective.tasks, innerLearningRate: objective.innerLearningRate, firstOrder: true)
            let foGradient = fo.metaGradient(theta, reference: reference).gradient
            let exactGradient = objective.metaGradient(theta, reference: reference).gradient
            let difference = foGradient.tensors.indices.map { k -> Double in
                let a = foGradient.tensors[k].doubles, b = exactGradient.tensors[k].doubles
                return zip(a, b).map { abs($0 - $1) }.max()! / max(a.map(abs).max()!, b.map(abs).max()!, 1e-12)
            }.max()!
            print("MAML meta-gradient (policy 2→5→2, \(theta.scalarCount) parameters, 2 tasks × 8 + 8 steps, α 0.5): worst relative error vs central differences \(secondOrder); first-order MAML differs from it by \(difference)")
            #expect(secondOrder < 1e-6)
            #expect(difference > 1e-3)
            // The metaGradient API returns the same as the checker's tape gradient.
            let vars = theta.mapTensors { $0.tracked() }
            let direct = gradients(of: outer(vars.tensors), at: vars.tensors)
            #expect(zip(direct, exactGradient.tensors).allSatisfy { $0.bitwiseEqual($1) })
        }

        @Test func fisherVectorProductIsTheKLHessianThroughTheInnerStep() {
            let (objective, theta) = Self.fixedProblem()
            let reference = objective.referenceDistributions(theta)
            var g = SeededGenerator(seed: 3)
            let v = theta.mapTensors { Tensor.randomNormal($0.shape, dtype: .float64, using: &g) }
            let fv = objective.fisherVectorProduct(at: theta, reference: reference)(v)
            // Central differences of the KL's gradient along v.
            let h = 1e-5
            func klGradient(_ p: Parameters) -> Parameters {
                gradient(at: p) { objective.lossAndKL($0, reference: reference, differentiable: true).kl }
            }
            var plus = theta, minus = theta
            plus.combine(scale: 1, with: v, scale: h); minus.combine(scale: 1, with: v, scale: -h)
            var fd = klGradient(plus)
            fd.combine(scale: 1 / (2 * h), with: klGradient(minus), scale: -1 / (2 * h))
            let a = fv.flattened().doubles, n = fd.flattened().doubles
            let err = zip(a, n).map { abs($0 - $1) }.max()! / max(a.map(abs).max()!, n.map(abs).max()!)
            print("MAML Fisher-vector product vs central differences of ∇KL: relative error \(err); vᵀFv = \(v.dotValue(fv))")
            #expect(err < 1e-6)
            // At the reference the KL is 0 and its Hessian positive semidefinite.
            #expect(abs(objective.lossAndKL(theta, reference: reference, differentiable: false).kl.scalarValue) < 1e-12)
            #expect(v.dotValue(fv) > 0)
        }

        @Test func oneTRPOStepImprovesTheSurrogateWithinTheKLLimit() {
            let (objective, theta) = Self.fixedProblem(seed: 8)
            let settings = MAMLConfig.navigationPaper.trustRegion
            let (next, step) = objective.trustRegionUpdate(theta, settings: settings)
            // Recompute both at the new parameters instead of trusting the step's report.
            let reference = objective.referenceDistributions(theta)
            let before = objective.lossAndKL(theta, reference: reference, differentiable: false).loss.scalarValue
            let (loss, kl) = objective.lossAndKL(next, reference: reference, differentiable: false)
            print("TRPO step on a fixed batch: surrogate \(before) → \(loss.scalarValue), KL \(kl.scalarValue) (limit \(settings.maxKL)), step fraction \(step.stepFraction), CG residual \(step.cgResidual)")
            #expect(step.accepted)
            #expect(kl.scalarValue <= settings.maxKL && kl.scalarValue > 0)
            #expect(loss.scalarValue < before)
            #expect(abs(step.klAfter - kl.scalarValue) < 1e-12 && abs(step.lossBefore - before) < 1e-12)
        }

        // MARK: Learning on point navigation

        /// Trains the smoke config; returns the sampled meta-test (pre-update: the K adaptation
        /// episodes; post-update: the evaluation episodes, also sampled so both see the same noise).
        static func train(iterations: Int, skipInnerStep: Bool = false) throws -> (trainer: MAMLTrainer, before: MAMLTrainer.MetaTestResult,
                                                                               after: MAMLTrainer.MetaTestResult, seconds: Double) {
            let start = Date()
            let t = try MAMLTrainer(tasks: tasks(), config: MAMLConfig.preset("smoke", benchmark: "point-nav-v1")!, seed: 7)
            t.skipInnerStep = skipInnerStep
            let before = try t.metaTest(threads: 2, sampledEvaluation: true)
            for _ in 0..<iterations { _ = try t.iterate(threads: 2) }
            return (t, before, try t.metaTest(threads: 2, sampledEvaluation: true), Date().timeIntervalSince(start))
        }

        static let iterations = 15

        static func report(_ label: String, _ r: (trainer: MAMLTrainer, before: MAMLTrainer.MetaTestResult, after: MAMLTrainer.MetaTestResult, seconds: Double)) {
            func f(_ x: Double) -> String { String(format: "%.1f", x) }
            print("MAML smoke on point-nav-v1\(label): \(iterations) iterations, \(r.trainer.environmentSteps) env steps in \(f(r.seconds)) s; "
                  + "meta-test pre-update \(f(r.before.adaptationReturn)) → post-update \(f(r.before.evaluationReturn)) before training, "
                  + "pre-update \(f(r.after.adaptationReturn)) → post-update \(f(r.after.evaluationReturn)) after")
        }

        @Test func smokeConfigLearnsToAdaptOnPointNavigation() throws {
            let r = try Self.train(iterations: Self.iterations)
            Self.report("", r)
            // Post-update beats pre-update by a clear margin (the noise between the two phases of one
            // policy is ~5: the skipped-inner-step run below and the untrained one show it).
            #expect(r.after.evaluationReturn > r.after.adaptationReturn + 20)
            // Meta-training made the post-update policy better than the initial one's.
            #expect(r.after.evaluationReturn > r.before.evaluationReturn + 10)
            // The time is printed by `report`, not asserted: tests never fail on a time (the brief).
        }

        @Test func skippingTheInnerStepFailsTheSameCheck() throws {
            let r = try Self.train(iterations: Self.iterations, skipInnerStep: true)
            Self.report(" with the inner step skipped", r)
            #expect(!(r.after.evaluationReturn > r.after.adaptationReturn + 20))
        }

        // MARK: Checkpoints and the agent

        static var tinyConfig: MAMLConfig {
            var c = MAMLConfig.preset("smoke", benchmark: "point-nav-v1")!
            c.metaBatch = 3; c.episodesPerTask = 2; c.evaluateEvery = 2; c.evaluationTasks = 2
            return c
        }

        @Test func checkpointRestoresTheTrainerExactly() throws {
            let tasks = try Self.tasks()
            let a = try MAMLTrainer(tasks: tasks, config: Self.tinyConfig, seed: 3)
            for _ in 0..<3 { _ = try a.iterate(threads: 2) }
            let b = try MAMLTrainer(tasks: tasks, config: Self.tinyConfig, seed: 3)
            _ = try b.iterate(threads: 2)
            let c = try MAMLTrainer(tasks: tasks, checkpoint: try Checkpoint(decoding: b.checkpoint().encoded()))
            for _ in 0..<2 { _ = try c.iterate(threads: 2) }
            let resumedEqual = a.checkpoint().encoded() == c.checkpoint().encoded()
            #expect(resumedEqual, "a resumed trainer must end byte-identical to an uninterrupted one")
            #expect(a.iteration == 3 && a.gradientSteps == 3 && a.environmentSteps == 3 * 2 * 3 * 2 * 100)
            let e = try MAMLTrainer(tasks: tasks, config: Self.tinyConfig, seed: 4)
            _ = try e.iterate(threads: 2)
            let seedsDiffer = e.checkpoint().encoded() != b.checkpoint().encoded()
            #expect(seedsDiffer)
            // Another benchmark's checkpoint and an RL² checkpoint are refused.
            let rl2 = try RL2Trainer(tasks: tasks, config: .smoke, seed: 1)
            #expect(throws: TrainingError.self) { _ = try MAMLTrainer(tasks: tasks, checkpoint: rl2.checkpoint()) }
            #expect(throws: TrainingError.self) { _ = try MAMLAgent(checkpoint: rl2.checkpoint()) }
        }

        @Test func firstOrderOptionTrainsAndStepsDifferently() throws {
            let tasks = try Self.tasks()
            var fo = Self.tinyConfig
            fo.firstOrder = true
            let exact = try MAMLTrainer(tasks: tasks, config: Self.tinyConfig, seed: 6)
            let first = try MAMLTrainer(tasks: tasks, config: fo, seed: 6)
            #expect(exact.params.bitwiseEqual(first.params))
            let a = try exact.iterate(threads: 2), b = try first.iterate(threads: 2)
            // The same data (same seed, same θ), a different meta-gradient, so a different step.
            #expect(a["train_pre_return"] == b["train_pre_return"] && a["train_post_return"] == b["train_post_return"])
            #expect(b["step_accepted"] == 1 && first.params.isFinite)
            #expect(!exact.params.bitwiseEqual(first.params))
        }

        @Test func checkpointAgentAdaptsWithTheInnerStep() throws {
            let tasks = try Self.tasks()
            let t = try MAMLTrainer(tasks: tasks, config: Self.tinyConfig, seed: 5)
            _ = try t.iterate(threads: 1)
            let agent = try MAMLAgent(checkpoint: try Checkpoint(decoding: t.checkpoint().encoded()))
            #expect(agent.trainingSteps == t.environmentSteps && agent.trainingSeed == 5 && agent.benchmark == "point-nav-v1")
            #expect(agent.params.bitwiseEqual(t.params))
            // Run the protocol by hand: K adaptation episodes, adapt, E evaluation episodes.
            let env = try tasks.environment(0)
            func trial(_ learner: MAMLAgent) throws -> (adapted: MAMLPolicy, evaluation: [[Float]]) {
                let p = try learner.explorationPolicy(context: tasks.context, seed: 11)
                p.beginTrial(seed: 11)
                var episodes: [Episode] = []
                for k in 0..<tasks.evaluation.adaptationEpisodes {
                    p.beginEpisode(phase: .adaptation)
                    var c = EpisodeCursor(env, seed: UInt64(k), horizon: env.horizon)
                    var e = Episode()
                    try c.run(p) { e.transitions.append($0) }
                    episodes.append(e)
                }
                let adapted = try #require(try learner.adapt(p, episodes: episodes) as? MAMLPolicy)
                adapted.beginEpisode(phase: .evaluation)
                var c = EpisodeCursor(env, seed: 99, horizon: env.horizon)
                var actions: [[Float]] = []
                try c.run(adapted) { actions.append($0.action) }
                return (adapted, actions)
            }
            let (fromCheckpoint, actions) = try trial(agent)
            let (live, liveActions) = try trial(t.agent())
            #expect(actions == liveActions && actions.count == env.horizon)
            #expect(fromCheckpoint.params.bitwiseEqual(live.params))
            // The inner step moved the parameters by α·∇L_in, and the evaluation acts with the mean.
            let moved = fromCheckpoint.params.tensors.indices.contains { !fromCheckpoint.params.tensors[$0].bitwiseEqual(agent.params.tensors[$0]) }
            #expect(moved)
            #expect(fromCheckpoint.useMean)
            // A mismatched benchmark is refused.
            let wrong = AgentContext(observationSpace: BoxSpace(dimension: 39, bound: 10), actionSpace: .unit(4),
                                     observationLayout: ObservationLayout([("x", 39)]), horizon: 500)
            #expect(throws: TrainingError.self) { _ = try agent.explorationPolicy(context: wrong, seed: 0) }
        }

        @Test func presetsFollowTheirSources() throws {
            let nav = try #require(MAMLConfig.preset("paper", benchmark: "point-nav-v1"))
            #expect(nav.metaBatch == 20 && nav.episodesPerTask == 20 && nav.hiddenSizes == [64, 64] && nav.innerLearningRate == 0.1)
            #expect(nav.maxKL == 0.01 && nav.cgIterations == 10 && nav.cgDamping == 1e-5 && nav.lineSearchSteps == 15 && nav.backtrackRatio == 0.8)
            #expect(nav.gamma == 0.99 && nav.lambda == 1.0 && !nav.firstOrder)
            #expect(MAMLConfig.preset("paper", benchmark: "half-cheetah-vel-v2")?.metaBatch == 40)
            #expect(MAMLConfig.preset("paper", benchmark: "half-cheetah-dir-v2")?.metaBatch == 40)
            let ml10 = try #require(MAMLConfig.preset("paper", benchmark: "ml10-v2"))
            #expect(ml10.metaBatch == 20 && ml10.episodesPerTask == 10 && ml10.hiddenSizes == [512, 512])
            for b in ["point-nav-v1", "half-cheetah-vel-v2", "half-cheetah-dir-v2", "ml10-v2"] {
                for p in ["smoke", "cpu", "paper"] { #expect(MAMLConfig.preset(p, benchmark: b) != nil) }
            }
            #expect(MAMLConfig.preset("fast", benchmark: "point-nav-v1") == nil)
            #expect(MAMLConfig.family(of: "ant-vel-v2") == .locomotion && MAMLConfig.family(of: "ml1-reach-v2") == .metaWorld)
            #expect(MAMLConfig.preset("paper", benchmark: "fetch-reach-v1") == MAMLConfig.navigationPaper)
            var bad = Self.tinyConfig
            bad.backtrackRatio = 1.5
            #expect(throws: TrainingError.self) { _ = try MAMLTrainer(tasks: Self.tasks(), config: bad, seed: 1) }
        }
    }
}
