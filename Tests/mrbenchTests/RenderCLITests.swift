import Foundation
import Testing

/// `mrbench render`, `experts` and `tasksets` end to end.
extension CLITests {
    static func scratchDirectory(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("mrbench-\(name)-\(UInt32.random(in: 0...UInt32.max))").path
    }

    @Test func renderWritesFramesAContactSheetAndASummary() throws {
        let dir = Self.scratchDirectory("render")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try run(["render", "--env", "cube-nav-v1", "--agent", "expert", "--every", "10", "--size", "64x48", "--out", dir, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try json(r.stdout)
        let frames = try #require(j["frames"] as? [String])
        #expect(frames.count == 6)  // steps 0, 10, 20, 30, 40, 50
        for f in frames + ["contact-sheet.png"] {
            let d = try #require(FileManager.default.contents(atPath: dir + "/" + f), "\(f) missing")
            #expect(d.starts(with: [0x89, 0x50, 0x4E, 0x47]), "\(f) is not a PNG")
        }
        let episodes = try #require(j["episodes"] as? [[String: Any]])
        #expect(episodes.first?["success"] as? Bool == true)
        // The same command renders the same frames (deterministic rollouts and rasteriser).
        let again = Self.scratchDirectory("render2")
        defer { try? FileManager.default.removeItem(atPath: again) }
        #expect(try run(["render", "--env", "cube-nav-v1", "--agent", "expert", "--every", "10", "--size", "64x48", "--out", again]).status == 0)
        #expect(FileManager.default.contents(atPath: dir + "/ep00-step0030.png") == FileManager.default.contents(atPath: again + "/ep00-step0030.png"))
    }

    @Test func renderRefusesBadInputClearly() throws {
        let unknown = try run(["render", "--env", "no-such-env-v1", "--out", Self.scratchDirectory("x")])
        #expect(unknown.status != 0 && unknown.stderr.contains("unknown environment 'no-such-env-v1'"))
        for size in ["0x0", "100000x100000", "12", "abcxdef"] {
            let r = try run(["render", "--env", "point-nav-v1", "--size", size, "--out", Self.scratchDirectory("x")])
            #expect(r.status != 0 && r.stderr.contains("--size"), "size \(size): \(r.stderr)")
        }
        let unwritable = try run(["render", "--env", "point-nav-v1", "--out", "/proc/mrbench-cannot-write-here"])
        #expect(unwritable.status != 0 && unwritable.stderr.contains("cannot write to output directory /proc/mrbench-cannot-write-here"), "\(unwritable.stderr)")
        let camera = try run(["render", "--env", "point-nav-v1", "--camera", "nope", "--out", Self.scratchDirectory("x")])
        #expect(camera.status != 0 && camera.stderr.contains("unknown camera 'nope'") && camera.stderr.contains("top"), "\(camera.stderr)")
        let noExpert = try run(["render", "--env", "pendulum-v1", "--agent", "expert", "--out", Self.scratchDirectory("x")])
        #expect(noExpert.status != 0 && noExpert.stderr.contains("no scripted expert"), "\(noExpert.stderr)")
        let entry = try run(["render", "--env", "point-nav-v1", "--entry", "5000", "--out", Self.scratchDirectory("x")])
        #expect(entry.status != 0 && entry.stderr.contains("--entry 5000 is out of range"), "\(entry.stderr)")
        // `--task`, the old name of `--entry`, is still read (hidden from the help).
        let task = try run(["render", "--env", "point-nav-v1", "--task", "5000", "--out", Self.scratchDirectory("x")])
        #expect(task.status != 0 && task.stderr.contains("--entry 5000 is out of range"), "\(task.stderr)")
        let both = try run(["render", "--env", "point-nav-v1", "--entry", "1", "--task", "1", "--out", Self.scratchDirectory("x")])
        #expect(both.status != 0 && both.stderr.contains("old name of --entry"), "\(both.stderr)")
        let help = try run(["render", "--help"])
        #expect(help.stdout.contains("--entry") && !help.stdout.contains("--task"), "\(help.stdout)")
    }

    /// `render` accepts what `evaluate` accepts: an external agent speaking the wire protocol.
    @Test func renderDrivesAnExternalAgent() throws {
        let dir = Self.scratchDirectory("render-cmd")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let agent = EvaluateTests.packageRoot + "/examples/agents/random_agent.py"
        let r = try run(["render", "--env", "point-nav-v1", "--agent", "cmd:python3 \(agent)", "--episodes", "2", "--every", "50",
                         "--size", "32x32", "--out", dir, "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let episodes = try #require(try json(r.stdout)["episodes"] as? [[String: Any]])
        #expect(episodes.map { $0["steps"] as? Int } == [100, 100])
        #expect(FileManager.default.fileExists(atPath: dir + "/ep01-step0100.png"))
        let bad = try run(["render", "--env", "point-nav-v1", "--agent", "cmd:python3 -c 'print(1)'", "--size", "32x32", "--out", dir])
        #expect(bad.status != 0 && bad.stderr.contains("agent"), "\(bad.stderr)")
    }

    @Test func expertsReportHasTheSharedShape() throws {
        let r = try run(["experts", "cube-nav-zones-v1", "--goals", "4", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try json(r.stdout)
        #expect(j["benchmark"] as? String == "cube-nav-zones-v1")
        let rows = try #require(j["tasks"] as? [[String: Any]])
        #expect(rows.map { $0["split"] as? String } == ["train", "test"])
        for row in rows {
            #expect(row["task"] as? String == "cube-nav" && row["goals"] as? Int == 4)
            #expect(row["expertSuccess"] as? Double == 1)
            #expect(row["randomSuccess"] is Double)
        }
        #expect(try run(["experts", "no-such-benchmark"]).stderr.contains("unknown benchmark"))
    }

    @Test func tasksetsVerifyAndCheckPass() throws {
        let v = try run(["tasksets", "verify"])
        #expect(v.status == 0, "\(v.stdout)\(v.stderr)")
        #expect(v.stdout.contains("ok    cube-nav-zones-v1"))
        let c = try run(["tasksets", "generate", "all", "--check"])
        #expect(c.status == 0 && !c.stdout.contains("WOULD CHANGE"), "\(c.stdout)")
    }
}

