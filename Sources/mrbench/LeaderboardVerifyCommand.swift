import ArgumentParser
import Foundation
import MRCore
import MRScoring
import MRSuite

/// `mrbench leaderboard verify`: re-runs randomly chosen trials of an entry (the harness is
/// deterministic) and compares them with what the entry records.
///
/// A format-3 entry keeps a row per trial (`results.trials`: return, success, steps), which
/// `validate` ties to every aggregate; a forged trial whose aggregates were all recomputed still
/// validates, and is caught here when sampled: each sampled trial is re-run alone and compared
/// field by field. Older entries keep only per-seed scores: then each sampled trial's whole cell
/// (its task under its seed: every goal of the task) is re-run and the cell's score compared.
struct LeaderboardVerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-run randomly sampled trials of an entry and compare them with its records.",
        discussion: """
        The agent is the entry's own for `random` and `expert`; give a trained baseline's checkpoint (rl2:PATH, maml:PATH, \
        pearl:PATH: its digest must be the entry's) or an external agent's command (cmd:'…': its hello must give the entry's \
        name and version) with --agent. The sample is drawn with --seed (printed; by default one from the OS). \
        Exits 1 naming every trial and field that differs.
        """)

    @Argument(help: "The entry file.") var entry: String
    @Option(help: "How many trials to re-run.") var sample = 10
    @Option(help: "The agent (default: the entry's, for random and expert).") var agent: String?
    @Option(help: "Seed of the sample (default: from the OS; printed either way).") var seed: UInt64?
    @Option(help: "Worker threads.") var threads = 2
    @OptionGroup var agentOptions: ExternalAgentOptions
    @OptionGroup var assetOptions: AssetOptions

    func validate() throws {
        guard sample >= 1 else { throw ValidationError("--sample must be at least 1") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be in 1…256") }
    }

    func run() throws {
        defer { killAgentProcessGroups() }
        let raw = try readEntry(entry)
        // Only an entry that validates is worth re-running: its aggregates are then tied to what is re-run.
        let report = try EntryValidator(assets: assetOptions.assets, allowPartial: false).check(entry)
        guard report.problems.isEmpty else {
            throw CommandError("\(entry) does not validate, so there is nothing to verify: \(report.problems.prefix(3).joined(separator: "; "))")
        }
        let e = try LeaderboardEntry.Document(json: raw), head = e.head
        let id = head.benchmark.id
        let spec = try Registry.benchmark(id)
        let assets = assetOptions.assets
        let p = head.protocolSettings
        guard let rootSeed = UInt64(p.rootSeed) else { throw CommandError("\(entry): protocol fields missing") }
        let seeds = p.seeds, entries = p.entries, clipActions = p.clipActions

        // The test goals: the frozen split, or the hidden ones the run record reveals.
        var test = try spec.taskSet(assets: assets).test
        if head.benchmark.goals != nil {
            let record = EvaluateCommand.stem(entry) + ".run.json"
            guard let s = (try? readEntry(record))?["hiddenGoalSeed"]?.stringValue.flatMap({ UInt64($0) }) else {
                throw CommandError("\(entry) ran on hidden goals, and no run record beside it (\(record)) reveals their seed")
            }
            test = try EvaluateCommand.hiddenGoals(spec, frozen: test, seed: s)
        }
        guard test.map(\.stratum) == entries else { throw CommandError("\(entry): protocol.entries are not the test entries of \(id)") }
        let plan = try EvaluationPlan(tasks: entries, seeds: seeds, rootSeed: rootSeed, evaluation: spec.evaluation)

        // The agent: the entry's built-in one, or the one given, which must be the entry's.
        let agentName = head.agent.name, agentKind = head.agent.kind
        let spec_ = agent ?? ((agentKind == "builtin" && ["random", "expert"].contains(agentName)) ? agentName : "")
        guard !spec_.isEmpty else {
            throw ValidationError("the entry's agent is '\(agentName)' (\(agentKind)): give it with --agent (rl2:PATH, maml:PATH, pearl:PATH or cmd:'…')")
        }
        let probe = try spec.makeEnvironment(test[0], assets: assets)
        let context = AgentContext(observationSpace: probe.observationSpace, actionSpace: probe.actionSpace,
                                   observationLayout: probe.observationLayout, horizon: spec.evaluation.horizon)
        let logDirectory = NSTemporaryDirectory() + "mrbench-verify-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: logDirectory) }
        let frozen = test
        let resolved = try ResolvedAgent.resolve(spec_, spec: spec, test: { frozen }, plan: plan, context: context, clipActions: clipActions,
                                                 options: agentOptions, assets: assets, protectedPaths: [EvaluateCommand.journalKeyDirectory],
                                                 logDirectory: logDirectory)
        var mismatch: [String] = []
        if resolved.name != agentName { mismatch.append("agent.name: the entry's is '\(agentName)', --agent gives '\(resolved.name)'") }
        if resolved.kind != agentKind { mismatch.append("agent.kind: the entry's is '\(agentKind)', --agent gives '\(resolved.kind)'") }
        if resolved.kind == "external", head.agent.version != resolved.version {
            mismatch.append("agent.version: the entry's is '\(head.agent.version)', the agent says '\(resolved.version)'")
        }
        if let d = head.agent.checkpointDigest, d != resolved.checkpointDigest {
            mismatch.append("agent.checkpointDigest: the entry's is \(d.prefix(16))…, the checkpoint given is \((resolved.checkpointDigest ?? "none").prefix(16))…")
        }
        guard mismatch.isEmpty else {
            resolved.launcher?.closeUnused()
            throw CommandError("--agent is not the entry's agent: \(mismatch.joined(separator: "; "))")
        }

        // The sample: distinct trial indices, drawn with a seed that is printed.
        let sampleSeed = seed ?? { var g = SystemRandomNumberGenerator(); return g.next() }()
        let picked = Self.sample(sample, of: plan.trialCount, seed: sampleSeed)
        let rows = e.results.trials?.rows
        let n = entries.count
        // Without per-trial rows, whole cells (a task under a seed) are re-run.
        let cells = rows == nil ? Array(Set(picked.map { CellKey(task: entries[$0 % n], seed: $0 / n) })).sorted() : []
        let runIndices = rows != nil ? picked : cells.flatMap { c in (0..<n).filter { entries[$0] == c.task }.map { c.seed * n + $0 } }.sorted()
        print("verify \(entry): \(picked.count) of \(plan.trialCount) trials sampled with seed \(sampleSeed): \(picked.map(String.init).joined(separator: ", "))")
        if rows == nil {
            print("the entry keeps no per-trial rows (format \(head.schema.version)): re-running \(cells.count) whole task × seed cells (\(runIndices.count) trials) and comparing their scores")
        }

        let runner = Runner(plan: plan, strictActions: resolved.kind == "external", clipActions: clipActions,
                            makeEnvironment: { trial in try spec.makeEnvironment(frozen[trial.entry], assets: assets) },
                            makeSession: resolved.makeSession)
        installInterruptHandler(terminate: true)
        let outcome = runner.run(indices: runIndices, threads: threads, shouldStop: { interruptRequested != 0 })
        removeInterruptHandler()
        if let error = outcome.error { throw CommandError("verify: the re-run stopped: \(error)") }
        let byIndex = Dictionary(uniqueKeysWithValues: outcome.records.map { ($0.index, $0) })

        var differences: [String] = []
        if let rows {
            for i in picked {
                guard let r = byIndex[i] else { differences.append("trial \(i): not re-run"); continue }
                let label = plan.trial(i).label
                let again = LeaderboardEntry.row(r)
                for (f, field) in LeaderboardEntry.trialFields.enumerated() where !Self.same(rows[i][f], again[f]) {
                    differences.append("\(label): \(field) recorded \(Self.show(rows[i][f])), re-run \(Self.show(again[f]))")
                }
            }
        } else {
            let metric = spec.evaluation.metric
            for c in cells {
                let trials = (0..<n).filter { entries[$0] == c.task }.compactMap { byIndex[c.seed * n + $0] }
                let score = trials.map { $0.score(metric) }.reduce(0, +) / Double(max(trials.count, 1))
                let recorded = e.results.scores[c.task].flatMap { c.seed < $0.count ? $0[c.seed] : nil }
                if recorded == nil || !Self.same(recorded!, JSONText.round6(score)) {
                    differences.append("task '\(c.task)', seed \(c.seed) (\(trials.count) trials): results.scores.\(c.task)[\(c.seed)] recorded \(recorded.map(Self.show) ?? "none"), re-run \(Self.show(JSONText.round6(score)))")
                }
            }
        }
        if differences.isEmpty {
            print(rows != nil ? "ok: all \(picked.count) sampled trials match the entry's records"
                              : "ok: all \(cells.count) re-run cells match the entry's per-seed scores")
            return
        }
        for d in differences { print("MISMATCH \(d)") }
        printError("mrbench leaderboard verify: \(differences.count) difference(s): the entry does not match a re-run of its trials")
        throw ExitCode(1)
    }

    struct CellKey: Hashable, Comparable {
        let task: String, seed: Int
        static func < (a: Self, b: Self) -> Bool { (a.seed, a.task) < (b.seed, b.task) }
    }

    /// `count` distinct indices of 0..<total (all of them if count ≥ total), sorted: a partial
    /// Fisher–Yates shuffle driven by `seed`.
    static func sample(_ count: Int, of total: Int, seed: UInt64) -> [Int] {
        var g = SeededGenerator(seed: SeededGenerator.derive(seed, "verify"))
        var pool = Array(0..<total)
        let k = min(count, total)
        for i in 0..<k { pool.swapAt(i, i + g.index(below: total - i)) }
        return pool.prefix(k).sorted()
    }

    /// Recorded figures are rounded to 6 decimals; a re-run on the same build gives the same bits.
    static func same(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-6 * max(1, abs(b)) }
    static func show(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x) }
}
