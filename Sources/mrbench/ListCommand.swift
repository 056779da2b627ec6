import ArgumentParser
import MRSuite

/// `mrbench list`: registered environments, benchmarks and agents.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List registered environments, benchmarks and agents.")

    @Flag(help: "Print JSON instead of tables.")
    var json = false

    struct Listing: Encodable {
        struct Env: Encodable { let id: String; let observationSize: Int; let actionSize: Int; let horizon: Int; let controlTimestep: Double; let tags: [String] }
        struct Bench: Encodable { let id: String; let summary: String; let metric: String; let adaptationEpisodes: Int; let evaluationEpisodes: Int; let horizon: Int }
        typealias Agent = AgentCatalogue.Entry
        let environments: [Env]
        let benchmarks: [Bench]
        let agents: [Agent]
    }

    static func listing() -> Listing {
        Listing(
            environments: Registry.environments.map { .init(id: $0.id, observationSize: $0.observationSize, actionSize: $0.actionSize, horizon: $0.horizon, controlTimestep: $0.controlTimestep, tags: $0.tags) },
            benchmarks: Registry.benchmarks.map { .init(id: $0.id, summary: $0.summary, metric: $0.evaluation.metric.rawValue, adaptationEpisodes: $0.evaluation.adaptationEpisodes, evaluationEpisodes: $0.evaluation.evaluationEpisodes, horizon: $0.evaluation.horizon) },
            agents: AgentCatalogue.entries)
    }

    func run() throws {
        let l = Self.listing()
        if json { try printJSON(l); return }
        print("Environments")
        printTable(["id", "obs", "act", "horizon", "dt (s)", "tags"], l.environments.map {
            [$0.id, "\($0.observationSize)", "\($0.actionSize)", "\($0.horizon)", "\($0.controlTimestep)", $0.tags.joined(separator: ",")]
        })
        print("\nBenchmarks")
        if l.benchmarks.isEmpty { print("(none registered yet)") } else {
            printTable(["id", "metric", "K", "E", "horizon", "summary"], l.benchmarks.map { [$0.id, $0.metric, "\($0.adaptationEpisodes)", "\($0.evaluationEpisodes)", "\($0.horizon)", $0.summary] })
        }
        print("\nAgents")
        printTable(["id", "kind", "train", "summary"], l.agents.map { [$0.id, $0.kind, $0.trainable ? "yes" : "", $0.summary] })
    }
}
