import ArgumentParser
import Foundation
import MRAgents
import MRCore
import MRNeural
import MRRender
import MRScoring
import MRSuite
#if canImport(Glibc)
import Glibc
#endif

/// `mrbench train`: meta-train a baseline on a benchmark's train split (AGENTS.md).
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Meta-train a baseline on a benchmark's train split; writes checkpoint, curve and config to --out.",
        discussion: """
        Only the train split is used; a slice of it is held out for the curve's periodic meta-test. \
        Environments step in parallel over --threads, the policy's forward pass is batched over them. \
        The checkpoint is written atomically every --checkpoint-seconds, at the end and on Ctrl-C \
        (the run stops after the current iteration; a second Ctrl-C exits at once). \
        `--resume` continues a run from its checkpoint and ends byte-identical to an uninterrupted run \
        with the same seed and thread count. Score it with `mrbench evaluate --agent rl2:DIR/checkpoint.mrnc` (or maml:…, pearl:…, gargaml:…, sac-her:…). \
        The presets of maml and pearl depend on the benchmark (maml: its family; pearl: oyster's point-robot, sparse-point-robot or cheetah-vel config). \
        gargaml and sac-her also train on a goal-conditioned environment id (fetch-reach-v1…) as one task with a fresh goal every episode.
        """)

    @Option(help: "The agent to train (see `mrbench list`).") var agent: String
    @Option(help: "Benchmark id (see `mrbench list`).") var benchmark: String
    @Option(help: "Configuration preset: smoke (seconds, tests), cpu (shipped runs on 2 cores) or paper (the published settings).")
    var preset: String?
    @Option(help: "A JSON file whose keys replace the preset's (unknown keys are an error).") var config: String?
    @Option(help: "Environment-step budget: training stops at the first iteration that reaches it.") var steps: Int
    @Option(help: "Worker threads for stepping environments (and for BLAS in updates).") var threads = 2
    @Option(help: "Root seed of the run (initialisation, task sampling, resets, actions).") var seed: UInt64 = 1
    @Option(help: "Run folder (checkpoint.mrnc, curve.csv, curve.png, config.json, run.json).") var out: String
    @Option(help: "Seconds between checkpoints (0: after every iteration).") var checkpointSeconds = 300.0
    @Flag(help: "Continue the run in --out from its checkpoint.") var resume = false
    @OptionGroup var assetOptions: AssetOptions

    func validate() throws {
        guard steps >= 1 else { throw ValidationError("--steps must be positive") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be in 1…64") }
        guard checkpointSeconds >= 0 else { throw ValidationError("--checkpoint-seconds must be ≥ 0") }
        guard !out.isEmpty else { throw ValidationError("--out must name a folder") }
        guard AgentCatalogue.trainable.contains(agent) else {
            throw ValidationError("'\(agent)' cannot be trained; trainable agents: \(AgentCatalogue.trainable.joined(separator: ", "))")
        }
        if resume, preset != nil || config != nil {
            throw ValidationError("--resume continues with the run's own configuration; drop --preset and --config")
        }
    }

    func run() throws {
        let folder = RunFolder(out)
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: out, isDirectory: &isDir), !isDir.boolValue { throw ValidationError("--out \(out) is a file, not a folder") }
        let tasks: TrainingTasks
        let label: String
        if let spec = try? Registry.benchmark(benchmark) {
            tasks = try spec.trainingTasks(assets: assetOptions.assets)
            label = spec.id
        } else if let env = try? Registry.environment(benchmark), GoalLearnerVariant(rawValue: agent) != nil {
            // A goal-conditioned environment as one task with fresh goals (single-task SAC+HER).
            do { tasks = try env.singleTaskTraining(assets: assetOptions.assets) } catch { throw ValidationError("\(error)") }
            label = env.id
        } else if (try? Registry.environment(benchmark)) != nil {
            throw ValidationError("\(benchmark) is an environment, not a benchmark; only gargaml and sac-her train on a goal-conditioned environment (as one task with fresh goals)")
        } else {
            _ = try resolveBenchmarks([benchmark])  // throws the unknown-benchmark message with the known ids
            throw ValidationError("unknown benchmark '\(benchmark)'")
        }

        let trainer: any MetaTrainer
        var curve: CurveTable
        var earlierWall = 0.0
        if resume {
            guard fm.fileExists(atPath: folder.checkpoint) else { throw ValidationError("--resume: no checkpoint at \(folder.checkpoint)") }
            let ck: Checkpoint
            do { ck = try folder.readTrainingState() } catch { throw ValidationError("\(error)") }
            guard ck.metadata["agent"] == agent else { throw ValidationError("\(folder.checkpoint) is a run of \(ck.metadata["agent"] ?? "?"), not \(agent)") }
            guard ck.metadata["seed"] == String(seed) else {
                throw ValidationError("\(folder.checkpoint) was trained with --seed \(ck.metadata["seed"] ?? "?"); resume with the same seed")
            }
            trainer = try AgentCatalogue.resume(agent: agent, tasks: tasks, checkpoint: ck)
            curve = try TrainingLoop.resumedCurve(folder: folder, columns: TrainingLoop.commonColumns + trainer.curveColumns, iteration: trainer.iteration)
            earlierWall = curve.column("wall_seconds").compactMap { $0 }.last ?? 0
            printError("resuming \(out): iteration \(trainer.iteration), \(trainer.environmentSteps) environment steps")
        } else {
            if fm.fileExists(atPath: folder.checkpoint) {
                throw ValidationError("\(out) already holds a run (\(folder.checkpoint)); continue it with --resume or choose another --out")
            }
            let overlay: Data?
            if let config {
                guard let d = fm.contents(atPath: config) else { throw ValidationError("cannot read --config \(config)") }
                overlay = d
            } else { overlay = nil }
            do { try fm.createDirectory(atPath: out, withIntermediateDirectories: true) } catch {
                throw ValidationError("cannot create --out \(out): \(error.localizedDescription)")
            }
            trainer = try AgentCatalogue.trainer(agent: agent, tasks: tasks, preset: preset ?? "cpu", configFile: overlay, seed: seed)
            curve = CurveTable(columns: TrainingLoop.commonColumns + trainer.curveColumns)
            try? fm.removeItem(atPath: folder.curve)
            try writeAtomically(String(decoding: try AgentCatalogue.configJSON(trainer), as: UTF8.self) + "\n", to: folder.config)
        }

        let loop = TrainingLoop(folder: folder, stepBudget: steps, threads: threads, checkpointSeconds: checkpointSeconds)
        let display = TrainProgressDisplay(label: "\(label) / \(agent)")
        // Ctrl-C: stop at the end of the iteration with a checkpoint (a second one exits at once).
        installInterruptHandler()
        defer { removeInterruptHandler() }
        let started = Date()
        let startSteps = trainer.environmentSteps
        let ending = try loop.run(trainer, curve: curve, resumedWallSeconds: earlierWall,
                                  shouldStop: { interruptRequested != 0 },
                                  onProgress: display.update,
                                  onCheckpoint: { c in
                                      try CurvePlot.write(c, title: "\(agent) on \(label)", to: folder.curvePlot)
                                      try TrainRunRecord.write(folder: folder, agent: agent, benchmark: label, seed: seed, threads: threads,
                                                               trainer: trainer, curve: c, budget: steps)
                                  })
        display.finish()
        let wall = Date().timeIntervalSince(started)
        let rate = wall > 0 ? Double(trainer.environmentSteps - startSteps) / wall : 0
        print("\(ending == .stopped ? "stopped" : "finished"): iteration \(trainer.iteration), \(trainer.environmentSteps) environment steps, \(trainer.gradientSteps) gradient steps, \(Int(rate.rounded())) env steps/s this sitting")
        print("checkpoint \(folder.checkpoint)")
        if ending == .stopped { throw ExitCode(130) }
    }
}

