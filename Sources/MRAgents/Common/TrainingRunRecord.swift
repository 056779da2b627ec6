import Foundation
import MRCore

/// `run.json`: the facts of a run folder (what RUN.md quotes): what was trained and how far, on
/// what machine and source tree, and every command line that worked on the run. One type is the
/// schema, the writer (`RunFolder.writeRecord`) and the reader (`RunFolder.readRecord`, which a
/// resumed run uses to carry the earlier sittings on). Written through `JSONCoding` (sorted keys,
/// pretty, a final newline).
public struct TrainingRunRecord: Codable, Sendable, Equatable {
    public var agent: String
    /// The benchmark id, or the environment id of a single-task goal-conditioned run.
    public var benchmark: String
    /// The root seed, as decimal text (a `UInt64` may exceed what a JSON number holds exactly).
    public var seed: String
    public var threads: Int
    /// `--steps` of the sitting that wrote the record.
    public var stepBudget: Int
    public var iteration: Int
    public var environmentSteps: Int
    public var gradientSteps: Int
    /// Wall time of all sittings (the curve's last `wall_seconds`).
    public var wallSeconds: Double
    /// The processor's model name (`/proc/cpuinfo`), or "unknown".
    public var processor: String
    public var cores: Int
    /// OpenBLAS's core type.
    public var blasCore: String
    public var mrbenchVersion: String
    /// The source tree's revision (`SourceRevision.current`).
    public var revision: String
    /// Every command line that worked on the run, in order (a line repeated back to back once).
    public var sittings: [String]

    public init(agent: String, benchmark: String, seed: UInt64, threads: Int, stepBudget: Int, iteration: Int,
                environmentSteps: Int, gradientSteps: Int, wallSeconds: Double, processor: String, cores: Int,
                blasCore: String, mrbenchVersion: String, revision: String, sittings: [String]) {
        self.agent = agent; self.benchmark = benchmark; self.seed = String(seed); self.threads = threads
        self.stepBudget = stepBudget; self.iteration = iteration; self.environmentSteps = environmentSteps
        self.gradientSteps = gradientSteps; self.wallSeconds = wallSeconds; self.processor = processor; self.cores = cores
        self.blasCore = blasCore; self.mrbenchVersion = mrbenchVersion; self.revision = revision; self.sittings = sittings
    }

    /// `sittings` with `line` appended unless it is already the last one.
    public static func sittings(_ earlier: [String], adding line: String) -> [String] {
        earlier.last == line ? earlier : earlier + [line]
    }

    /// The text of `run.json`.
    public func text() throws -> String { try JSONCoding.text(self, pretty: true) + "\n" }
}

extension RunFolder {
    /// The run's record, nil when there is none (a new run) or it does not decode.
    public func readRecord() -> TrainingRunRecord? {
        guard let d = FileManager.default.contents(atPath: record) else { return nil }
        return try? JSONCoding.decode(TrainingRunRecord.self, from: d)
    }

    /// Writes `run.json` atomically.
    public func writeRecord(_ r: TrainingRunRecord) throws {
        try writeAtomically(try r.text(), to: record)
    }
}
