import ArgumentParser
import Foundation
import MRCore
import MRScoring
import MRSuite

/// `mrbench leaderboard`: validate, build and merge leaderboard entries.
struct LeaderboardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leaderboard",
        abstract: "Validate leaderboard entries, build LEADERBOARD.md and index.html, merge shards, verify entries by re-running trials.",
        subcommands: [LeaderboardValidateCommand.self, LeaderboardBuildCommand.self, LeaderboardMergeCommand.self, LeaderboardVerifyCommand.self])
}

/// Reads and parses an entry file.
func readEntry(_ path: String) throws -> JSONValue {
    guard let d = FileManager.default.contents(atPath: path) else { throw ValidationError("\(path): cannot read") }
    do { return try JSONText.parse([UInt8](d)) } catch { throw ValidationError("\(path): not JSON: \(error)") }
}

/// Reads an entry file as a typed entry.
func readDocument(_ path: String) throws -> LeaderboardEntry.Document {
    let v = try readEntry(path)
    do { return try LeaderboardEntry.Document(json: v) } catch { throw ValidationError("\(path): not an entry of formats 1 to 3: \(error)") }
}

/// The entry files under a directory (`<benchmark>/<agent>.json`, without run records, partial
/// results and shards).
func entryFiles(under dir: String) -> [String] {
    guard let e = FileManager.default.enumerator(atPath: dir) else { return [] }
    return e.compactMap { $0 as? String }.filter {
        $0.hasSuffix(".json") && !$0.hasSuffix(".run.json") && !$0.hasSuffix(".partial.json") && !$0.contains(".shard-")
    }.sorted().map { dir + "/" + $0 }
}
