import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `mrbench train` end to end: repeatable bytes, kill and resume, checkpoint agents in `evaluate`.
@Suite("mrbench train", .serialized)
struct TrainCLITests {
    func mrbench(_ args: [String], timeout: Double = 300) throws -> MrbenchProcess.Run { try MrbenchProcess.run(args, timeout: timeout) }

    func tempDir(_ name: String) throws -> String { try MrbenchProcess.tempDir("train", name) }

    /// Writes a config overlay `name` into `dir`; returns its path.
    func writeConfig(_ dir: String, _ name: String, _ json: String) throws -> String {
        let path = dir + "/" + name
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A small RL² config: 4 trials of 6 episodes (2,400 steps) per iteration, one gradient step.
    func tinyConfig(_ dir: String) throws -> String {
        try writeConfig(dir, "tiny.json", #"{"metaBatch": 4, "minibatches": 1, "epochs": 1, "evaluateEvery": 2, "evaluationTasks": 2}"#)
    }

    /// `mrbench train` on point-nav with seed 5 and a checkpoint every iteration; the smoke preset
    /// with `config` laid over it, or (config nil) the run's own configuration when resuming.
    func train(_ out: String, agent: String = "rl2", config: String?, steps: Int, extra: [String] = []) throws -> MrbenchProcess.Run {
        try mrbench(["train", "--agent", agent, "--benchmark", "point-nav-v1", "--steps", "\(steps)", "--out", out,
                     "--checkpoint-seconds", "0", "--seed", "5"] + (config.map { ["--preset", "smoke", "--config", $0] } ?? []) + extra)
    }

    func bytes(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }

    /// A small MAML config: 2 tasks × 2 episodes per phase (800 steps) per iteration.
    func tinyMAMLConfig(_ dir: String) throws -> String {
        try writeConfig(dir, "tiny-maml.json", #"{"metaBatch": 2, "episodesPerTask": 2, "evaluateEvery": 2, "evaluationTasks": 1}"#)
    }

    /// A small PEARL config: 100 initial steps on each of the 90 train tasks, then 2 tasks × 200
    /// steps and 20 gradient steps per iteration (9,400 steps in the first iteration, 400 after).
    func tinyPEARLConfig(_ dir: String) throws -> String {
        try writeConfig(dir, "tiny-pearl.json", #"{"initialSteps": 100, "tasksPerIteration": 2, "gradientStepsPerIteration": 20, "evaluateEvery": 2, "evaluationTasks": 1}"#)
    }

    /// A small GARGAML / SAC+HER config: the smoke preset's 2 tasks × 1 episode per phase (400
    /// point-nav steps) and 5 gradient steps per cycle.
    func tinyGoalConfig(_ dir: String) throws -> String {
        try writeConfig(dir, "tiny-goal.json", #"{"gradientStepsPerCycle": 5, "evaluateEvery": 2, "evaluationTasks": 1}"#)
    }

    @Test func oneIterationRunsAreByteIdenticalAndWriteTheRunFolder() throws {
        let dir = try tempDir("repeat")
        let cfg = try tinyConfig(dir)
        let a = try train(dir + "/a", config: cfg, steps: 1)
        let b = try train(dir + "/b", config: cfg, steps: 1)
        #expect(a.status == 0 && b.status == 0, "\(a.stderr)\n\(b.stderr)")
        let ca = try #require(bytes(dir + "/a/checkpoint.mrnc")), cb = try #require(bytes(dir + "/b/checkpoint.mrnc"))
        #expect(ca == cb, "two runs with the same seed must write the same checkpoint")
        #expect(a.stdout.contains("iteration 1, 2400 environment steps"))
        for f in ["curve.csv", "curve.png", "config.json", "run.json"] { #expect(bytes(dir + "/a/" + f) != nil, "missing \(f)") }
        let curve = String(decoding: try #require(bytes(dir + "/a/curve.csv")), as: UTF8.self).split(separator: "\n")
        #expect(curve.count == 2 && curve[0].hasPrefix("iteration,env_steps,gradient_steps,wall_seconds,train_return"))
        // PNG signature.
        #expect(bytes(dir + "/a/curve.png")?.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
    }

    /// RL²: 6 iterations of 2,400 steps; MAML: 10 of 800; PEARL: 10 (9,400 + 9 × 400); GARGAML and
    /// SAC+HER: 10 of 400. PEARL's, GARGAML's and SAC+HER's replay buffers are restored from replay.mrnc.
    @Test(arguments: ["rl2", "maml", "pearl", "gargaml", "sac-her"])
    func killedThenResumedRunEndsByteIdentical(agent: String) throws {
        let dir = try tempDir("resume-" + agent)
        let goal = agent == "gargaml" || agent == "sac-her"
        let cfg = agent == "rl2" ? try tinyConfig(dir) : agent == "maml" ? try tinyMAMLConfig(dir) : goal ? try tinyGoalConfig(dir) : try tinyPEARLConfig(dir)
        let iterations = agent == "rl2" ? 6 : 10
        let steps = agent == "pearl" ? 9400 + 9 * 400 : iterations * (agent == "rl2" ? 2400 : goal ? 400 : 800)
        let straight = try train(dir + "/straight", agent: agent, config: cfg, steps: steps)
        #expect(straight.status == 0, "\(straight.stderr)")

        // Start the same run, kill -9 it once it has checkpointed at least twice, resume it.
        let p = Process()
        p.executableURL = MrbenchProcess.executable
        p.arguments = ["train", "--agent", agent, "--benchmark", "point-nav-v1", "--preset", "smoke", "--config", cfg,
                       "--steps", "\(steps)", "--out", dir + "/killed", "--checkpoint-seconds", "0", "--seed", "5"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(120)
        var rows = 0
        while Date() < deadline, p.isRunning {
            rows = (bytes(dir + "/killed/curve.csv").map { String(decoding: $0, as: UTF8.self).split(separator: "\n").count } ?? 0) - 1
            if rows >= 2 { break }
            usleep(20_000)
        }
        let killedEarly = p.isRunning
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(killedEarly, "the run finished before it could be killed (rows \(rows))")
        let resumed = try train(dir + "/killed", agent: agent, config: cfg, steps: steps, extra: ["--resume"])
        // --resume refuses --config; run it without.
        #expect(resumed.status != 0 && resumed.stderr.contains("--resume continues with the run's own configuration"))
        let again = try train(dir + "/killed", agent: agent, config: nil, steps: steps, extra: ["--resume"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stderr.contains("resuming"))
        let s = try #require(bytes(dir + "/straight/checkpoint.mrnc")), k = try #require(bytes(dir + "/killed/checkpoint.mrnc"))
        #expect(s == k, "the resumed run's checkpoint differs from the uninterrupted run's")
        // The curve has one row per iteration, none repeated.
        let its = String(decoding: try #require(bytes(dir + "/killed/curve.csv")), as: UTF8.self).split(separator: "\n").dropFirst()
            .map { $0.split(separator: ",")[0] }
        #expect(its == (1...iterations).map { Substring(String($0)) })
    }

    @Test func ctrlCStopsAtTheEndOfAnIterationWithACheckpoint() throws {
        let dir = try tempDir("sigint")
        let cfg = try tinyConfig(dir)
        let p = Process()
        p.executableURL = MrbenchProcess.executable
        // A long budget and no periodic checkpoints: only the stop request can write one early.
        p.arguments = ["train", "--agent", "rl2", "--benchmark", "point-nav-v1", "--preset", "smoke", "--config", cfg,
                       "--steps", "10000000", "--out", dir + "/run", "--checkpoint-seconds", "100000", "--seed", "5"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline, p.isRunning, bytes(dir + "/run/curve.csv") == nil { usleep(20_000) }
        kill(p.processIdentifier, SIGINT)
        // A watchdog: a run that ignores the request is killed, and the test fails instead of hanging.
        let watchdog = DispatchWorkItem { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        DispatchQueue.global().asyncAfter(deadline: .now() + 120, execute: watchdog)
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        watchdog.cancel()
        #expect(p.terminationStatus == 130, "\(text)")
        #expect(text.contains("stopped: iteration"))
        let ck = try #require(bytes(dir + "/run/checkpoint.mrnc"))
        #expect(ck.count > 1000)
        // The stopped run resumes.
        let r = try mrbench(["train", "--agent", "rl2", "--benchmark", "point-nav-v1", "--steps", "1", "--out", dir + "/run", "--seed", "5", "--resume"])
        #expect(r.status == 0 && r.stderr.contains("resuming"), "\(r.stderr)")
    }

    @Test func checkpointAgentIsEvaluatedWithItsProvenance() throws {
        let dir = try tempDir("evaluate")
        let cfg = try tinyConfig(dir)
        let t = try train(dir + "/run", config: cfg, steps: 2400)
        #expect(t.status == 0, "\(t.stderr)")
        let out = dir + "/rl2.json"
        let e = try mrbench(["evaluate", "--agent", "rl2:" + dir + "/run/checkpoint.mrnc", "--benchmark", "point-nav-v1", "--seeds", "1", "--output", out])
        #expect(e.status == 0, "\(e.stderr)")
        let data = try #require(bytes(out))
        let entry = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let agent = try #require(entry["agent"] as? [String: Any])
        #expect(agent["name"] as? String == "rl2" && agent["kind"] as? String == "builtin" && agent["privileged"] as? Bool == false)
        #expect((agent["checkpointDigest"] as? String)?.count == 64)
        #expect(agent["trainingSteps"] as? Int == 2400 && agent["trainingSeed"] as? String == "5")
        // The same checkpoint evaluated again gives the same entry bytes (bar the run record).
        let out2 = dir + "/rl2b.json"
        let e2 = try mrbench(["evaluate", "--agent", "rl2:" + dir + "/run/checkpoint.mrnc", "--benchmark", "point-nav-v1", "--seeds", "1", "--output", out2])
        #expect(e2.status == 0)
        #expect(bytes(out) == bytes(out2))
    }

    @Test func badTrainingInputIsRefusedWithAMessage() throws {
        let dir = try tempDir("errors")
        let cfg = try tinyConfig(dir)
        let bad = dir + "/bad.json"
        try Data(#"{"gruSzie": 3}"#.utf8).write(to: URL(fileURLWithPath: bad))
        let r1 = try train(dir + "/x", config: bad, steps: 10)
        #expect(r1.status != 0 && r1.stderr.contains("unknown key gruSzie"))
        let r2 = try mrbench(["train", "--agent", "rl2", "--benchmark", "point-nav-v1", "--steps", "10", "--out", dir + "/none", "--resume"])
        #expect(r2.status != 0 && r2.stderr.contains("no checkpoint"))
        let r3 = try mrbench(["train", "--agent", "random", "--benchmark", "point-nav-v1", "--steps", "10", "--out", dir + "/r"])
        #expect(r3.status != 0 && r3.stderr.contains("cannot be trained"))
        let ok = try train(dir + "/y", config: cfg, steps: 1)
        #expect(ok.status == 0)
        let r4 = try train(dir + "/y", config: cfg, steps: 1)
        #expect(r4.status != 0 && r4.stderr.contains("already holds a run"))
        let r5 = try mrbench(["evaluate", "--agent", "rl2:" + dir + "/bad.json", "--benchmark", "point-nav-v1", "--seeds", "1", "--output", dir + "/e.json"])
        #expect(r5.status != 0 && r5.stderr.contains("not an MRNeural checkpoint"))
        let r6 = try mrbench(["evaluate", "--agent", "rl2:" + dir + "/y/checkpoint.mrnc", "--benchmark", "ml1-reach-v2", "--seeds", "1", "--output", dir + "/f.json"])
        #expect(r6.status != 0 && r6.stderr.contains("trained for 2 observations"))
    }

    /// MAML: one iteration of 800 steps and 1 gradient step; PEARL: 9,400 steps and 20 gradient steps.
    @Test(arguments: ["maml", "pearl"])
    func runsRepeatAndAreEvaluated(agent name: String) throws {
        let maml = name == "maml"
        let dir = try tempDir(name)
        let cfg = maml ? try tinyMAMLConfig(dir) : try tinyPEARLConfig(dir)
        let steps = maml ? 800 : 9400
        // Two one-iteration runs with the same seed: the same checkpoint bytes.
        let a = try train(dir + "/a", agent: name, config: cfg, steps: 1)
        let b = try train(dir + "/b", agent: name, config: cfg, steps: 1)
        #expect(a.status == 0 && b.status == 0, "\(a.stderr)\n\(b.stderr)")
        #expect(a.stdout.contains("iteration 1, \(steps) environment steps, \(maml ? 1 : 20) gradient steps"))
        #expect(bytes(dir + "/a/checkpoint.mrnc") != nil && bytes(dir + "/a/checkpoint.mrnc") == bytes(dir + "/b/checkpoint.mrnc"))
        let header = String(decoding: try #require(bytes(dir + "/a/curve.csv")), as: UTF8.self).split(separator: "\n")[0]
        #expect(header.hasPrefix("iteration,env_steps,gradient_steps,wall_seconds," + (maml ? "train_pre_return,train_post_return" : "train_prior_return,train_posterior_return")))
        // The checkpoint agent is scored with its provenance.
        let out = dir + "/\(name).json"
        let e = try mrbench(["evaluate", "--agent", name + ":" + dir + "/a/checkpoint.mrnc", "--benchmark", "point-nav-v1", "--seeds", "1", "--output", out])
        #expect(e.status == 0, "\(e.stderr)")
        let data = try #require(bytes(out))
        let entry = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let agent = try #require(entry["agent"] as? [String: Any])
        #expect(agent["name"] as? String == name && agent["trainingSteps"] as? Int == steps && agent["trainingSeed"] as? String == "5")
        // A MAML or PEARL checkpoint is not an RL² one.
        let r = try mrbench(["evaluate", "--agent", "rl2:" + dir + "/a/checkpoint.mrnc", "--benchmark", "point-nav-v1", "--seeds", "1", "--output", dir + "/x.json"])
        #expect(r.status != 0 && r.stderr.contains("not an RL² checkpoint"))
    }

    /// GARGAML and SAC+HER: repeatable runs, the replay kept beside the checkpoint, the
    /// checkpoint agent scored with its provenance and refused under the other learner's name.
    @Test(arguments: ["gargaml", "sac-her"])
    func goalLearnersRepeatAndAreEvaluated(agent name: String) throws {
        let dir = try tempDir(name)
        let cfg = try tinyGoalConfig(dir)
        let a = try train(dir + "/a", agent: name, config: cfg, steps: 1)
        let b = try train(dir + "/b", agent: name, config: cfg, steps: 1)
        #expect(a.status == 0 && b.status == 0, "\(a.stderr)\n\(b.stderr)")
        #expect(a.stdout.contains("iteration 1, 400 environment steps, 5 gradient steps"))
        #expect(bytes(dir + "/a/checkpoint.mrnc") != nil && bytes(dir + "/a/checkpoint.mrnc") == bytes(dir + "/b/checkpoint.mrnc"))
        #expect(bytes(dir + "/a/replay.mrnc") != nil && bytes(dir + "/a/replay.mrnc") == bytes(dir + "/b/replay.mrnc"))
        let header = String(decoding: try #require(bytes(dir + "/a/curve.csv")), as: UTF8.self).split(separator: "\n")[0]
        #expect(header.hasPrefix("iteration,env_steps,gradient_steps,wall_seconds,train_pre_return,train_post_return"))
        let out = dir + "/\(name).json"
        let e = try mrbench(["evaluate", "--agent", name + ":" + dir + "/a/checkpoint.mrnc", "--benchmark", "point-nav-v1", "--seeds", "1", "--output", out])
        #expect(e.status == 0, "\(e.stderr)")
        let data = try #require(bytes(out))
        let entry = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let agent = try #require(entry["agent"] as? [String: Any])
        #expect(agent["name"] as? String == name && agent["trainingSteps"] as? Int == 400 && agent["trainingSeed"] as? String == "5")
        let other = name == "gargaml" ? "sac-her" : "gargaml"
        let r = try mrbench(["evaluate", "--agent", other + ":" + dir + "/a/checkpoint.mrnc", "--benchmark", "point-nav-v1", "--seeds", "1", "--output", dir + "/x.json"])
        #expect(r.status != 0 && r.stderr.contains("not of \(other)"))
    }

    /// Only the goal-conditioned learners train on an environment id, and only a goal-conditioned one.
    @Test func environmentIdsTrainOnlyGoalConditionedLearners() throws {
        let dir = try tempDir("envid")
        let r1 = try mrbench(["train", "--agent", "rl2", "--benchmark", "fetch-reach-v1", "--steps", "1", "--out", dir + "/a"])
        #expect(r1.status != 0 && r1.stderr.contains("is an environment, not a benchmark"))
        let r2 = try mrbench(["train", "--agent", "sac-her", "--benchmark", "point-nav-v1-nope", "--steps", "1", "--out", dir + "/b"])
        #expect(r2.status != 0 && r2.stderr.contains("unknown benchmark"))
        let r3 = try mrbench(["train", "--agent", "sac-her", "--benchmark", "pendulum-v1", "--steps", "1", "--out", dir + "/c"])
        #expect(r3.status != 0 && r3.stderr.contains("not a goal-conditioned environment"))
    }
}
