import Foundation
import MRCore
import MRNeural
import MRSuite
import Testing
@testable import MRAgents

extension Learners {
    /// PEARL: the posterior's algebra, the encoder's gradient sources, learning on point-nav, resume.
    @Suite("PEARL", .serialized)
    struct PEARLTests {
        static func tasks() throws -> TrainingTasks { try Registry.benchmark("point-nav-v1").trainingTasks() }

        @Test func posteriorIsTheProductOfTheEncodersFactors() throws {
            let config = PEARLConfig.smoke(benchmark: "point-nav-v1")
            let enc = PEARLEncoder(observationSize: 2, actionSize: 2, config: config)
            var g = SeededGenerator(seed: 1)
            let p = enc.net.initialParameters(using: &g)
            let T = 2, N = 5, Z = config.latentSize
            let context = Tensor.randomNormal([T, N, enc.contextSize], using: &g)
            let q = enc.posterior(p, context: context)
            // Closed form in Double from the encoder's raw output: σ² = 1/Σ σᵢ⁻², μ = σ² Σ μᵢ σᵢ⁻².
            let out = enc.net(p, context.reshaped(to: [T * N, enc.contextSize])).floats.map(Double.init)
            let mean = q.mean.floats, variance = q.std.floats.map { Double($0) * Double($0) }
            var worst = 0.0
            for t in 0..<T {
                for d in 0..<Z {
                    var precision = 0.0, weighted = 0.0
                    for n in 0..<N {
                        let row = (t * N + n) * 2 * Z
                        let v = Foundation.log1p(Foundation.exp(out[row + Z + d]))   // softplus
                        precision += 1 / v; weighted += out[row + d] / v
                    }
                    let v = 1 / precision, m = v * weighted
                    worst = max(worst, abs(Double(mean[t * Z + d]) - m) / max(1, abs(m)), abs(variance[t * Z + d] - v) / v)
                }
            }
            print("PEARL posterior vs the closed-form product of \(N) factors: worst relative error \(worst)")
            #expect(worst < 1e-4)
            // And a case by hand: N(0, 1)·N(2, 1) ∝ N(1, 1/2); N(0, 1)·N(3, 4) ∝ N(0.6, 0.8).
            let hand = DiagonalGaussian.product(means: Tensor(floats: [0, 0, 2, 3], shape: [1, 2, 2]),
                                                variances: Tensor(floats: [1, 1, 1, 4], shape: [1, 2, 2]), alongAxis: 1)
            let hm = hand.mean.floats, hv = hand.std.floats.map { $0 * $0 }
            #expect(abs(hm[0] - 1) < 1e-6 && abs(hm[1] - 0.6) < 1e-6)
            #expect(abs(hv[0] - 0.5) < 1e-6 && abs(hv[1] - 0.8) < 1e-6)
        }

        @Test func klToThePriorMatchesTheClosedForm() throws {
            // Two tasks, Z = 2: KL(N(μ, σ²) ‖ N(0, 1)) = ½ Σ (σ² + μ² − 1 − log σ²), summed over tasks.
            let mu: [Double] = [0.5, -1, 0, 2], sigma: [Double] = [1, 0.5, 2, 0.1]
            let q = DiagonalGaussian(mean: Tensor(floats: mu.map(Float.init), shape: [2, 2]),
                                     logStd: Tensor(floats: sigma.map { Float(Foundation.log($0)) }, shape: [2, 2]))
            let closed = zip(mu, sigma).map { m, s in 0.5 * (s * s + m * m - 1 - Foundation.log(s * s)) }.reduce(0, +)
            let kl = PEARLEncoder.klToPrior(q).scalarValue
            print("PEARL KL to the prior: \(kl), closed form \(closed)")
            #expect(abs(kl - closed) < 1e-5 * closed)
        }

