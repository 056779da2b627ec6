import ArgumentParser
import Foundation
import MRCore
import MRScoring
import MRPhysics
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
        let frozenPlan = try EvaluationPlan(tasks: split.map(\.task), seeds: seeds, rootSeed: rootSeed, evaluation: spec.evaluation)
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
        let plan = try EvaluationPlan(tasks: test.map(\.task), seeds: seeds, rootSeed: hiddenSeed.map { SeededGenerator.derive($0, "root") } ?? rootSeed,
                                      evaluation: spec.evaluation)
        let header = LeaderboardEntry.Header(
            benchmarkID: spec.id, split: self.split, digest: digest, metric: spec.evaluation.metric, hidesGoal: spec.hidesGoal,
            agentName: name, agentVersion: agentSetup.version, agentKind: agentSetup.kind, privileged: agentSetup.privileged,
            checkpointDigest: agentSetup.checkpointDigest, trainingSteps: agentSetup.trainingSteps, trainingSeed: agentSetup.trainingSeed,
            plan: plan, clipActions: clipActions, mrbenchVersion: MRBenchInfo.version, revision: SourceRevision.current, sandbox: agentSetup.sandboxKind,
            hiddenGoalsCommitment: hiddenSeed.map { SHA256.hex(String($0)) }).json
        var identity = header
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
            let problems = try EntryCheck.trialProblems(r, header: header)
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
            let entry = try LeaderboardEntry.make(header: header, records: outcome.records, shard: shardSpec, error: error.description)
            try OutputPaths.write(Data(JSONText.pretty(entry).utf8), to: partial)
            printError("mrbench evaluate: \(error)")
            printError("partial results (\(outcome.records.count) of \(indices.count) trials) written to \(partial); the journal \(journal.path) is kept, so the same command resumes")
            if let external { printError("agent log: \(external.logPath)") }
            throw ExitCode(error.isInterrupt ? interruptExitCode : 1)
        }
        let entry = try LeaderboardEntry.make(header: header, records: outcome.records, shard: shardSpec)
        let text = JSONText.pretty(entry)
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
        guard fresh.map(\.task).sorted() == frozen.map(\.task).sorted() else {
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

    static func summary(_ entry: JSONValue, path: String) {
        let r = entry["results"], o = r?["overall"]
        func f(_ v: JSONValue?) -> String { v?.doubleValue.map { String(format: "%.3f", $0) } ?? "–" }
        func ci(_ v: JSONValue?) -> String { v?.arrayValue.map { "[\(f($0.first)), \(f($0.last))]" } ?? "" }
        print("\(entry["benchmark"]?["id"]?.stringValue ?? "") / \(entry["agent"]?["name"]?.stringValue ?? "")  metric \(r?["metric"]?.stringValue ?? "")  complete \(entry["complete"]?.boolValue ?? false)")
        printTable(["task", "score", "95% CI", "success rate", "mean return", "trials"],
                   (r?["tasks"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map { k, v in
                       [k, f(v["score"]), ci(v["ci"]), f(v["successRate"]), f(v["meanReturn"]), "\(v["trials"]?.intValue ?? 0)"]
                   })
        print("overall mean \(f(o?["mean"])) \(ci(o?["meanCI"]))  IQM \(f(o?["iqm"])) \(ci(o?["iqmCI"]))  optimality gap \(f(o?["optimalityGap"]))")
        print("wrote \(path)")
    }
}

/// A loaded meta-learner shared by the worker threads: its parameters are read-only, and every
/// trial's policy is a new object.
struct UncheckedLearner: @unchecked Sendable { let value: any MetaLearner; init(_ v: any MetaLearner) { value = v } }

extension EvaluationError {
    var isInterrupt: Bool { if case .interrupted = self { return true }; return false }
}

/// The source revision recorded in entries: `git rev-parse HEAD` of the package (with `+dirty` when
/// tracked sources differ from it), `$MRBENCH_REVISION` if set, else "unknown".
enum SourceRevision {
    static var current: String {
        if let r = ProcessInfo.processInfo.environment["MRBENCH_REVISION"], !r.isEmpty { return r }
        var root = #filePath
        for _ in 0..<3 { root = (root as NSString).deletingLastPathComponent }
        guard let head = git(["-C", root, "rev-parse", "HEAD"], status: nil), !head.isEmpty else { return "unknown" }
        var clean: Int32 = 0
        _ = git(["-C", root, "diff", "--quiet", "HEAD", "--", "Sources", "Assets", "Package.swift"], status: &clean)
        return head + (clean == 0 ? "" : "+dirty")
    }

    static func git(_ args: [String], status: UnsafeMutablePointer<Int32>?) -> String? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return nil }
        let d = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        status?.pointee = p.terminationStatus
        return p.terminationStatus == 0 ? String(decoding: d, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : nil
    }
}

/// The run record beside an entry: what varies from run to run.
enum RunRecord {
    /// - Parameter hiddenGoalSeed: the seed of a hidden-goal run, revealed here (its SHA-256 is in the entry).
    static func make(started: Date, threads: Int, entryPath: String, entryText: String, trialsRun: Int, resumed: Int, steps: Int, agentLog: String?,
                     hiddenGoalSeed: UInt64? = nil) -> JSONValue {
        let wall = Date().timeIntervalSince(started)
        var usage = rusage(), children = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &children)
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, 255)
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let iso = ISO8601DateFormatter().string(from: started)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        return .object([
            "entry": .string((entryPath as NSString).lastPathComponent),
            "entrySHA256": .string(SHA256.hex(entryText)),
            "startedAt": .string(iso),
            "wallSeconds": .number(wall),
            "host": .string(String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)),
            "processor": .string(cpu),
            "cores": .number(Double(ProcessInfo.processInfo.activeProcessorCount)),
            "threads": .number(Double(threads)),
            "peakMemoryMB": .number(Double(usage.ru_maxrss) / 1024),
            "cpuSeconds": .number(seconds(usage.ru_utime) + seconds(usage.ru_stime)),
            "agentCpuSeconds": agentLog == nil ? .null : .number(seconds(children.ru_utime) + seconds(children.ru_stime)),
            "agentPeakMemoryMB": agentLog == nil ? .null : .number(Double(children.ru_maxrss) / 1024),
            "trialsRun": .number(Double(trialsRun)),
            "trialsResumed": .number(Double(resumed)),
            "environmentStepsThisRun": .number(Double(steps)),
            "stepsPerSecond": .number(wall > 0 ? Double(steps) / wall : 0),
            "commandLine": .array(CommandLine.arguments.map { .string($0) }),
            "agentLog": agentLog.map { .string($0) } ?? .null,
            "hiddenGoalSeed": hiddenGoalSeed.map { .string(String($0)) } ?? .null,
        ])
    }
}

