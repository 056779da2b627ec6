import Foundation
import MRCore
import Testing
import _MRTestSupport
@testable import MRAgents

/// The committed run folders under Baselines/ that hold a file `name`, relative to the package root, sorted.
func committedRunFolders(holding name: String) -> [String] {
    let files = FileManager.default.enumerator(atPath: TestSupport.packageRoot + "/Baselines")?.compactMap { $0 as? String } ?? []
    return files.filter { $0.hasSuffix("/" + name) }.map { "Baselines/" + $0.dropLast(name.count + 1) }.sorted()
}

/// `run.json` of a training run folder: one type writes it and reads it back.
@Suite("Training run record (run.json)")
struct TrainingRunRecordTests {
    /// The committed run folders' `run.json` files, relative to the package root.
    static let committed = committedRunFolders(holding: "run.json").map { $0 + "/run.json" }

    @Test func theBaselinesHoldRunRecords() {
        #expect(Self.committed.count >= 20, "found \(Self.committed)")
    }

    /// Every committed `run.json` is read as a resumed run reads it (`RunFolder.readRecord`), and
    /// the writer gives back the file's exact bytes.
    @Test(arguments: committed)
    func everyCommittedRecordReadsAndWritesBackByteIdentical(path: String) throws {
        let file = TestSupport.packageRoot + "/" + path
        let folder = RunFolder(String(file.dropLast("/run.json".count)))
        let record = try #require(folder.readRecord(), "\(path) does not decode")
        #expect(!record.sittings.isEmpty)
        #expect(UInt64(record.seed) != nil)
        let bytes = try #require(FileManager.default.contents(atPath: file))
        #expect(try record.text() == String(decoding: bytes, as: UTF8.self))
    }

    /// A record written to a folder reads back equal, with the layout every `run.json` has; a
    /// sitting's line is added once, and not again when the same command line writes again.
    @Test func aWrittenRecordReadsBack() throws {
        let dir = NSTemporaryDirectory() + "mrbench-run-record-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let folder = RunFolder(dir)
        #expect(folder.readRecord() == nil)
        var r = TrainingRunRecord(agent: "pearl", benchmark: "point-nav-v1", seed: UInt64.max, threads: 2, stepBudget: 20_000_000,
                                  iteration: 3, environmentSteps: 23_010_000, gradientSteps: 300, wallSeconds: 13545,
                                  processor: "AMD EPYC", cores: 2, blasCore: "Zen", mrbenchVersion: "0.1.0", revision: "abc/def",
                                  sittings: TrainingRunRecord.sittings([], adding: "mrbench train --steps 1"))
        try folder.writeRecord(r)
        #expect(folder.readRecord() == r)
        let bytes = try #require(FileManager.default.contents(atPath: folder.record))
        #expect(String(decoding: bytes, as: UTF8.self) == """
            {
              "agent" : "pearl",
              "benchmark" : "point-nav-v1",
              "blasCore" : "Zen",
              "cores" : 2,
              "environmentSteps" : 23010000,
              "gradientSteps" : 300,
              "iteration" : 3,
              "mrbenchVersion" : "0.1.0",
              "processor" : "AMD EPYC",
              "revision" : "abc/def",
              "seed" : "18446744073709551615",
              "sittings" : [
                "mrbench train --steps 1"
              ],
              "stepBudget" : 20000000,
              "threads" : 2,
              "wallSeconds" : 13545
            }

            """)
        r.wallSeconds = 132.5
        r.sittings = TrainingRunRecord.sittings(r.sittings, adding: "mrbench train --steps 1")
        #expect(r.sittings == ["mrbench train --steps 1"])
        r.sittings = TrainingRunRecord.sittings(r.sittings, adding: "mrbench train --steps 2 --resume")
        try folder.writeRecord(r)
        #expect(folder.readRecord() == r)
        #expect(folder.readRecord()?.sittings == ["mrbench train --steps 1", "mrbench train --steps 2 --resume"])
        #expect(folder.readRecord()?.wallSeconds == 132.5)
    }
}
