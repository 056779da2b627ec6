import Foundation
import MRCore
import MRNeural

/// A learner that trains on a benchmark's train split, one iteration at a time, and whose whole
/// state is a checkpoint: a run resumed from a checkpoint continues exactly as if never stopped.
public protocol MetaTrainer: AnyObject {
    /// The agent's catalogue name ("rl2").
    var agentName: String { get }
    /// Completed iterations.
    var iteration: Int { get }
    /// Environment steps taken so far (training only; the curve's meta-tests are not counted).
    var environmentSteps: Int { get }
    /// Gradient steps taken so far.
    var gradientSteps: Int { get }
    /// The curve's columns after the common ones, in order.
    var curveColumns: [String] { get }
    /// Runs one iteration (collect, update, and the periodic meta-test); returns its curve values
    /// by column name (a column left out is written empty).
    func iterate(threads: Int) throws -> [String: Double]
    /// The whole training state: parameters, optimiser moments, normalisers, counters, the config.
    /// It holds nothing that depends on time or on the machine, so equal states give equal bytes.
    func checkpoint() -> Checkpoint
    /// Name prefixes of the checkpoint's bulk state (replay buffers): the run folder keeps them in
    /// `replay.mrnc` beside `checkpoint.mrnc`, so the agent file stays small. Empty for most learners.
    var bulkStatePrefixes: [String] { get }
}

extension MetaTrainer {
    public var bulkStatePrefixes: [String] { [] }
}

/// Files of a run folder: `checkpoint.mrnc`, `curve.csv`, `config.json`, `run.json`, and for
/// learners with bulk state (replay buffers) `replay.mrnc`, which is needed only to resume.
public struct RunFolder: Sendable {
    public let path: String
    public init(_ path: String) { self.path = path }
    public var checkpoint: String { path + "/checkpoint.mrnc" }
    public var replay: String { path + "/replay.mrnc" }
    /// The bulk state of a checkpoint being written, renamed over `replay` once the checkpoint is.
    public var replayNext: String { path + "/replay.next.mrnc" }
    public var curve: String { path + "/curve.csv" }
    public var curvePlot: String { path + "/curve.png" }
    public var config: String { path + "/config.json" }
    public var record: String { path + "/run.json" }
}

extension RunFolder {
    /// Writes a trainer's state: the parameters under `bulk` prefixes to `replay.mrnc`, the rest to
    /// `checkpoint.mrnc`. Two files cannot be replaced at once, so the bulk state goes to a second
    /// slot first, then the checkpoint, then the slot is renamed over `replay.mrnc`: a kill at any
    /// point leaves a checkpoint and, in one of the two slots, the bulk state stamped with its iteration.
    public func write(_ full: Checkpoint, bulk prefixes: [String]) throws {
        guard !prefixes.isEmpty else { try full.write(to: checkpoint); return }
        var small = Parameters(), big = Parameters()
        for (name, tensor) in full.parameters {
            if prefixes.contains(where: { name.hasPrefix($0) }) { big.append(name, tensor) } else { small.append(name, tensor) }
        }
        let stamp = ["bulk_of": full.metadata["iteration"] ?? "?", "agent": full.metadata["agent"] ?? "?"]
        try Checkpoint(parameters: big, metadata: stamp).write(to: replayNext)
        var meta = full.metadata
        meta["bulk_state"] = "replay.mrnc"
        try Checkpoint(parameters: small, metadata: meta).write(to: checkpoint)
        guard rename(replayNext, replay) == 0 else {
            throw TrainingError.checkpoint("cannot rename \(replayNext) to \(replay): \(String(cString: strerror(errno)))")
        }
    }

    /// Reads the state written by `write(_:bulk:)`: `checkpoint.mrnc`, merged with `replay.mrnc` when
    /// the checkpoint says its bulk state lives there.
    public func readTrainingState() throws -> Checkpoint {
        var ck = try Checkpoint(contentsOf: checkpoint)
        guard ck.metadata["bulk_state"] == "replay.mrnc" else { return ck }
        let slots = [replay, replayNext].filter { FileManager.default.fileExists(atPath: $0) }
        guard !slots.isEmpty else {
            throw TrainingError.checkpoint("\(replay) is missing: this run keeps its replay buffers there and resumes only "
                + "with them (the file is not committed; resume on the machine that wrote it, or start a new run)")
        }
        var found: Checkpoint?, seen: [String] = []
        for path in slots {
            let b = try Checkpoint(contentsOf: path)
            if b.metadata["bulk_of"] == ck.metadata["iteration"] { found = b; break }
            seen.append(b.metadata["bulk_of"] ?? "?")
        }
        guard let bulk = found else {
            throw TrainingError.checkpoint("\(replay) holds iteration \(seen.joined(separator: " / ")) but \(checkpoint) holds "
                + "iteration \(ck.metadata["iteration"] ?? "?"): the two were not written together")
        }
        ck.parameters = ck.parameters.merging(bulk.parameters)
        return ck
    }
}

