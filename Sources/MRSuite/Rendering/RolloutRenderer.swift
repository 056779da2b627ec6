import Foundation
import MRCore
import MRRender

/// Renders episodes of an environment to PNG frames and a captioned contact sheet (`mrbench render`).
public struct RolloutRenderer {
    public struct Options: Sendable {
        public var episodes = 1
        /// A frame every `every` steps (plus the first and the last of each episode).
        public var every = 10
        public var width = 480
        public var height = 480
        public var camera: String?
        public var seed: UInt64 = 0
        /// At most this many tiles on the contact sheet (frames are subsampled evenly beyond it).
        public var maxTiles = 24
        public init() {}
    }

    /// What a render run did.
    public struct Summary: Codable, Sendable {
        public struct EpisodeSummary: Codable, Sendable { public var steps: Int; public var episodeReturn: Double; public var success: Bool? }
        public var environment: String
        public var agent: String
        public var camera: String
        public var task: JSONValue?
        public var episodes: [EpisodeSummary]
        public var frames: [String]
        public var contactSheet: String
        /// Median render time per frame (ms), PNG writing excluded; median PNG write time (ms).
        public var renderMillisecondsPerFrame: Double
        public var pngMillisecondsPerFrame: Double
    }

    public enum Failure: Error, CustomStringConvertible {
        case output(String, String)
        case size(String)
        public var description: String {
            switch self {
            case let .output(dir, why): return "cannot write to output directory \(dir): \(why)"
            case let .size(why): return why
            }
        }
    }

    /// Parses "WxH" (each 16…4096).
    public static func parseSize(_ s: String) throws -> (Int, Int) {
        let parts = s.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]) else {
            throw Failure.size("--size must look like 480x480, got '\(s)'")
        }
        guard (16...4096).contains(w), (16...4096).contains(h) else {
            throw Failure.size("--size \(s): width and height must each be between 16 and 4096 pixels")
        }
        return (w, h)
    }

    /// Creates `dir` (and parents) and checks that a file can be written in it.
    public static func prepareOutput(_ dir: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw Failure.output(dir, (error as NSError).localizedDescription)
        }
        let probe = dir + "/.mrbench-write-test"
        guard FileManager.default.createFile(atPath: probe, contents: Data()) else { throw Failure.output(dir, "not writable") }
        try? FileManager.default.removeItem(atPath: probe)
    }

    /// Runs `options.episodes` episodes of `env` under `policy`, writing frames and a contact sheet into `dir`.
    public static func run(env: any Environment, policy: any Policy, agentName: String, task: JSONValue?, options: Options, directory dir: String) throws -> Summary {
        try prepareOutput(dir)
        let cameraName = options.camera ?? SceneExport.cameraNames(env).first ?? "default"
        _ = try SceneExport.scene(of: env, camera: options.camera)  // fail early on an unknown camera or a non-renderable env
        let renderer = Renderer()
        var tiles: [ContactSheetFrame] = []
        var files: [String] = []
        var renderTimes: [Double] = [], pngTimes: [Double] = []
        var episodes: [Summary.EpisodeSummary] = []
        let clock = ContinuousClock()
        func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1e3 + Double(d.components.attoseconds) * 1e-15 }

        func frame(episode: Int, step: Int, reward: Double, success: Bool?, observation: [Float]) throws {
            var image: Image?
            let scene = try SceneExport.scene(of: env, camera: options.camera, observation: observation)
            renderTimes.append(ms(try clock.measure { image = try renderer.render(scene: scene, width: options.width, height: options.height) }))
            guard let image else { return }
            let name = String(format: "ep%02d-step%04d.png", episode, step)
            do {
                pngTimes.append(ms(try clock.measure { try PNG.write(image, to: dir + "/" + name) }))
            } catch { throw Failure.output(dir, "\(error)") }
            files.append(name)
            var caption = ["ep \(episode) step \(step)", "reward \(TextFormat.fixed(reward, decimals: 3))"]
            if let success { caption.append(success ? "success" : "no success") }
            tiles.append(ContactSheetFrame(image: image, caption: caption))
        }

        for e in 0..<options.episodes {
            let seed = SeededGenerator.derive(options.seed, "render/\(e)")
            let o = try EpisodeCursor.playEvaluationEpisode(env, policy, seed: seed, onReset: { obs in
                try frame(episode: e, step: 0, reward: 0, success: nil, observation: obs)
            }, onStep: { c, t in
                if c.length % options.every == 0 || t.status.isDone {
                    try frame(episode: e, step: c.length, reward: t.reward, success: c.lastSuccess, observation: t.nextObservation)
                }
            })
            episodes.append(.init(steps: o.steps, episodeReturn: o.episodeReturn, success: o.success))
        }
        let picked = tiles.count <= options.maxTiles ? tiles
            : (0..<options.maxTiles).map { tiles[$0 * (tiles.count - 1) / (options.maxTiles - 1)] }
        let columns = picked.count <= 4 ? picked.count : (picked.count <= 9 ? 3 : (picked.count <= 16 ? 4 : 6))
        let tile = min(options.width, 320)
        let sheet = try ContactSheet.compose(picked, style: ContactSheetStyle(columns: max(1, columns), textScale: tile >= 240 ? 2 : 1,
                                                                            tileWidth: tile, tileHeight: tile * options.height / options.width))
        do { try PNG.write(sheet, to: dir + "/contact-sheet.png") } catch { throw Failure.output(dir, "\(error)") }
        func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s.isEmpty ? 0 : s[s.count / 2] }
        return Summary(environment: env.id, agent: agentName, camera: cameraName, task: task, episodes: episodes, frames: files,
                       contactSheet: "contact-sheet.png", renderMillisecondsPerFrame: median(renderTimes), pngMillisecondsPerFrame: median(pngTimes))
    }
}

extension Registry {
    /// The frozen tasks of the first registered benchmark that runs environment `id`, test split
    /// first, then train (empty if no benchmark uses it).
    public static func frozenTasks(forEnvironment id: String, assets: String? = nil) throws -> (benchmark: String, entries: [TaskSetEntry])? {
        for b in benchmarks {
            let set = try b.taskSet(assets: assets)
            let entries = (set.test + set.train).filter { $0.env == id }
            if !entries.isEmpty { return (b.id, entries) }
        }
        return nil
    }
}
