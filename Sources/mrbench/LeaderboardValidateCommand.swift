import ArgumentParser
import Foundation
import MRCore
import MRScoring
import MRSuite

/// `mrbench leaderboard validate`: each entry against the schema (built in), the registry (its
/// benchmark digest, task list and protocol must match the current definition; a mismatch is
/// reported, never accepted) and its own numbers (`EntryCheck`: every aggregate recomputed).
struct LeaderboardValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check entries against the JSON Schema, the registry's current benchmarks and their own per-seed and per-trial figures.")

    @Argument(help: "Entry files (default: every entry under --entries).") var files: [String] = []
    @Option(help: "The entries directory.") var entries = "leaderboard/entries"
    @Flag(help: "Accept incomplete entries (shards, partial results).") var allowPartial = false
    @OptionGroup var assetOptions: AssetOptions

    func run() throws {
        let paths = files.isEmpty ? entryFiles(under: entries) : files
        guard !paths.isEmpty else { throw ValidationError("no entries found under \(entries)") }
        let checker = try EntryValidator(assets: assetOptions.assets, allowPartial: allowPartial)
        var failed = 0
        for path in paths {
            let r = checker.check(path)
            if r.problems.isEmpty { print("ok    \(path)") } else {
                failed += 1
                print("FAIL  \(path)")
                for p in r.problems { print("      \(p)") }
            }
            for n in r.notes { print("      note: \(n)") }
        }
        print("\(paths.count - failed) of \(paths.count) entries valid")
        if failed > 0 { throw ExitCode(1) }
    }
}

/// The checks of `validate`, shared with `build` (which publishes only entries that pass them).
final class EntryValidator {
    let schema: SchemaValidator
    let assets: String?
    let allowPartial: Bool
    private var facts: [String: (digest: String, facts: BenchmarkFacts)] = [:]

    init(assets: String?, allowPartial: Bool) throws {
        schema = try SchemaValidator.entry(); self.assets = assets; self.allowPartial = allowPartial
    }

    /// The folder an entry is filed in, when it sits in an entries tree (`…/entries/<benchmark>/<agent>.json`).
    static func folder(of path: String) -> String? {
        let parent = (path as NSString).deletingLastPathComponent
        guard ((parent as NSString).deletingLastPathComponent as NSString).lastPathComponent == "entries" else { return nil }
        return (parent as NSString).lastPathComponent
    }

    func check(_ path: String) -> EntryCheck.Report {
        var r = EntryCheck.Report()
        let entry: JSONValue
        do { entry = try readEntry(path) } catch { r.problems.append("\(error)"); return r }
        r.problems = schema.problems(entry)
        guard r.problems.isEmpty else { return r }
        let doc: LeaderboardEntry.Document
        do { doc = try LeaderboardEntry.Document(json: entry) } catch { r.problems.append("not an entry of formats 1 to 3: \(error)"); return r }
        let id = doc.head.benchmark.id
        var benchmark: BenchmarkFacts?
        do {
            if facts[id] == nil, let spec = try? Registry.benchmark(id) {
                facts[id] = (try spec.digest(assets: assets),
                             BenchmarkFacts(id: id, tasks: try spec.taskSet(assets: assets).test.map(\.stratum), evaluation: spec.evaluation))
            }
        } catch { r.problems.append("benchmark \(id): \(error)") }
        if let (digest, f) = facts[id] {
            benchmark = f
            let d = doc.head.benchmark.digest
            if d != digest {
                r.problems.append("benchmark.digest: \(d.prefix(16))… does not match the current definition of \(id) (\(digest.prefix(16))…): the entry ran on another version of its models, task set or protocol")
            }
        } else if r.problems.isEmpty {
            r.problems.append("benchmark.id: '\(id)' is not registered")
        }
        let numbers = EntryCheck.check(doc, json: entry, benchmark: benchmark, folder: Self.folder(of: path))
        r.problems += numbers.problems
        r.notes += numbers.notes
        if doc.head.benchmark.goals != nil {
            // A hidden-goal entry: the run record beside it reveals the seed the entry commits to.
            let record = String(path.dropLast(path.hasSuffix(".json") ? 5 : 0)) + ".run.json"
            if let seed = (try? readEntry(record))?["hiddenGoalSeed"]?.stringValue.flatMap({ UInt64($0) }) {
                r.problems += EntryCheck.revealProblems(doc.head, seed: seed)
            } else {
                r.notes.append("benchmark.goals: hidden goals, not yet revealed (no run record with the seed beside the entry)")
            }
        }
        if !doc.complete && !allowPartial {
            r.problems.append("complete: incomplete entry (\(doc.trialsCompleted) of \(doc.trialsTotal) trials); merge shards first")
        }
        return r
    }
}