/// `run.json` (`TrainingRunRecord`): this sitting's facts, with the earlier sittings read back from the folder.
enum TrainRunRecord {
    static func write(folder: RunFolder, agent: String, benchmark: String, seed: UInt64, threads: Int, trainer: any MetaTrainer,
                      curve: CurveTable, budget: Int) throws {
        let sittings = TrainingRunRecord.sittings(folder.readRecord()?.sittings ?? [], adding: CommandLine.arguments.joined(separator: " "))
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) } ?? "unknown"
        try folder.writeRecord(TrainingRunRecord(
            agent: agent, benchmark: benchmark, seed: seed, threads: threads, stepBudget: budget, iteration: trainer.iteration,
            environmentSteps: trainer.environmentSteps, gradientSteps: trainer.gradientSteps,
            wallSeconds: curve.column("wall_seconds").compactMap { $0 }.last ?? 0, processor: cpu,
            cores: ProcessInfo.processInfo.activeProcessorCount, blasCore: BLAS.coreName, mrbenchVersion: MRBenchInfo.version,
            revision: SourceRevision.current, sittings: sittings))
    }
}

/// The training progress line: redrawn in place on a terminal, one line per iteration otherwise.
final class TrainProgressDisplay {
    let label: String
    let tty = isatty(2) == 1
    init(label: String) { self.label = label }

