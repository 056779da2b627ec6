import ArgumentParser
import Foundation
import MRCore
import MRSuite

/// `mrbench tasksets`: generate, verify and checksum the frozen task sets in `Assets/`.
struct TaskSetsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasksets",
        abstract: "Generate and verify the frozen task sets and Assets/MANIFEST.json.",
        subcommands: [Generate.self, Verify.self, Manifest.self])

    /// Regenerates task-set files from their documented seeds (or a given one) and updates the manifest.
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Write Assets/tasksets/<benchmark>.json from a seed and update MANIFEST.json.")
        @Argument(help: "Benchmark ids, or `all`.") var ids: [String]
        @Option(help: "Seed (default: each benchmark's documented seed).") var seed: UInt64?
        @Flag(help: "Only report whether the files would change (exit 1 if any would).") var check = false
        @OptionGroup var assetOptions: AssetOptions

        func run() throws {
            let root = try AssetLocator.root(explicit: assetOptions.assets)
            var changed = 0
            for b in try resolveBenchmarks(ids) {
                let set = try b.generate(seed ?? b.defaultSeed)
                let data = try TaskSetStore.fileData(set)
                let path = root + "/" + TaskSetStore.relativePath(b.id)
                let same = FileManager.default.contents(atPath: path) == data
                if !same { changed += 1 }
                if check {
                    print("\(b.id): \(same ? "unchanged" : "WOULD CHANGE") (\(set.train.count) train, \(set.test.count) test, seed \(set.seed))")
                } else {
                    try FileManager.default.createDirectory(atPath: root + "/tasksets", withIntermediateDirectories: true)
                    try data.write(to: URL(fileURLWithPath: path))
                    print("\(b.id): wrote \(TaskSetStore.relativePath(b.id)) (\(set.train.count) train, \(set.test.count) test, seed \(set.seed), sha256 \(SHA256.hex(data).prefix(16))…)")
                }
            }
            if check { if changed > 0 { throw ExitCode(1) }; return }
            try AssetManifest.withCurrentFiles(assets: root).write(assets: root)
            print("updated MANIFEST.json (checksums; `mrbench tasksets manifest` records the behaviour fingerprints)")
        }
    }

    /// Checks every listed file's checksum, every behaviour fingerprint, and that every task set loads.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check MANIFEST.json against the files and the environments' behaviour, and load every benchmark's task set.")
        @OptionGroup var assetOptions: AssetOptions

        func run() throws {
            let root = try AssetLocator.root(explicit: assetOptions.assets)
            let manifest = try AssetManifest.load(assets: root)
            var problems = try manifest.problems(assets: root)
            if problems.isEmpty {
                do {
                    let now = try BehaviourFingerprint.computeAll(assets: assetOptions.assets)
                    problems += manifest.fingerprintProblems(environments: now.environments, benchmarks: now.benchmarks)
                } catch { problems.append("behaviour fingerprints: \(error)") }
            }
            for p in problems { printError("MANIFEST: \(p)") }
            var failed = !problems.isEmpty
            for b in Registry.benchmarks {
                do {
                    let s = try b.taskSet(assets: assetOptions.assets)
                    print("ok    \(b.id)  (\(s.train.count) train, \(s.test.count) test, digest \(try b.digest(assets: assetOptions.assets).prefix(16))…)")
                } catch {
                    failed = true
                    print("FAIL  \(b.id)  \(error)")
                }
            }
            if failed { throw ExitCode(1) }
        }
    }

    /// Rewrites MANIFEST.json from the files and the code as they are (after changing a model or an
    /// environment on purpose): checksums, then the behaviour fingerprints of every environment and
    /// benchmark. Every benchmark digest that covers a change changes with it.
    struct Manifest: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recompute Assets/MANIFEST.json: checksums of the models and task sets, behaviour fingerprints of the environments and benchmarks.")
        @OptionGroup var assetOptions: AssetOptions

        func run() throws {
            let root = try AssetLocator.root(explicit: assetOptions.assets)
            var m = try AssetManifest.withCurrentFiles(assets: root)
            try m.write(assets: root)  // the models must verify before the environments can load them
            let before = m
            let now = try BehaviourFingerprint.computeAll(assets: assetOptions.assets)
            m.environmentFingerprints = now.environments
            m.benchmarkFingerprints = now.benchmarks
            try m.write(assets: root)
            let changed = before.fingerprintProblems(environments: now.environments, benchmarks: now.benchmarks)
            print("MANIFEST.json: \(m.files.count) files, \(now.environments.count) environment and \(now.benchmarks.count) benchmark fingerprints"
                  + (changed.isEmpty ? "" : " (\(changed.count) new or changed)"))
        }
    }
}