        /// A smoke trainer with its buffers filled (one iteration of one gradient step).
        static func filledTrainer() throws -> PEARLTrainer {
            var config = PEARLConfig.smoke(benchmark: "point-nav-v1")
            config.gradientStepsPerIteration = 1; config.evaluateEvery = 1000; config.evaluationTasks = 1
            let t = try PEARLTrainer(tasks: tasks(), config: config, seed: 2)
            _ = try t.iterate(threads: 1)
            return t
        }

        @Test func encoderGetsNoGradientFromTheActorLoss() throws {
            let t = try Self.filledTrainer()
            var g = SeededGenerator(seed: 3)
            let s = t.sample(using: &g)
            let noise = Tensor.randomNormal([s.batch.observations.shape[0], 2], using: &g)
            let actor = gradient(at: t.encoderParams) { p in t.actorLoss(encoder: p, s, actionNoise: noise) }
            let actorNorm = actor.globalNorm()
            // The critic loss does reach the encoder (the encoder is trained by it).
            let critic = gradient(at: t.encoderParams) { p in t.sac.criticLoss(t.sac.critics, s.batch, condition: t.latentRows(p, s).z) }
            // Without the detach the actor loss would reach it: the check above can fail.
            t.detachActorCondition = false
            let leaked = gradient(at: t.encoderParams) { p in t.actorLoss(encoder: p, s, actionNoise: noise) }.globalNorm()
            print("PEARL encoder gradient norms: actor loss \(actorNorm) (z detached), \(leaked) (not detached); critic loss \(critic.globalNorm())")
            #expect(actor.tensors.allSatisfy { $0.floats.allSatisfy { $0 == 0 } }, "the actor loss must give the encoder exactly zero gradient")
            #expect(leaked > 0)
            #expect(critic.globalNorm() > 0)
            // And a whole training step moves the encoder (critic + KL), so the zero above is not a dead encoder.
            t.detachActorCondition = true
            let before = t.encoderParams
            _ = t.trainStep(using: &g)
            #expect(!t.encoderParams.bitwiseEqual(before))
        }

        static let iterations = 20

        static func train(zeroRewards: Bool) throws -> (trainer: PEARLTrainer, result: PEARLTrainer.MetaTestResult, seconds: Double) {
            let start = Date()
            let t = try PEARLTrainer(tasks: tasks(), config: .smoke(benchmark: "point-nav-v1"), seed: 7)
            t.zeroContextRewards = zeroRewards
            var last: [String: Double] = [:]
            for _ in 0..<iterations { last = try t.iterate(threads: 2) }
            let r = try t.metaTest(threads: 2, tasks: 10)
            print("PEARL smoke last iteration: " + last.keys.sorted().map { "\($0) \(String(format: "%.3g", last[$0]!))" }.joined(separator: ", "))
            return (t, r, Date().timeIntervalSince(start))
        }

        /// The margin by which the posterior's evaluation return must beat the prior's first episode.
        static let margin = 10.0

        @Test func smokeConfigLearnsToUseThePosteriorOnPointNavigation() throws {
            let (t, r, seconds) = try Self.train(zeroRewards: false)
            print("PEARL smoke on point-nav-v1: \(Self.iterations) iterations, \(t.environmentSteps) env steps, \(t.gradientSteps) gradient steps in \(String(format: "%.1f", seconds)) s; "
                  + "meta-test first episode (prior z) \(String(format: "%.1f", r.firstEpisodeReturn)), evaluation (posterior z) \(String(format: "%.1f", r.evaluationReturn)), success \(r.evaluationSuccess ?? -1)")
            #expect(r.evaluationReturn > r.firstEpisodeReturn + Self.margin)
        }

        @Test func zeroedContextRewardsBreakTheAdaptation() throws {
            let (_, r, seconds) = try Self.train(zeroRewards: true)
            print("PEARL smoke with zeroed context rewards: first episode \(String(format: "%.1f", r.firstEpisodeReturn)), evaluation \(String(format: "%.1f", r.evaluationReturn)) (\(String(format: "%.1f", seconds)) s)")
            #expect(!(r.evaluationReturn > r.firstEpisodeReturn + Self.margin))
        }

