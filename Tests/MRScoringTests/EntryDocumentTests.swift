import Foundation
import MRCore
@testable import MRScoring
import Testing

/// The typed entry (`LeaderboardEntry.Document`) is the schema, the writer and the reader at once:
/// every committed entry (formats 1 and 3) reads into it and writes back byte for byte.
@Suite("Typed leaderboard entry")
struct EntryDocumentTests {
    /// The package's `leaderboard/entries`.
    static let entries = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path + "/leaderboard/entries"

    @Test func committedEntriesReadAndWriteBackByteForByte() throws {
        let files = (FileManager.default.enumerator(atPath: Self.entries)?.compactMap { $0 as? String } ?? [])
            .filter { $0.hasSuffix(".json") && !$0.hasSuffix(".run.json") }.sorted()
        #expect(files.count >= 50, "\(files.count) entries under \(Self.entries)")
        var versions = Set<Int>()
        for f in files {
            let text = try String(contentsOfFile: Self.entries + "/" + f, encoding: .utf8)
            let doc = try LeaderboardEntry.Document(json: JSONText.parse(text))
            versions.insert(doc.head.schema.version)
            #expect(try doc.text() == text, "\(f)")
        }
        #expect(versions.contains(1) && versions.contains(3), "\(versions)")
    }

    @Test func partialAndShardEntriesRoundTrip() throws {
        let runner = try lineRunner(seeds: 2)
        let h = header(runner.plan)
        let docs = [
            try LeaderboardEntry.make(head: h, records: runner.run(indices: Array(0..<5), threads: 1).records, error: "stopped"),
            try LeaderboardEntry.make(head: h, records: [], error: "stopped"),
            try LeaderboardEntry.make(head: h, records: runner.run(indices: [0, 2, 4, 6, 8, 10], threads: 1).records, shard: Shard(index: 1, count: 2)),
        ]
        for doc in docs {
            let text = try doc.text()
            let back = try LeaderboardEntry.Document(json: JSONText.parse(text))
            #expect(back == doc)
            #expect(try back.text() == text)
            #expect(try SchemaValidator.entry().problems(JSONText.parse(text)).filter { !$0.contains("overall") } == [])
        }
        // No trial completed: `results.overall` is an empty object; nullable members are written null.
        let empty = try docs[1].json()
        #expect(empty["results"]?["overall"] == .object([:]))
        #expect(empty["agent"]?["checkpointDigest"] == .null && empty["agent"]?["trainingSeed"] == .null)
        #expect(empty["agent"]?["sandbox"] == nil && empty["benchmark"]?["goals"] == nil)
        #expect(empty["trials"] == .array([]) && empty["error"] == .string("stopped") && empty["shard"] == nil)
    }
}
