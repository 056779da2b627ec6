import MRCore
import MRPhysics
import Testing
@testable import MRSuite

/// The ML10-style Sawyer suite: shaping vocabulary, observation layout and hidden goal, reward
/// range, expert thresholds and reward conditions on a sample of frozen goals.
@Suite("ML10 manipulation")
struct ManipulationTests {
    // MARK: shaping vocabulary (values computed with Metaworld's reward_utils formulas in Python/NumPy)

    @Test func toleranceMatchesMetaworld() {
        #expect(Shaping.tolerance(0.03, bounds: (0, 0.05), margin: 0.5) == 1)
        #expect(abs(Shaping.tolerance(0.3, bounds: (0, 0.05), margin: 0.5) - 0.3076923076923077) < 1e-12)
        #expect(abs(Shaping.tolerance(-0.2, bounds: (0, 0.05), margin: 0.4) - 0.3076923076923077) < 1e-12)
        #expect(abs(Shaping.tolerance(0.55, bounds: (0, 0.05), margin: 0.5) - 0.1) < 1e-12)  // value at margin
        #expect(abs(Shaping.tolerance(0.3, bounds: (0, 0.05), margin: 0.5, sigmoid: .gaussian) - 0.5623413251903491) < 1e-12)
        #expect(Shaping.tolerance(0.3, bounds: (0, 0.05), margin: 0) == 0)
    }

    @Test func hamacherMatchesMetaworld() {
        #expect(abs(Shaping.hamacher(0.3, 0.6) - 0.25) < 1e-12)
        #expect(abs(Shaping.hamacher(1, 0.2) - 0.2) < 1e-12)
        #expect(Shaping.hamacher(0, 0) == 0)
    }

    @Test func gripperCagingMatchesMetaworld() {
        let o = Vec3(0.05, 0.65, 0.02), oi = Vec3(0, 0.62, 0.02), ti = Vec3(0, 0.6, 0.17)
        func c(_ l: Double, _ r: Double, _ tcp: Vec3, _ d: Shaping.Density) -> Double {
            Shaping.gripperCaging(Shaping.CagingInput(leftPadY: l, rightPadY: r, tcp: tcp, initialTcp: ti, object: o, initialObject: oi, effort: 0.5),
                                  objectRadius: 0.015, padSuccessThreshold: 0.05, objectReachRadius: 0.01, xzThreshold: 0.005, density: d)
        }
        #expect(c(0.71, 0.57, Vec3(0.03, 0.64, 0.08), .low) == 0)
        #expect(abs(c(0.71, 0.57, Vec3(0.03, 0.64, 0.08), .medium) - 0.21593934274016857) < 1e-12)
        #expect(abs(c(0.71, 0.57, Vec3(0.03, 0.64, 0.08), .high) / 1.0699610802151262e-31 - 1) < 1e-6)
        #expect(abs(c(0.672, 0.628, Vec3(0.051, 0.65, 0.021), .low) - 0.5) < 1e-12)
    }

    @Test func localCagingMatchesMetaworld() {
        // Values computed with Meta-World v3's pick-place / sweep / sweep-into caging code (reward_utils).
        let oi = Vec3(0, 0.62, 0.02), ti = Vec3(0, 0.6, 0.15), o = Vec3(0.05, 0.65, 0.02)
        func c(_ l: Double, _ r: Double, _ tcp: Vec3, effort: Double, radius: Double, xz: Double, _ kind: Shaping.LocalCaging) -> Double {
            Shaping.localCaging(Shaping.CagingInput(leftPadY: l, rightPadY: r, tcp: tcp, initialTcp: ti, object: o, initialObject: oi, effort: effort),
                                initialLeftPadY: 0.648, initialRightPadY: 0.552, objectRadius: radius, xzThreshold: xz, kind: kind)
        }
        #expect(abs(c(0.71, 0.57, Vec3(0.03, 0.64, 0.08), effort: 0.5, radius: 0.015, xz: 0.005, .effort) - 0.07288251924033538) < 1e-12)
        #expect(abs(c(0.672, 0.628, Vec3(0.051, 0.65, 0.021), effort: 0.5, radius: 0.015, xz: 0.005, .effort) - 0.75) < 1e-12)
        #expect(abs(c(0.71, 0.57, Vec3(0.03, 0.64, 0.08), effort: 0.5, radius: 0.02, xz: 0.005, .padsGripping(gripMargin: 0.03)) - 0.07288251924033538) < 1e-12)
        #expect(abs(c(0.675, 0.625, Vec3(0.051, 0.65, 0.021), effort: -1, radius: 0.02, xz: 0.01, .padsGripping(gripMargin: 0.025)) - 1) < 1e-12)
    }