        @Test func runFolderKeepsTheBuffersOutOfTheAgentCheckpoint() throws {
            let tasks = try Self.tasks()
            var config = PEARLConfig.smoke(benchmark: "point-nav-v1")
            config.gradientStepsPerIteration = 5; config.evaluateEvery = 2; config.evaluationTasks = 2; config.sac.replayCapacity = 250
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mrbench-pearl-folder-\(getpid())").path
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let folder = RunFolder(dir)
            let b = try PEARLTrainer(tasks: tasks, config: config, seed: 3)
            _ = try b.iterate(threads: 2)
            try folder.write(b.checkpoint(), bulk: b.bulkStatePrefixes)
            let agentFile = try Checkpoint(contentsOf: folder.checkpoint), bulkFile = try Checkpoint(contentsOf: folder.replay)
            #expect(!agentFile.parameters.names.contains { $0.hasPrefix("replay/") || $0.hasPrefix("context/") })
            #expect(bulkFile.parameters.names.allSatisfy { $0.hasPrefix("replay/") || $0.hasPrefix("context/") })
            #expect(bulkFile.parameters.count == 2 * tasks.count * (b.checkpoint().parameters.filtered(prefix: "replay/0/").count))
            // The agent loads from the small file alone; training resumes from the pair exactly.
            _ = try PEARLAgent(checkpoint: agentFile)
            let c = try PEARLTrainer(tasks: tasks, checkpoint: try folder.readTrainingState())
            #expect(c.checkpoint().encoded() == b.checkpoint().encoded())
            // A pair not written together, or a missing buffer file, is refused with a message.
            let later = try PEARLTrainer(tasks: tasks, config: config, seed: 3)
            for _ in 0..<2 { _ = try later.iterate(threads: 2) }
            var stale = later.checkpoint().parameters.filtered(prefix: "replay/")
            stale = stale.merging(later.checkpoint().parameters.filtered(prefix: "context/"))
            try Checkpoint(parameters: stale, metadata: ["bulk_of": "2"]).write(to: folder.replay)
            #expect(throws: TrainingError.self) { _ = try folder.readTrainingState() }
            try FileManager.default.removeItem(atPath: folder.replay)
            do { _ = try folder.readTrainingState(); Issue.record("a missing replay.mrnc must be refused") }
            catch { #expect("\(error)".contains("replay.mrnc is missing")) }
        }

        @Test func checkpointRestoresTheTrainerExactly() throws {
            let tasks = try Self.tasks()
            var config = PEARLConfig.smoke(benchmark: "point-nav-v1")
            config.gradientStepsPerIteration = 5; config.evaluateEvery = 2; config.evaluationTasks = 2; config.sac.replayCapacity = 250
            let a = try PEARLTrainer(tasks: tasks, config: config, seed: 3)
            for _ in 0..<3 { _ = try a.iterate(threads: 2) }
            let b = try PEARLTrainer(tasks: tasks, config: config, seed: 3)
            _ = try b.iterate(threads: 2)
            let bytes = b.checkpoint().encoded()
            let c = try PEARLTrainer(tasks: tasks, checkpoint: try Checkpoint(decoding: bytes))
            for _ in 0..<2 { _ = try c.iterate(threads: 2) }
            let final = a.checkpoint().encoded()
            print("PEARL smoke checkpoint: \(bytes.count) bytes after one iteration (buffers of 250 rows), \(final.count) after three")
            #expect(final == c.checkpoint().encoded(), "a resumed trainer must end byte-identical to an uninterrupted one")
            let d = try PEARLTrainer(tasks: tasks, config: config, seed: 4)
            _ = try d.iterate(threads: 2)
            #expect(d.checkpoint().encoded() != bytes)
            // The checkpoint agent acts as the trainer's own agent.
            let loaded = try PEARLAgent(checkpoint: a.checkpoint())
            let returns = try [a.agent(), loaded].map { learner -> [Double] in
                let env = try tasks.environment(a.heldOut[0])
                let policy = try learner.explorationPolicy(context: tasks.context, seed: 1)
                policy.beginTrial(seed: 1)
                return try (0..<3).map { j in
                    policy.beginEpisode(phase: j < 2 ? .adaptation : .evaluation)
                    var cur = EpisodeCursor(env, seed: UInt64(j), horizon: env.horizon)
                    try cur.run(policy)
                    return cur.totalReward
                }
            }
            #expect(returns[0] == returns[1])
            #expect(loaded.trainingSteps == a.environmentSteps)
        }
    }
}

/// The presets carry oyster's values (configs/*.json over configs/default.py) and `cpu` departs only as documented.
@Test func pearlPresetsFollowOyster() throws {
    let cheetah = PEARLConfig.paper(benchmark: "half-cheetah-vel-v2")
    #expect(cheetah.latentSize == 5 && cheetah.sac.hiddenSizes == [300, 300, 300] && cheetah.encoderSizes == [200, 200, 200])
    #expect(cheetah.sac.learningRate == 3e-4 && cheetah.sac.gamma == 0.99 && cheetah.sac.tau == 0.005 && cheetah.sac.rewardScale == 5 && cheetah.klWeight == 0.1)
    #expect(cheetah.metaBatch == 16 && cheetah.sac.batchSize == 256 && cheetah.contextBatchSize == 100 && cheetah.initialSteps == 2000)
    #expect(cheetah.tasksPerIteration == 5 && cheetah.stepsPrior == 400 && cheetah.stepsPosterior == 0 && cheetah.extraStepsPosterior == 600)
    #expect(cheetah.gradientStepsPerIteration == 2000 && cheetah.sac.replayCapacity == 1_000_000 && !cheetah.sac.autoTemperature && cheetah.sac.temperature == 1)
    let sparse = PEARLConfig.paper(benchmark: "point-nav-sparse-v1")
    #expect(sparse.sac.gamma == 0.9 && sparse.sac.rewardScale == 100 && sparse.klWeight == 1 && sparse.contextBatchSize == 1024 && sparse.initialSteps == 200)
    #expect(sparse.tasksPerIteration == 10 && sparse.stepsPrior == 100 && sparse.stepsPosterior == 900 && sparse.extraStepsPosterior == 0
            && sparse.gradientStepsPerIteration == 1000)
    let point = PEARLConfig.paper(benchmark: "point-nav-v1")
    #expect(point.sac.rewardScale == 100 && point.stepsPrior == 200 && point.extraStepsPosterior == 200 && point.gradientStepsPerIteration == 1000)
    #expect(PEARLConfig.paper(benchmark: "ml10-v2").latentSize == 7)
    // cpu: the documented departures from paper, nothing else.
    var cpu = PEARLConfig.cpu(benchmark: "half-cheetah-vel-v2")
    #expect(cpu.sac.hiddenSizes == [128, 128] && cpu.encoderSizes == [128, 128] && cpu.metaBatch == 8 && cpu.sac.batchSize == 128
            && cpu.contextBatchSize == 100 && cpu.gradientStepsPerIteration == 200 && cpu.sac.replayCapacity == 1000 && cpu.initialSteps == 1000)
    cpu.sac.hiddenSizes = cheetah.sac.hiddenSizes; cpu.encoderSizes = cheetah.encoderSizes; cpu.metaBatch = cheetah.metaBatch
    cpu.sac.batchSize = cheetah.sac.batchSize; cpu.gradientStepsPerIteration = cheetah.gradientStepsPerIteration
    cpu.sac.replayCapacity = cheetah.sac.replayCapacity; cpu.initialSteps = cheetah.initialSteps
    #expect(cpu == cheetah)
    #expect(PEARLConfig.cpu(benchmark: "point-nav-sparse-v1").contextBatchSize == 128)
    #expect(PEARLConfig.preset("fast", benchmark: "point-nav-v1") == nil)
    var bad = PEARLConfig.smoke(benchmark: "point-nav-v1")
    bad.stepsPrior = 0; bad.stepsPosterior = 0
    #expect(throws: TrainingError.self) { try bad.validate() }
}
