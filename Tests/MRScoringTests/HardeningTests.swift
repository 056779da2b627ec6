import Foundation
import MRCore
import Testing
@testable import MRScoring

/// Bounds and checks added against hostile input: huge plans, odd versions and names, Ctrl-C.
@Suite("Scoring hardening")
struct ScoringHardeningTests {
    /// A selection of any size is computed, not stored: 40 billion trials cost nothing up front.
    @Test func trialSelectionIsLazyAndExact() throws {
        let huge = TrialSelection(total: 40 * 1_000_000_000)
        #expect(huge.count == 40_000_000_000 && huge[39_999_999_999] == 39_999_999_999)
        #expect(huge.contains(trial: 12_345_678_901) && !huge.contains(trial: 40_000_000_000) && !huge.contains(trial: -1))
        for total in [0, 1, 5, 6, 7, 30] {
            for n in 1...4 {
                for k in 1...n {
                    let shard = try Shard(index: k, count: n)
                    let s = TrialSelection(total: total, shard: shard)
                    let want = (0..<total).filter { shard.contains($0) }
                    #expect(Array(s) == want, "total \(total) shard \(k)/\(n)")
                    #expect((0..<total + 2).filter { s.contains(trial: $0) } == want)
                }
            }
        }
    }

    /// The runner walks a huge selection lazily: stopped after a few trials, it returns at once.
    @Test func runnerWalksAHugeSelectionLazily() throws {
        let runner = try lineRunner(seeds: EvaluationPlan.maxSeeds)
        let done = Counter()
        let out = runner.run(indices: TrialSelection(total: runner.plan.trialCount), threads: 2,
                             onTrial: { _, _ in done.add() }, shouldStop: { done.value >= 3 })
        #expect(out.records.count >= 3 && out.records.count <= 5)
        if case .interrupted = out.error {} else { Issue.record("expected an interruption, got \(String(describing: out.error))") }
    }

    /// --seeds beyond the bound is refused by the plan itself (no allocation, no overflow).
    @Test func seedsAreBounded() throws {
        #expect(throws: EvaluationError.self) { try EvaluationPlan(tasks: ["a"], seeds: 1_000_000_000, evaluation: lineProtocol) }
        #expect(throws: EvaluationError.self) { try EvaluationPlan(tasks: ["a"], seeds: Int.max, evaluation: lineProtocol) }
        let p = try EvaluationPlan(tasks: ["a", "b"], seeds: EvaluationPlan.maxSeeds, evaluation: lineProtocol)
        #expect(p.trialCount == 200_000 && p.trials.dropFirst(199_999).first?.index == 199_999)
    }

    @Test(arguments: [("1.0", 1), ("1.2", 1), ("1.0.3", 1), ("2.0", 2), ("1.banana", nil), ("1", nil), ("1.", nil), (".1", nil),
                      ("1.0.0.0", nil), ("-1.0", nil), ("1.0-beta", nil), ("", nil), ("１.０", nil)] as [(String, Int?)])
    func protocolVersionsAreSemantic(version: String, major: Int?) {
        #expect(AgentProtocol.major(ofVersion: version) == major)
    }

    @Test func helloWithANonNumericVersionIsRefused() {
        let hello: [String: JSONValue] = ["protocol": .string("mrbench-agent"), "version": .string("1.banana"),
                                          "agent": .object(["name": .string("a"), "version": .string("1")])]
        #expect(throws: AgentFailure.self) { try ExternalAgentSession.checkHello(hello) }
        do { _ = try ExternalAgentSession.checkHello(hello) } catch { #expect("\(error)".contains("'1.banana' is not a version number MAJOR.MINOR")) }
    }

    /// Names that would collide with mrbench's own files are refused; ordinary names pass.
    @Test(arguments: ["random.run", "x.partial", "x.shard-1-of-2", ".journal", "x.journal", "x.agent.log", "x.json", ".hidden"])
    func reservedNamesAreRefused(name: String) {
        #expect(AgentProtocol.reservedPart(ofName: name) != nil)
        let hello: [String: JSONValue] = ["protocol": .string("mrbench-agent"), "version": .string("1.0"),
                                          "agent": .object(["name": .string(name), "version": .string("1")])]
        do {
            _ = try ExternalAgentSession.checkHello(hello)
            Issue.record("\(name) was accepted")
        } catch { #expect("\(error)".contains("would collide with mrbench's own files"), "\(error)") }
    }

    @Test(arguments: ["random-py", "my.agent", "ppo_v2", "agent-1.2.3", "runner", "x.running", "logger"])
    func ordinaryNamesPass(name: String) throws {
        #expect(AgentProtocol.reservedPart(ofName: name) == nil)
    }

    /// An interruption during the agent's turn stays an interruption (not an agent error).
    @Test func interruptionIsNotAnAgentError() {
        if case .interrupted = Runner.agentError("trial 0", EvaluationError.interrupted) {} else { Issue.record("interruption became an agent error") }
        if case .agent(let m) = Runner.agentError("trial 0", AgentFailure("boom")) { #expect(m == "trial 0: boom") } else { Issue.record("not an agent error") }
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.withLock { n += 1 } }
    var value: Int { lock.withLock { n } }
}