    // MARK: the rig's timing (Meta-World v3, measured with tools/fidelity/rig_compare.py)

    @Test func rigMatchesMetaworldTiming() throws {
        let env = try SawyerEnvironment<PickPlaceTask>()
        var o = env.reset(seed: 0)
        #expect(abs(Double(o[2]) - (0.2 - SawyerRig.restingSag)) < 1e-6)
        #expect(abs(env.rig.handPosition.z - env.rig.tcp.z - 0.045) < 1e-6)     // tcp 4.5 cm below the hand
        #expect(o[3] == 1)                                                       // open: 0.1 apart
        // Fingers: half closed after 9 steps (Meta-World: 9), not after 2.
        var opening: [Float] = [o[3]]
        for _ in 0..<20 { o = try env.step([0, 0, 0, 1]).observation; opening.append(o[3]) }
        let half = (opening[0] + opening[20]) / 2
        #expect(opening.firstIndex { $0 <= half } == 9)
        #expect(abs(Double(opening[20]) - 0.3) < 0.01)
        // Hand: 20 steps of +x move it 16.4 cm (Meta-World 16.2), not 18.8.
        o = env.reset(seed: 0)
        let x0 = o[0]
        for _ in 0..<20 { o = try env.step([1, 0, 0, -1]).observation }
        #expect(abs(Double(o[0] - x0) - 0.162) < 0.01)
    }

    // MARK: observation

    @Test func layoutNamesEveryRangeAndGoalIsVisibleOutsideBenchmarks() throws {
        let env = try SawyerEnvironment<PickPlaceTask>()
        #expect(env.observationLayout.count == 39)
        #expect(env.observationLayout.range(of: "goal_pos") == 36..<39)
        #expect(env.observationLayout.range(of: "prev_hand_pos") == 18..<21)
        #expect(env.observationLayout.range(of: "object2_quat") == 14..<18)
        let d = SawyerGoal(object: Vec3(0.05, 0.65, 0.02), goal: Vec3(-0.05, 0.85, 0.2))
        try env.setTask(d)
        let o = env.reset(seed: 1)
        #expect(Array(o[36..<39]) == [Float(-0.05), Float(0.85), Float(0.2)])
        #expect(Array(o[0..<18]) == Array(o[18..<36]))          // previous := current on reset
        #expect(abs(Double(o[4]) - 0.05) < 1e-3 && abs(Double(o[5]) - 0.65) < 1e-3)
        #expect(abs(Double(o[1]) - 0.6) < 1e-6 && abs(Double(o[2]) - (0.2 - SawyerRig.restingSag)) < 1e-3)  // hand hanging at its start
    }

    static let benchmarkIDs = ManipulationFamilies.benchmarks.map(\.id)

    @Test(arguments: benchmarkIDs)
    func goalIsZeroInBenchmarkObservations(id: String) throws {
        let b = try Registry.benchmark(id)
        #expect(b.hidesGoal)
        let set = try b.taskSet()
        var g = SeededGenerator(seed: 3)
        for entry in [set.train[0], set.test[0]] {
            let env = try b.makeEnvironment(entry)
            var o = env.reset(seed: 0)
            #expect(Array(o[36..<39]) == [0, 0, 0])
            for _ in 0..<20 {
                o = try env.step(env.actionSpace.sample(using: &g)).observation
                #expect(Array(o[36..<39]) == [0, 0, 0])
            }
        }
    }

