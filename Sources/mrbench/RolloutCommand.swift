import ArgumentParser
import Foundation
import MRCore
import MRSuite

/// `mrbench rollout` (hidden): one episode with given actions, printed bit for bit, so that other
/// front ends (the Python package over the C ABI) can be checked against the Swift environments.
struct RolloutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Step one episode with actions from a file and print every observation and reward bit for bit (JSON lines).",
        shouldDisplay: false
    )

    @Option(help: "A registered environment id (its default task).")
    var env: String?

    @Option(help: "A benchmark id: step one of its train tasks (with --train-task).")
    var benchmark: String?

    @Option(help: "The train task's index in the benchmark's train split.")
    var trainTask: Int?

    @Option(help: "The reset seed.")
    var seed: UInt64 = 0

    @Option(help: "A JSON file holding an array of actions (arrays of numbers, read as 64-bit and rounded to 32-bit floats).")
    var actions: String

    @OptionGroup var assetOptions: AssetOptions

    func validate() throws {
        guard (env == nil) != (benchmark == nil) else { throw ValidationError("give exactly one of --env and --benchmark") }
        if benchmark != nil && trainTask == nil { throw ValidationError("--benchmark needs --train-task") }
        if env != nil && trainTask != nil { throw ValidationError("--train-task goes with --benchmark") }
    }

    struct Record: Encodable {
        let step: Int?
        let observation: [Float]
        let observation_bits: [UInt32]
        let reward: Double?
        let reward_bits: String?
        let status: String?
        let success: Bool?
    }

    func run() throws {
        let (environment, horizon) = try makeEnvironment()
        let list = try readActions()
        var cursor = EpisodeCursor(environment, seed: seed, horizon: horizon)
        try emit(Record(step: nil, observation: cursor.observation, observation_bits: cursor.observation.map(\.bitPattern),
                        reward: nil, reward_bits: nil, status: nil, success: nil))
        for k in list.indices {
            if cursor.isDone { break }
            let action: [Float]
            do { action = try environment.actionSpace.validatedAndClipped(list[k].map { Float($0) }) } catch {
                throw ValidationError("action \(k): \(error)")
            }
            let t = try cursor.step(action)
            try emit(Record(step: k, observation: t.nextObservation, observation_bits: t.nextObservation.map(\.bitPattern),
                            reward: t.reward, reward_bits: String(t.reward.bitPattern, radix: 16), status: t.status.name,
                            success: cursor.lastSuccess))
        }
    }

    private func emit(_ r: Record) throws {
        print(try JSONCoding.text(r))
    }

    private func readActions() throws -> [[Double]] {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: actions)) } catch { throw ValidationError("cannot read \(actions): \(error.localizedDescription)") }
        do { return try JSONDecoder().decode([[Double]].self, from: data) } catch { throw ValidationError("\(actions) is not a JSON array of arrays of numbers") }
    }

    private func makeEnvironment() throws -> (any EpisodicEnvironment, Int) {
        let assets = assetOptions.assets
        if let env {
            let spec: EnvironmentSpec
            do { spec = try Registry.environment(env) } catch { throw ValidationError(error.description) }
            let e = try spec.make(assets: assets)
            return (e, e.horizon)
        }
        let spec: BenchmarkSpec
        do { spec = try Registry.benchmark(benchmark ?? "") } catch { throw ValidationError(error.description) }
        let tasks = try spec.trainingTasks(assets: assets)
        guard let i = trainTask, i >= 0 && i < tasks.count else {
            throw ValidationError("--train-task \(trainTask ?? -1) is out of range: \(spec.id) has \(tasks.count) train tasks")
        }
        return (try tasks.environment(i), tasks.evaluation.horizon)
    }
}
