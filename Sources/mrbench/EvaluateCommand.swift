import ArgumentParser
import Foundation
import MRCore
import MRScoring
import MRSuite
#if canImport(Glibc)
import Glibc
#endif


/// `mrbench evaluate`: the meta-test protocol of a benchmark against an agent; writes a
/// leaderboard entry and its run record.
struct EvaluateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evaluate",
        abstract: "Evaluate an agent on a benchmark's test split and write its leaderboard entry.",
        discussion: """
        Agents: `random` (uniform actions), `expert` (the scripted experts; privileged: they see the goal, \
        so their entry is an upper reference), or `cmd:'<command line>'`: an external process speaking the \
        line-delimited JSON protocol of docs/agent-protocol.md (started directly, never through a shell).
        The entry goes to leaderboard/entries/<benchmark>/<agent>.json (or --output), the run record beside it \
        (<agent>.run.json), the journal (<output>.journal) while running: the same command started again resumes.
        """)

    @Option(help: "The agent: random, expert, rl2:CHECKPOINT, maml:CHECKPOINT, or cmd:'<command line>' (see `mrbench list`).") var agent: String
    @Option(help: "Benchmark id (see `mrbench list`).") var benchmark: String
    @Option(help: "Seeds: every test entry is run once per seed.") var seeds = 10
    @Option(help: "Worker threads (one environment and one agent per thread).") var threads = 2
    @Option(help: "Run one shard K/N of the trials (merge shards with `mrbench leaderboard merge`).") var shard: String?
    @Option(help: "Output file (default: leaderboard/entries/<benchmark>/<agent>.json).") var output: String?
    @Option(help: "Root seed of the trials' seeds.") var rootSeed: UInt64 = 0
    @Flag(help: "Print the entry JSON on standard output instead of a summary.") var json = false
    @Flag(help: "Clip an external agent's out-of-range actions instead of stopping (recorded in the entry).") var clipActions = false
    @OptionGroup var agentOptions: ExternalAgentOptions
    @Flag(help: """
        Draw fresh test goals from the test split's distribution with a seed from the OS, unknown to the agent: the entry         publishes the seed's SHA-256, the run record keeps the seed; the trial order is shuffled and the trial seeds derived         from it (--root-seed is not used). Such a run cannot be sharded; started again after an interruption, it resumes with the same goals (their seed is kept beside the journal's key).
        """) var hiddenGoals = false
    @Option(help: """
        The split to run: test (the leaderboard's), or train: the same protocol over the train split's tasks, \
        for a learner's train-task success (its report needs --output and is never a leaderboard entry).
        """) var split = "test"
    @OptionGroup var assetOptions: AssetOptions

    func validate() throws {
        guard let chosen = Split(rawValue: split) else { throw ValidationError("--split must be test or train, not '\(split)'") }
        if chosen == .train {
            guard let output else { throw ValidationError("--split train writes a report, not a leaderboard entry: give --output (outside leaderboard/entries)") }
            guard !output.split(separator: "/").contains("entries") else {
                throw ValidationError("--split train: --output \(output) is inside a leaderboard entries folder; train-split reports are not entries")
            }
            guard !hiddenGoals else { throw ValidationError("--hidden-goals draws test goals; it does not apply to --split train") }
        }
        guard (1...EvaluationPlan.maxSeeds).contains(seeds) else { throw ValidationError("--seeds must be in 1…\(EvaluationPlan.maxSeeds)") }
        guard (1...256).contains(threads) else { throw ValidationError("--threads must be in 1…256") }
        if let shard { do { _ = try Shard(parsing: shard) } catch { throw ValidationError("\(error)") } }
        if hiddenGoals && shard != nil { throw ValidationError("--hidden-goals cannot be sharded: each shard would draw other goals") }
    }

    func run() throws {
        let started = Date()
        // Whatever way the run ends, no agent process (or anything it started in its group) outlives it.
        defer { killAgentProcessGroups() }
        if let output { try OutputPaths.prepareEntryOutput(output) }
        let spec = try resolveBenchmarks([benchmark])[0]
        let assets = assetOptions.assets
        let taskSet = try spec.taskSet(assets: assets)
        let split = taskSet.entries(Split(rawValue: self.split) ?? .test)
        let digest = try spec.digest(assets: assets)
        let shardSpec = try shard.map(Shard.init(parsing:))
        let probe = try spec.makeEnvironment(split[0], assets: assets)
        let context = AgentContext(observationSpace: probe.observationSpace, actionSpace: probe.actionSpace,
                                   observationLayout: probe.observationLayout, horizon: spec.evaluation.horizon)
        // Hidden goals are settled once the output (and so the journal that may hold their seed) is known.
        let goals = SettledValue(split)
        let frozenPlan = try EvaluationPlan(tasks: split.map(\.stratum), seeds: seeds, rootSeed: rootSeed, evaluation: spec.evaluation)
        let outputGuess: (String) -> String = { n in
            output ?? "leaderboard/entries/\(spec.id)/\(n)\(shardSpec.map { ".shard-\($0.index)-of-\($0.count)" } ?? "").json"
        }

        // The agent, resolved through the one catalogue.
        let agentSetup = try ResolvedAgent.resolve(agent, spec: spec, split: self.split, test: { goals.value }, plan: frozenPlan, context: context,
                                                   clipActions: clipActions, options: agentOptions, assets: assets,
                                                   protectedPaths: [Self.journalKeyDirectory], logDirectory: OutputPaths.directory(of: outputGuess("agent")))
        let name = agentSetup.name
        let makeSession = agentSetup.makeSession
        let outputPath = outputGuess(name)
        let stem = Self.stem(outputPath)
        try OutputPaths.prepareEntryOutput(outputPath)
        agentSetup.launcher?.settleLog(at: stem + ".agent.log")
        let external = agentSetup.launcher?.config

        let journalPath = outputPath + ".journal"
        let keyPath = try Self.journalKeyPath(journalPath)
        let hiddenSeed = hiddenGoals ? try Self.hiddenGoalSeed(keyPath: keyPath, journalPath: journalPath) : nil
        if let hiddenSeed { goals.value = try Self.hiddenGoals(spec, frozen: split, seed: hiddenSeed) }
        let test = goals.value
        let plan = try EvaluationPlan(tasks: test.map(\.stratum), seeds: seeds, rootSeed: hiddenSeed.map { SeededGenerator.derive($0, "root") } ?? rootSeed,
                                      evaluation: spec.evaluation)
        let head = LeaderboardEntry.Header(
            benchmarkID: spec.id, split: self.split, digest: digest, metric: spec.evaluation.metric, hidesGoal: spec.hidesGoal,
            agentName: name, agentVersion: agentSetup.version, agentKind: agentSetup.kind, privileged: agentSetup.privileged,
            checkpointDigest: agentSetup.checkpointDigest, trainingSteps: agentSetup.trainingSteps, trainingSeed: agentSetup.trainingSeed,
            plan: plan, clipActions: clipActions, mrbenchVersion: MRBenchInfo.version, revision: SourceRevision.current, sandbox: agentSetup.sandboxKind,
            hiddenGoalsCommitment: hiddenSeed.map { SHA256.hex(String($0)) }).head
        var identity = try head.json()
        identity["journal"] = .number(2)
        identity["shard"] = .string(shardSpec?.description ?? "all")
        identity["agentSpec"] = .string(agent)
        let journal: Journal
        do { journal = try Journal(path: journalPath, identity: .object(identity), keyPath: keyPath) } catch {
            agentSetup.launcher?.closeUnused()
            throw error
        }
        let indices = TrialSelection(total: plan.trialCount, shard: shardSpec)
        let resumed = journal.recovered.filter { indices.contains(trial: $0.index) }
        for r in journal.recovered {
            let problems = try EntryCheck.trialProblems(r, head: head)
            guard problems.isEmpty && indices.contains(trial: r.index) else {
                throw CommandError("\(journal.path) holds a trial this evaluation cannot produce (\(problems.first ?? "trial \(r.index) is outside this run's trials")); delete it to start over")
            }
        }
        if !resumed.isEmpty { printError("resuming from \(journal.path): \(resumed.count) of \(indices.count) trials already done") }

        let runner = Runner(plan: plan, strictActions: external != nil, clipActions: clipActions,
                            makeEnvironment: { trial in try spec.makeEnvironment(test[trial.entry], assets: assets) },
                            makeSession: makeSession)
        let progress = ProgressDisplay(total: indices.count, already: resumed.count, alreadySteps: resumed.reduce(0) { $0 + $1.steps },
                                       label: "\(spec.id) / \(name)")
        installInterruptHandler(terminate: true)
        let outcome = runner.run(indices: indices, completed: resumed, threads: threads,
                                 onTrial: { record, p in journal.append(record); progress.update(p) },
                                 shouldStop: { interruptRequested != 0 })
        removeInterruptHandler()
        progress.finish()

        if let error = outcome.error {
            journal.finish(remove: false)
            let partial = stem + ".partial.json"
            let entry = try LeaderboardEntry.make(head: head, records: outcome.records, shard: shardSpec, error: error.description)
            try OutputPaths.write(Data(try entry.text().utf8), to: partial)
            printError("mrbench evaluate: \(error)")
            printError("partial results (\(outcome.records.count) of \(indices.count) trials) written to \(partial); the journal \(journal.path) is kept, so the same command resumes")
            if let external { printError("agent log: \(external.logPath)") }
            throw ExitCode(error.isInterrupt ? interruptExitCode : 1)
        }
        let entry = try LeaderboardEntry.make(head: head, records: outcome.records, shard: shardSpec)
        let text = try entry.text()
        try OutputPaths.write(Data(text.utf8), to: outputPath)
        journal.finish(remove: true)
        if hiddenGoals { unlink(Self.hiddenSeedPath(keyPath: keyPath)) }
        try? FileManager.default.removeItem(atPath: stem + ".partial.json") // from an earlier, interrupted run
        let record = RunRecord.make(started: started, threads: threads, entryPath: outputPath, entryText: text,
                                    trialsRun: outcome.records.count - resumed.count, resumed: resumed.count,
                                    steps: outcome.records.filter { r in !resumed.contains { $0.index == r.index } }.reduce(0) { $0 + $1.steps },
                                    agentLog: external?.logPath, hiddenGoalSeed: hiddenSeed)
        try OutputPaths.write(Data(JSONText.pretty(record, numbers: .rounded6).utf8), to: stem + ".run.json")
        if json { print(text, terminator: ""); return }
        Self.summary(entry, path: outputPath)
    }

    /// Fresh test goals for `--hidden-goals`: the test split of `spec.generate(seed)` in an order
    /// shuffled with it; it must hold the frozen split's tasks, as many of each.
    static func hiddenGoals(_ spec: BenchmarkSpec, frozen: [TaskSetEntry], seed: UInt64) throws -> [TaskSetEntry] {
        var fresh = try spec.generate(seed).test
        guard fresh.map(\.stratum).sorted() == frozen.map(\.stratum).sorted() else {
            throw CommandError("\(spec.id) cannot draw hidden goals: a fresh draw does not give its test split's tasks and goal counts")
        }
        var g = SeededGenerator(seed: SeededGenerator.derive(seed, "order"))
        for i in stride(from: fresh.count - 1, to: 0, by: -1) { fresh.swapAt(i, g.index(below: i + 1)) }
        return fresh
    }

    /// Where the seed of an unfinished hidden-goal run is kept: beside its journal's key, in the
    /// private key directory no sandboxed agent sees.
    static func hiddenSeedPath(keyPath: String) -> String {
        (keyPath.hasSuffix(".key") ? String(keyPath.dropLast(4)) : keyPath) + ".hidden-seed"
    }

    /// The hidden-goal seed of this run: the kept one when a journal of the interrupted run exists
    /// (so the run resumes with the same goals), else a new one from the OS, kept (mode 0600) until
    /// the run finishes.
    static func hiddenGoalSeed(keyPath: String, journalPath: String) throws -> UInt64 {
        let path = hiddenSeedPath(keyPath: keyPath)
        let journalHoldsTrials = (FileManager.default.contents(atPath: journalPath)?.count ?? 0) > 0
        if journalHoldsTrials, let d = FileManager.default.contents(atPath: path),
           let seed = UInt64(String(decoding: d, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) {
            return seed
        }
        var os = SystemRandomNumberGenerator()
        let seed = os.next()
        unlink(path)
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CommandError("cannot keep the hidden-goal seed in \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = Array(String(seed).utf8)
        guard bytes.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == bytes.count, fsync(fd) == 0 else {
            throw CommandError("cannot write the hidden-goal seed to \(path)")
        }
        return seed
    }

    /// The private directory of journal keys (mode 0700): `$XDG_RUNTIME_DIR/mrbench-journal-keys`,
    /// else `~/.cache/mrbench/journal-keys`. Sandboxed agents never see it.
    static var journalKeyDirectory: String {
        let env = ProcessInfo.processInfo.environment
        if let run = env["XDG_RUNTIME_DIR"], !run.isEmpty { return run + "/mrbench-journal-keys" }
        return (env["HOME"] ?? NSTemporaryDirectory()) + "/.cache/mrbench/journal-keys"
    }

    /// The key of the journal at `path`: named by the SHA-256 of its absolute path.
    static func journalKeyPath(_ path: String) throws -> String {
        let dir = journalKeyDirectory
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let absolute = AgentSandbox.absolute(path, in: FileManager.default.currentDirectoryPath)
        return dir + "/" + SHA256.hex(absolute) + ".key"
    }

    /// The output path without its `.json` suffix.
    static func stem(_ path: String) -> String { path.hasSuffix(".json") ? String(path.dropLast(5)) : path }

    static func summary(_ entry: LeaderboardEntry.Document, path: String) {
        let r = entry.results, o = r.overall
        func f(_ v: Double?) -> String { v.map { String(format: "%.3f", $0) } ?? "–" }
        func ci(_ v: [Double]?) -> String { v.map { "[\(f($0.first)), \(f($0.last))]" } ?? "" }
        print("\(entry.head.benchmark.id) / \(entry.head.agent.name)  metric \(r.metric.rawValue)  complete \(entry.complete)")
        printTable(["task", "score", "95% CI", "success rate", "mean return", "trials"],
                   r.tasks.sorted { $0.key < $1.key }.map { k, v in
                       [k, f(v.score), ci(v.ci), f(v.successRate), f(v.meanReturn), "\(v.trials)"]
                   })
        print("overall mean \(f(o?.mean)) \(ci(o?.meanCI))  IQM \(f(o?.iqm)) \(ci(o?.iqmCI))  optimality gap \(f(o?.optimalityGap))")
        print("wrote \(path)")
    }
}