    // MARK: rewards, experts, success

    /// Per task: the reward term and threshold of Meta-World's success condition.
    static let successTerm: [String: (String, Double)] = [
        "reach": ("tcp_to_goal", 0.05), "push": ("obj_to_goal", 0.05), "pick-place": ("obj_to_goal", 0.07),
        "drawer-open": ("handle_to_goal", 0.03), "drawer-close": ("handle_to_goal", 0.065),
        "button-press-topdown": ("button_to_goal", 0.024), "door-open": ("handle_to_goal_x", 0.08),
        "door-close": ("handle_to_goal", 0.08), "window-open": ("handle_to_goal_x", 0.05),
        "sweep": ("obj_to_goal", 0.05), "sweep-into": ("obj_to_goal", 0.05), "shelf-place": ("obj_to_goal", 0.07),
        "basketball": ("obj_to_goal_scaled", 0.08), "peg-insert-side": ("head_to_goal_scaled", 0.07), "lever-pull": ("angle_error", Double.pi / 24),
    ]

    struct Rollout { var ret = 0.0; var success = false; var minObjectZ = Double.infinity }

    static func run(_ env: any Environment, _ policy: any Policy, task: String) throws -> Rollout {
        policy.beginTrial(seed: 5)
        policy.beginEpisode(phase: .evaluation)
        var cursor = EpisodeCursor(env, seed: 0, horizon: env.horizon)
        var r = Rollout()
        let (term, threshold) = successTerm[task] ?? ("", 0)
        while !cursor.isDone {
            let t = try cursor.step(policy.act(cursor.observation))
            let info = cursor.lastInfo ?? StepInfo()
            #expect(t.reward >= 0 && t.reward <= 10, "\(task): reward \(t.reward) outside [0, 10]")
            if info.success == true {
                r.success = true
                let v = info.terms.first { $0.name == term }?.value
                #expect(v != nil && v! <= threshold + 1e-12, "\(task): success with \(term) = \(String(describing: v))")
            }
            r.ret += t.reward
            r.minObjectZ = min(r.minObjectZ, Double(t.nextObservation[6]))
        }
        return r
    }