/// The learning curve: `curve.csv` with a header row; one row per iteration.
public struct CurveTable: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[Double?]]

    public init(columns: [String], rows: [[Double?]] = []) { self.columns = columns; self.rows = rows }

    /// Parses a curve file; empty cells are nil.
    public init(csv text: String) throws {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        guard !lines.isEmpty else { throw TrainingError.checkpoint("curve.csv is empty") }
        let header = lines.removeFirst().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        columns = header
        rows = try lines.map { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            guard cells.count == header.count else { throw TrainingError.checkpoint("curve.csv row has \(cells.count) cells, header has \(header.count)") }
            return cells.map { $0.isEmpty ? nil : Double($0) }
        }
    }

    public func column(_ name: String) -> [Double?] {
        guard let j = columns.firstIndex(of: name) else { return [] }
        return rows.map { $0[j] }
    }

    static func cell(_ v: Double?) -> String {
        guard let v, v.isFinite else { return "" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(format: "%.6g", v)
    }

    public var csv: String {
        ([columns.joined(separator: ",")] + rows.map { $0.map(Self.cell).joined(separator: ",") }).joined(separator: "\n") + "\n"
    }
}

/// Drives a trainer to a step budget, writing the curve after every iteration and the checkpoint
/// atomically every `checkpointSeconds` (0: every iteration), when the budget is reached, and when
/// asked to stop. Resuming restores the trainer from the checkpoint and drops curve rows written
/// after it, so the finished run is byte-identical to one that was never interrupted.
public struct TrainingLoop {
    public let folder: RunFolder
    public let stepBudget: Int
    public let threads: Int
    public let checkpointSeconds: Double

    public init(folder: RunFolder, stepBudget: Int, threads: Int, checkpointSeconds: Double) {
        self.folder = folder; self.stepBudget = stepBudget; self.threads = threads; self.checkpointSeconds = checkpointSeconds
    }

    public static let commonColumns = ["iteration", "env_steps", "gradient_steps", "wall_seconds"]

    /// What the loop reports after each iteration.
    public struct Progress: Sendable {
        public var iteration: Int
        public var environmentSteps: Int
        public var gradientSteps: Int
        public var stepBudget: Int
        /// Wall seconds of this process (not of earlier sittings).
        public var secondsThisSitting: Double
        public var stepsThisSitting: Int
        public var row: [String: Double]
    }

    public enum Ending: Sendable, Equatable { case budgetReached, stopped }

    /// Runs until the budget is reached or `shouldStop` says so (checked between iterations).
    /// - Parameters:
    ///   - resumedWallSeconds: wall time of earlier sittings (the curve's last row), when resuming.
    ///   - onCheckpoint: after each checkpoint is written, with the curve so far (draw the plot).
    public func run(_ trainer: any MetaTrainer, curve initial: CurveTable, resumedWallSeconds: Double = 0,
                    shouldStop: () -> Bool, onProgress: (Progress) -> Void = { _ in },
                    onCheckpoint: (CurveTable) throws -> Void = { _ in }) throws -> Ending {
        var curve = initial
        let start = Date()
        var lastCheckpoint = Date()
        let startSteps = trainer.environmentSteps
        func save() throws {
            do { try folder.write(trainer.checkpoint(), bulk: trainer.bulkStatePrefixes) } catch let e as TrainingError { throw e } catch { throw TrainingError.checkpoint("\(error)") }
            try onCheckpoint(curve)
            lastCheckpoint = Date()
        }
        while trainer.environmentSteps < stepBudget {
            if shouldStop() { try save(); return .stopped }
            let row = try trainer.iterate(threads: threads)
            let wall = resumedWallSeconds + Date().timeIntervalSince(start)
            let common: [String: Double] = ["iteration": Double(trainer.iteration), "env_steps": Double(trainer.environmentSteps),
                                            "gradient_steps": Double(trainer.gradientSteps), "wall_seconds": (wall * 10).rounded() / 10]
            let values = row.merging(common) { a, _ in a }
            curve.rows.append(curve.columns.map { values[$0] })
            try Self.append(curve, to: folder.curve)
            onProgress(Progress(iteration: trainer.iteration, environmentSteps: trainer.environmentSteps, gradientSteps: trainer.gradientSteps,
                                stepBudget: stepBudget, secondsThisSitting: Date().timeIntervalSince(start),
                                stepsThisSitting: trainer.environmentSteps - startSteps, row: row))
            if trainer.environmentSteps >= stepBudget || checkpointSeconds <= 0 || Date().timeIntervalSince(lastCheckpoint) >= checkpointSeconds {
                try save()
            }
        }
        return shouldStop() ? .stopped : .budgetReached
    }

