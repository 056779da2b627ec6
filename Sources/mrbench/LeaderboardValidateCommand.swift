import ArgumentParser
import Foundation
import MRCore
import MRScoring
import MRSuite

/// `mrbench leaderboard validate`: each entry against the schema (built in) and the registry (its
/// benchmark digest must match the current definition; a mismatch is reported, never accepted).
struct LeaderboardValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate", abstract: "Check entries against the JSON Schema and the registry's current benchmark digests.")

    @Argument(help: "Entry files (default: every entry under --entries).") var files: [String] = []
    @Option(help: "The entries directory.") var entries = "leaderboard/entries"
    @Flag(help: "Accept incomplete entries (shards, partial results).") var allowPartial = false
    @OptionGroup var assetOptions: AssetOptions

    func run() throws {
        let paths = files.isEmpty ? entryFiles(under: entries) : files
        guard !paths.isEmpty else { throw ValidationError("no entries found under \(entries)") }
        let validator = try SchemaValidator.entry()
        var failed = 0
        var digests: [String: String] = [:]
        for path in paths {
            var problems: [String] = []
            do {
                let entry = try readEntry(path)
                problems = validator.problems(entry)
                if problems.isEmpty {
                    let id = entry["benchmark"]?["id"]?.stringValue ?? ""
                    if let spec = try? Registry.benchmark(id) {
                        if digests[id] == nil { digests[id] = try spec.digest(assets: assetOptions.assets) }
                        let d = entry["benchmark"]?["digest"]?.stringValue ?? ""
                        if d != digests[id] {
                            problems.append("benchmark digest \(d.prefix(16))… does not match the current definition of \(id) (\(digests[id]!.prefix(16))…): the entry ran on another version of its models, task set or protocol")
                        }
                        let e = spec.evaluation, p = entry["protocol"]
                        if p?["adaptationEpisodes"]?.intValue != e.adaptationEpisodes || p?["evaluationEpisodes"]?.intValue != e.evaluationEpisodes
                            || p?["horizon"]?.intValue != e.horizon || entry["benchmark"]?["metric"]?.stringValue != e.metric.rawValue {
                            problems.append("protocol differs from the benchmark's (K \(e.adaptationEpisodes), E \(e.evaluationEpisodes), horizon \(e.horizon), metric \(e.metric.rawValue))")
                        }
                    } else {
                        problems.append("benchmark '\(id)' is not registered")
                    }
                    if entry["complete"]?.boolValue != true && !allowPartial {
                        problems.append("incomplete entry (\(entry["trialsCompleted"]?.intValue ?? 0) of \(entry["trialsTotal"]?.intValue ?? 0) trials); merge shards first")
                    }
                    if let got = entry["trialsCompleted"]?.intValue, let want = entry["trialsTotal"]?.intValue,
                       entry["complete"]?.boolValue == true, got != want {
                        problems.append("complete entry with \(got) of \(want) trials")
                    }
                }
            } catch { problems.append("\(error)") }
            if problems.isEmpty { print("ok    \(path)") } else {
                failed += 1
                print("FAIL  \(path)")
                for p in problems { print("      \(p)") }
            }
        }
        print("\(paths.count - failed) of \(paths.count) entries valid")
        if failed > 0 { throw ExitCode(1) }
    }
}