/// Progress on standard error: a line redrawn in place on a terminal (trials done, steps/s, time
/// left), plain lines at every tenth of the work otherwise.
final class ProgressDisplay: @unchecked Sendable {
    let total: Int, already: Int, alreadySteps: Int, label: String
    let tty = isatty(2) == 1
    let start = Date()
    var lastDraw = Date.distantPast
    var lastTenth = -1
    let lock = NSLock()

    init(total: Int, already: Int, alreadySteps: Int, label: String) {
        self.total = total; self.already = already; self.alreadySteps = alreadySteps; self.label = label
    }

    func update(_ p: Runner.Progress) {
        lock.withLock {
            let elapsed = Date().timeIntervalSince(start)
            let doneHere = p.done - already
            let rate = elapsed > 0 ? Double(doneHere) / elapsed : 0
            let left = rate > 0 ? Double(p.total - p.done) / rate : 0
            let stepRate = elapsed > 0 ? Double(p.steps - alreadySteps) / elapsed : 0
            let line = "\(label): \(p.done)/\(p.total) trials, \(Int(stepRate.rounded())) steps/s, \(Self.clock(left)) left"
            if tty {
                guard Date().timeIntervalSince(lastDraw) > 0.2 || p.done == p.total else { return }
                lastDraw = Date()
                FileHandle.standardError.write(Data(("\r\u{1B}[K" + line).utf8))
            } else {
                let tenth = p.total > 0 ? p.done * 10 / p.total : 10
                guard tenth != lastTenth else { return }
                lastTenth = tenth
                FileHandle.standardError.write(Data((line + "\n").utf8))
            }
        }
    }

    func finish() {
        if tty { FileHandle.standardError.write(Data("\n".utf8)) }
    }

    static func clock(_ s: Double) -> String {
        let t = Int(s.rounded())
        return String(format: "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
    }
}
