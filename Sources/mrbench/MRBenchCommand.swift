import ArgumentParser
import MRCore
import MRSuite

/// `mrbench`: the meta-RL benchmark suite's command line.
@main
struct MRBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mrbench",
        abstract: "Meta-reinforcement-learning benchmarks on ODE: environments, benchmarks, evaluation.",
        version: MRBenchInfo.version,
        subcommands: [ListCommand.self, CheckEnvCommand.self, BenchCommand.self, TaskSetsCommand.self, EvaluateCommand.self, TrainCommand.self, LeaderboardCommand.self, ExpertsCommand.self, RenderCommand.self, RolloutCommand.self]
    )

    /// The command line, or (hidden, started by mrbench itself) the agent supervisor.
    static func main() {
        let args = CommandLine.arguments
        if args.count > 1 && args[1] == AgentSupervisor.verb { AgentSupervisor.run(Array(args.dropFirst(2))) }
        main(nil)
    }
}

/// Options every command that loads models shares.
struct AssetOptions: ParsableArguments {
    @Option(help: "The assets directory (default: $MRBENCH_ASSETS, then the package's Assets/).")
    var assets: String?
}

/// Environment ids plus the output and assets options shared by `check-env` and `bench`.
struct EnvironmentSelection: ParsableArguments {
    @Argument(help: "Environment ids (see `mrbench list`); `all` selects every registered one.")
    var ids: [String]

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @OptionGroup var assetOptions: AssetOptions

    func validate() throws {
        guard !ids.isEmpty else { throw ValidationError("give at least one environment id, or `all`") }
    }

    /// The selected specs.
    func specs() throws -> [EnvironmentSpec] { try resolveEnvironments(ids) }
}

/// The specs named on the command line (`all`: every registered environment).
func resolveEnvironments(_ ids: [String]) throws -> [EnvironmentSpec] {
    if ids == ["all"] { return Registry.environments }
    return try ids.map { id in
        do { return try Registry.environment(id) } catch let e as RegistryError { throw ValidationError(e.description) }
    }
}

/// The benchmarks named on the command line (`all`: every registered benchmark).
func resolveBenchmarks(_ ids: [String]) throws -> [BenchmarkSpec] {
    if ids == ["all"] { return Registry.benchmarks }
    return try ids.map { id in
        do { return try Registry.benchmark(id) } catch let e as RegistryError { throw ValidationError(e.description) }
    }
}
