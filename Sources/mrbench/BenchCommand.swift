import ArgumentParser
import Foundation
import MRSuite

/// `mrbench bench`: environment throughput, for side-by-side comparison with the anchors.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure environment steps per second (random actions, resets included) and raw physics time per substep.",
        discussion: "Use a release build (swift build -c release) and record OPENBLAS_CORETYPE; compare with shared/tools/anchors/run.sh on the same machine.")

    @OptionGroup var selection: EnvironmentSelection

    @Option(help: "Control steps per thread.")
    var steps = 20_000

    @Option(help: "Threads, each stepping its own environment instance.")
    var threads = 1

    @Flag(help: "Time only the raw ODE substeps the environment runs.")
    var physicsOnly = false

    func validate() throws {
        guard steps > 0 else { throw ValidationError("--steps must be positive") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be between 1 and 256") }
    }

    /// `openblasCoretype` is always present: the variable's value, or null when it is unset.
    struct Output: Encodable {
        let results: [ThroughputResult]
        let openblasCoretype: String?
        enum CodingKeys: String, CodingKey { case results, openblasCoretype }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(results, forKey: .results)
            try c.encode(openblasCoretype, forKey: .openblasCoretype)
        }
    }

    func run() throws {
        let specs = try selection.specs()
        let results = try specs.map { try Throughput.run($0, steps: steps, threads: threads, physicsOnly: physicsOnly, assets: selection.assetOptions.assets) }
        let coretype = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
        if selection.json { try printJSON(Output(results: results, openblasCoretype: coretype)); return }
        printTable(["id", "threads", "steps", "steps/s", "physics µs/substep"], results.map {
            [$0.id, "\($0.threads)", "\($0.steps)", String(format: "%.0f", $0.stepsPerSecond), $0.physicsMicrosecondsPerSubstep.map { String(format: "%.2f", $0) } ?? "-"]
        })
        if physicsOnly { print("(--physics-only: steps/s is the rate the raw ODE substeps alone allow)") }
    }
}
