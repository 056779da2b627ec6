import ArgumentParser
import Foundation
import MRCore
import MRScoring

/// `mrbench leaderboard build`: regenerates LEADERBOARD.md and index.html from the entries.
struct LeaderboardBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Write leaderboard/LEADERBOARD.md and leaderboard/index.html from the entries.")

    @Option(help: "The leaderboard directory (entries/ inside it).") var directory = "leaderboard"

    func run() throws {
        let paths = entryFiles(under: directory + "/entries")
        let entries = try paths.map(readEntry).filter { $0["complete"]?.boolValue == true }
        try Data(LeaderboardPages.markdown(entries).utf8).write(to: URL(fileURLWithPath: directory + "/LEADERBOARD.md"))
        try Data(LeaderboardPages.html(entries).utf8).write(to: URL(fileURLWithPath: directory + "/index.html"))
        print("\(directory)/LEADERBOARD.md and \(directory)/index.html: \(entries.count) entries")
    }
}