    func update(_ p: TrainingLoop.Progress) {
        let rate = p.secondsThisSitting > 0 ? Double(p.stepsThisSitting) / p.secondsThisSitting : 0
        let left = rate > 0 ? Double(max(0, p.stepBudget - p.environmentSteps)) / rate : 0
        func f(_ k: String) -> String { p.row[k].map { String(format: "%.3f", $0) } ?? "–" }
        var line = "\(label): it \(p.iteration), \(p.environmentSteps)/\(p.stepBudget) steps, \(Int(rate.rounded())) steps/s, "
            + (p.row["train_post_return"] != nil ? "train return pre \(f("train_pre_return")) post \(f("train_post_return"))"
               : p.row["train_prior_return"] != nil ? "train return prior z \(f("train_prior_return")) posterior z \(f("train_posterior_return"))"
               : "train return \(f("train_return"))")
        if p.row["train_success"] != nil { line += ", success \(f("train_success"))" }
        if p.row["metatest_score"] != nil { line += ", meta-test \(f("metatest_score"))" }
        line += ", \(ProgressDisplay.clock(left)) left"
        FileHandle.standardError.write(Data(((tty ? "\r\u{1B}[K" : "") + line + (tty ? "" : "\n")).utf8))
    }

    func finish() { if tty { FileHandle.standardError.write(Data("\n".utf8)) } }
}

/// `curve.png`: the learning curve drawn with MRRender, against environment steps: the training
/// batch's mean episode return, and the meta-test's first-episode and evaluation-episode returns
/// (adaptation shows as the gap between them); success rates in a second panel when the task has them.
enum CurvePlot {
    static func write(_ curve: CurveTable, title: String, to path: String) throws {
        let x = curve.column("env_steps")
        func series(_ column: String, _ name: String) -> PlotSeries? {
            let pts = zip(x, curve.column(column)).compactMap { a, b -> (x: Double, y: Double)? in
                guard let a, let b else { return nil }
                return (a, b)
            }
            return pts.isEmpty ? nil : PlotSeries(name: name, points: pts)
        }
        let returns = [series("train_return", "train return (batch)"),
                       series("train_pre_return", "train return, pre-update (batch)"),
                       series("train_post_return", "train return, post-update (batch)"),
                       series("train_prior_return", "train return, z from the prior (batch)"),
                       series("train_posterior_return", "train return, z from the posterior (batch)"),
                       series("metatest_first_episode_return", "meta-test: first episode"),
                       series("metatest_evaluation_return", "meta-test: evaluation episodes")].compactMap { $0 }
        let successes = [series("train_success", "train success (batch)"),
                         series("train_pre_success", "train success, pre-update (batch)"),
                         series("train_post_success", "train success, post-update (batch)"),
                         series("metatest_evaluation_success", "meta-test: evaluation success")].compactMap { $0 }
        var panels = [LinePlot(title: title, xLabel: "environment steps", yLabel: "episode return", series: returns)]
        if !successes.isEmpty { panels.append(LinePlot(title: title, xLabel: "environment steps", yLabel: "success rate", series: successes)) }
        let images = try panels.map { try $0.render() }
        let w = images[0].width, h = images.reduce(0) { $0 + $1.height }
        var sheet = try Image(width: w, height: h, fill: .white)
        var y = 0
        for im in images { sheet.draw(im, x: 0, y: y); y += im.height }
        let tmp = path + ".tmp-\(getpid())"
        try PNG.write(sheet, to: tmp)
        guard rename(tmp, path) == 0 else { unlink(tmp); throw ValidationError("cannot write \(path)") }
    }
}