    /// Writes the header on a new file, else appends the last row.
    static func append(_ curve: CurveTable, to path: String) throws {
        let fm = FileManager.default
        if !fm.fileExists(atPath: path) || curve.rows.count <= 1 {
            try writeAtomically(curve.csv, to: path)
            return
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw TrainingError.checkpoint("cannot append to \(path)") }
        defer { try? h.close() }
        try h.seekToEnd()
        try h.write(contentsOf: Data((curve.rows.last!.map(CurveTable.cell).joined(separator: ",") + "\n").utf8))
    }

    /// The curve of a resumed run: rows up to the checkpoint's iteration, written back to disk.
    public static func resumedCurve(folder: RunFolder, columns: [String], iteration: Int) throws -> CurveTable {
        guard let text = try? String(contentsOfFile: folder.curve, encoding: .utf8) else { return CurveTable(columns: columns) }
        var c = try CurveTable(csv: text)
        guard c.columns == columns else {
            throw TrainingError.checkpoint("\(folder.curve) has columns \(c.columns), this trainer writes \(columns)")
        }
        let it = c.columns.firstIndex(of: "iteration")!
        c.rows = c.rows.filter { ($0[it] ?? .infinity) <= Double(iteration) }
        try writeAtomically(c.csv, to: folder.curve)
        return c
    }
}

/// What the curve's meta-test of RL² and PEARL reports: the score (the benchmark's metric: the
/// evaluation episodes' return or success), the first adaptation episode's return, the evaluation
/// episodes' return and success (nil when the task reports none).
public struct MetaTestSummary: Sendable {
    public var score: Double
    public var firstEpisodeReturn: Double
    public var evaluationReturn: Double
    public var evaluationSuccess: Double?

    init(_ evaluation: EvaluationProtocol, firstEpisodeReturn: Double, evaluationReturn: Double, evaluationSuccess: Double?) {
        score = evaluation.metric == .success ? (evaluationSuccess ?? 0) : evaluationReturn
        self.firstEpisodeReturn = firstEpisodeReturn; self.evaluationReturn = evaluationReturn; self.evaluationSuccess = evaluationSuccess
    }

    /// Writes the curve's meta-test columns into an iteration's row.
    func record(into row: inout [String: Double]) {
        row["metatest_score"] = score
        row["metatest_first_episode_return"] = firstEpisodeReturn
        row["metatest_evaluation_return"] = evaluationReturn
        if let evaluationSuccess { row["metatest_evaluation_success"] = evaluationSuccess }
    }
}

/// The curve's meta-test tasks: every `every`-th train task of each stratum (the last of each
/// group) is held out of training. A split too small for that (no stratum has `every` tasks, as
/// half-cheetah-dir's two directions) holds nothing out: every task trains, and the meta-test runs
/// on the training tasks themselves (on fresh reset seeds). Taking a task away from such a split
/// would take away a whole kind of task: with the two directions, the learner would only ever see one.
func heldOutSplit(_ labels: [String], every: Int) -> (train: [Int], heldOut: [Int]) {
    var seen: [String: Int] = [:], train: [Int] = [], held: [Int] = []
    for (i, l) in labels.enumerated() {
        let k = seen[l, default: 0]; seen[l] = k + 1
        if k % every == every - 1 { held.append(i) } else { train.append(i) }
    }
    if held.isEmpty { return (train, train) }
    return (train, held)
}

/// Writes `text` to a temporary file beside `path` and renames it over `path`.
public func writeAtomically(_ text: String, to path: String) throws {
    let tmp = path + ".tmp-\(getpid())"
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: tmp))
        guard rename(tmp, path) == 0 else { throw TrainingError.checkpoint("cannot rename \(tmp) to \(path): \(String(cString: strerror(errno)))") }
    } catch let e as TrainingError {
        unlink(tmp); throw e
    } catch {
        unlink(tmp); throw TrainingError.checkpoint("cannot write \(path): \(error.localizedDescription)")
    }
}
