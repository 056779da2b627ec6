import ArgumentParser
import Foundation
import MRCore
import MRPhysics
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
            try AssetManifest.compute(assets: root).write(assets: root)
            print("updated MANIFEST.json")
        }
    }

    /// Checks every listed file's checksum and that every task set loads.
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Check MANIFEST.json against the files and load every benchmark's task set.")
        @OptionGroup var assetOptions: AssetOptions

        func run() throws {
            let root = try AssetLocator.root(explicit: assetOptions.assets)
            let problems = try AssetManifest.load(assets: root).problems(assets: root)
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

    /// Rewrites MANIFEST.json from the files as they are (after editing a model on purpose).
    struct Manifest: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Recompute Assets/MANIFEST.json from the current models and task sets.")
        @OptionGroup var assetOptions: AssetOptions

        func run() throws {
            let root = try AssetLocator.root(explicit: assetOptions.assets)
            let m = try AssetManifest.compute(assets: root)
            try m.write(assets: root)
            print("MANIFEST.json: \(m.files.count) files")
        }
    }
}
