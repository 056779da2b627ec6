import ArgumentParser
import Foundation
import MRCore
import MRScoring

/// `mrbench leaderboard build`: regenerates LEADERBOARD.md and index.html from the entries that
/// pass `validate` (complete ones); any other entry is left out and named on standard error.
/// `<directory>/references.json`, if present, adds published figures as marked reference rows.
struct LeaderboardBuildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build", abstract: "Write leaderboard/LEADERBOARD.md and leaderboard/index.html from the entries.")

    @Option(help: "The leaderboard directory (entries/ inside it).") var directory = "leaderboard"
    @OptionGroup var assetOptions: AssetOptions

    func run() throws {
        switch OutputPaths.kind(directory) {
        case .directory: break
        case .missing: throw CommandError("--directory \(directory) does not exist (it should hold entries/<benchmark>/<agent>.json)")
        default: throw CommandError("--directory \(directory) is not a directory")
        }
        guard OutputPaths.kind(directory + "/entries") == .directory else {
            throw CommandError("\(directory)/entries does not exist: no entries to build from (mrbench evaluate writes them)")
        }
        let paths = entryFiles(under: directory + "/entries")
        let checker = try EntryValidator(assets: assetOptions.assets, allowPartial: false)
        var entries: [LeaderboardEntry.Document] = []
        for path in paths {
            let problems = checker.check(path).problems
            if problems.isEmpty { entries.append(try readDocument(path)); continue }
            printError("left out \(path), which does not validate: \(problems.prefix(3).joined(separator: "; "))\(problems.count > 3 ? "; …" : "")")
        }
        // Published figures, shown as marked reference rows (optional file).
        var references: [LeaderboardPages.Reference] = []
        let refPath = directory + "/references.json"
        if FileManager.default.fileExists(atPath: refPath) {
            do { references = try LeaderboardPages.Reference.parse(try readEntry(refPath)) } catch { throw CommandError("\(refPath): \(error)") }
        }
        try OutputPaths.write(Data(LeaderboardPages.markdown(entries, references: references).utf8), to: directory + "/LEADERBOARD.md")
        try OutputPaths.write(Data(LeaderboardPages.html(entries, references: references).utf8), to: directory + "/index.html")
        print("\(directory)/LEADERBOARD.md and \(directory)/index.html: \(entries.count) entries (\(paths.count - entries.count) left out)")
    }
}
