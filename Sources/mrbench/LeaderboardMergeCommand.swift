import ArgumentParser
import Foundation
import MRCore
import MRScoring

/// `mrbench leaderboard merge`: the shard entries of one evaluation → the full entry (identical to
/// an unsharded run's). Shards must share the benchmark digest, agent and protocol.
struct LeaderboardMergeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge", abstract: "Merge the shard entries (--shard K/N) of one evaluation into its entry.")

    @Argument(help: "Shard entry files.") var shards: [String]
    @Option(help: "The merged entry's path.") var output: String

    func run() throws {
        guard !shards.isEmpty else { throw ValidationError("give the shard files") }
        try OutputPaths.prepareEntryOutput(output)
        let merged: LeaderboardEntry.Document
        do { merged = try LeaderboardEntry.merge(try shards.map(readDocument)) } catch let e as EvaluationError { throw ValidationError(e.description) }
        try OutputPaths.write(Data(try merged.text().utf8), to: output)
        print("merged \(shards.count) shards (\(merged.trialsCompleted) trials) into \(output)")
    }
}