    @Test func everyTaskHasItsSuccessTerm() {
        for t in ManipulationFamilies.families { #expect(Self.successTerm[t.name] != nil, "\(t.name)") }
        #expect(ManipulationFamilies.families.count == 17)
        #expect(Set(ManipulationFamilies.families.map(\.name)).count == 15)
        #expect(ManipulationFamilies.benchmarks.map(\.id).contains("ml10-v2"))
        #expect(ManipulationFamilies.benchmarks.map(\.id).contains("ml10-v3"))
    }

    /// `ml10-v3` is `ml10-v2` with basketball and lever-pull at version 3: the same goals, in the same
    /// order, only those two tasks' environment ids differ.
    @Test func ml10V3ChangesOnlyBasketballAndLeverPull() throws {
        let v2 = try Registry.benchmark("ml10-v2").taskSet(), v3 = try Registry.benchmark("ml10-v3").taskSet()
        for (a, b) in zip(v2.train + v2.test, v3.train + v3.test) {
            #expect(a.stratum == b.stratum && a.params == b.params)
            let changed = a.stratum == "basketball" || a.stratum == "lever-pull"
            #expect(b.env == (changed ? "ml10/\(a.stratum)-v3" : a.env), "\(b.env)")
        }
        #expect(v2.train.count == v3.train.count && v2.test.count == v3.test.count)
        #expect(try Registry.benchmark("ml1-basketball-v3").taskSet().test.map(\.params) == (try Registry.benchmark("ml1-basketball-v2").taskSet().test.map(\.params)))
    }

    /// MuJoCo's contact on Meta-World's 0.1 kg ball as ODE's ERP/CFM: the spring it stands for
    /// (K = ERP/(h·CFM)) lets 120 N press the ball 7.9 mm into the table (Meta-World 3.1.1: 7.8 mm).
    @Test func mujocoContactMappingReproducesTheBallsSinking() {
        let m = BasketballV3Task.againstDefault, h = SawyerRig.timestep
        let stiffness = m.erp / (h * m.cfm), damping = (1 - m.erp) / m.cfm
        #expect(abs(120 / stiffness - 0.0079) < 0.0002)
        #expect(abs(damping - 444) < 5)
        #expect(abs(m.erp - 0.079) < 0.001 && abs(m.cfm - 2.07e-3) < 0.02e-3)
        let pads = BasketballV3Task.againstPads
        #expect(abs(pads.erp / (h * pads.cfm) - 101_000) < 1_000 && pads.friction == 2)
        // MuJoCo's friction creeps at F/C: ODE's force-dependent slip 1/C.
        #expect(abs(m.slip * damping - 1) < 1e-9 && abs(pads.slip - 1 / 2_000) < 1e-5)
        #expect(ContactMaterial().slip == 0)
        // The lever's ball (effective mass 0.028 kg): 4.3 kN/m against the hand, 28 kN/m against the pads.
        let lever = LeverPullV3Task.againstHand, leverPads = LeverPullV3Task.againstPads
        #expect(abs(lever.erp / (h * lever.cfm) - 4_276) < 50 && abs(leverPads.erp / (h * leverPads.cfm) - 28_280) < 300)
    }

    /// Lever-pull v3's lever is Meta-World's: light and damped. Let go at 45°, half a second later it has
    /// barely moved (v2's heavy arm has fallen back onto its stop at 0).
    @Test func leverV3IsLightAndDamped() throws {
        func fall<T: SawyerTask>(_ env: SawyerEnvironment<T>) throws -> Double {
            _ = env.reset(seed: 0)
            let sim = env.simulation, link = try env.rig.body("lever_link"), joint = try env.rig.joint("LeverAxis")
            // The link's frame sits on the hinge axis (−x): turn it 45° up about that axis.
            let pose = sim.bodyPose(link)
            try sim.setBodyState(link, pose: Transform(position: pose.position, rotation: Quat(axis: Vec3(-1, 0, 0), angle: Double.pi / 4)))
            #expect(abs(sim.jointPosition(joint) - Double.pi / 4) < 1e-6)
            for _ in 0..<40 { _ = try env.step([0, 0, 0, -1]) }
            return sim.jointPosition(joint)
        }
        let a2 = try fall(try SawyerEnvironment<LeverPullTask>()), a3 = try fall(try SawyerEnvironment<LeverPullV3Task>())
        #expect(a2 < 0.05, "v2 fell to \(a2)")
        #expect(a3 > Double.pi / 4 - 0.01, "v3 sank to \(a3)")
    }

    @Test(arguments: zip(ManipulationFamilies.families.map(\.name), ManipulationFamilies.families.map(\.version)))
    func expertSucceedsAndBeatsRandom(task: String, version: Int) throws {
        let b = try Registry.benchmark("ml1-\(task)-v\(version)")
        let set = try b.taskSet()
        var expertReturn = 0.0, randomReturn = 0.0
        for entry in [set.train[0], set.train[1], set.test[0]] {
            let env = try b.makeEnvironment(entry)
            let expert = try #require(try b.makeExpert(entry))
            let e = try Self.run(env, expert, task: task)
            #expect(e.success, "\(task): expert failed on \(entry.params)")
            let r = try Self.run(env, RandomPolicy(actionSpace: env.actionSpace, seed: 9), task: task)
            expertReturn += e.ret; randomReturn += r.ret
            // Objects never sink into the table (pucks rest at z = 0.02; handles and buttons sit higher).
            #expect(e.minObjectZ > 0.012 && r.minObjectZ > 0.012, "\(task): object 1 went down to z = \(min(e.minObjectZ, r.minObjectZ))")
        }
        #expect(expertReturn > 2 * randomReturn + 1_000, "\(task): expert return \(expertReturn) vs random \(randomReturn)")
    }
}
