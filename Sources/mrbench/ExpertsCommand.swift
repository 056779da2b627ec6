import ArgumentParser
import Foundation
import MRSuite

/// `mrbench experts`: scripted-expert and random success per task of a benchmark.
struct ExpertsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experts",
        abstract: "Run each task's scripted expert and a random policy on a benchmark's frozen goals and report success.")

    @Argument(help: "Benchmark id (see `mrbench list`).") var benchmark: String
    @Option(help: "Goals per task and split (default: all).") var goals: Int?
    @Option(help: "Root seed of the episodes' resets and the random policy.") var seed: UInt64 = 0
    @Option(help: "Worker threads.") var threads = 2
    @Flag(help: "Print JSON instead of a table.") var json = false
    @OptionGroup var assetOptions: AssetOptions

    func validate() throws {
        if let goals, goals <= 0 { throw ValidationError("--goals must be positive") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be in 1…256") }
    }

    func run() throws {
        let spec = try resolveBenchmarks([benchmark])[0]
        let start = Date()
        let report = try ExpertReport.run(spec, goalsPerTask: goals, seed: seed, threads: threads, assets: assetOptions.assets)
        if json { try printJSON(report); return }
        func pct(_ x: Double?) -> String { x.map { String(format: "%.1f%%", 100 * $0) } ?? "n/a" }
        printTable(["task", "split", "goals", "expert success", "random success", "expert return", "random return"], report.tasks.map {
            [$0.task, $0.split.rawValue, "\($0.goals)", pct($0.expertSuccess), pct($0.randomSuccess),
             String(format: "%.2f", $0.expertReturn), String(format: "%.2f", $0.randomReturn)]
        })
        print(String(format: "(%.1f s, %d threads)", Date().timeIntervalSince(start), threads))
    }
}
