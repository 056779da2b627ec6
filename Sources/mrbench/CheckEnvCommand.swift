import ArgumentParser
import MRSuite

/// `mrbench check-env`: the conformance checker on registered environments.
struct CheckEnvCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-env",
        abstract: "Check environments against mrbench's contract (spaces, determinism, snapshots, finiteness, horizon, bad actions).")

    @OptionGroup var selection: EnvironmentSelection

    @Option(help: "Random steps for the long finiteness check.")
    var steps = 10_000

    @Option(help: "Seed of the check's resets and actions.")
    var seed: UInt64 = 0

    func validate() throws {
        guard steps > 0 else { throw ValidationError("--steps must be positive") }
    }

    struct Output: Encodable { let results: [ConformanceReport] }

    func run() throws {
        let specs = try selection.specs()
        var reports: [ConformanceReport] = []
        for spec in specs {
            let r = Conformance.check(spec, steps: steps, seed: seed, assets: selection.assetOptions.assets)
            reports.append(r)
            if !selection.json {
                print("\(r.passed ? "PASS" : "FAIL")  \(r.id)  (\(r.steps) random steps, max speed \(Conformance.fmt(r.maxSpeed)) m/s, max |obs| \(Conformance.fmt(r.maxAbsObservation)))")
                for c in r.checks { print("  \(c.passed ? "ok  " : "FAIL") \(c.name): \(c.detail)") }
            }
        }
        if selection.json { try printJSON(Output(results: reports)) }
        if reports.contains(where: { !$0.passed }) { throw ExitCode(1) }
    }
}
