import Foundation
import Testing

/// End-to-end tests of the `mrbench` executable (built with the tests, beside the test bundle).
@Suite("mrbench command line")
struct CLITests {
    func run(_ args: [String]) throws -> MrbenchProcess.Run { try MrbenchProcess.run(args) }

    func json(_ s: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(s.utf8)) as? [String: Any])
    }

    @Test func versionPrintsTheVersion() throws {
        let r = try run(["--version"])
        #expect(r.status == 0)
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    }

    @Test func listJSONHasTheDocumentedShape() throws {
        let r = try run(["list", "--json"])
        #expect(r.status == 0)
        let j = try json(r.stdout)
        let envs = try #require(j["environments"] as? [[String: Any]])
        let pendulum = try #require(envs.first { $0["id"] as? String == "pendulum-v1" })
        #expect(pendulum["observationSize"] as? Int == 3)
        #expect(pendulum["actionSize"] as? Int == 1)
        #expect(pendulum["horizon"] as? Int == 200)
        #expect(pendulum["controlTimestep"] as? Double == 0.05)
        #expect(pendulum["tags"] is [String])
        #expect(j["benchmarks"] is [Any])
        let agents = try #require(j["agents"] as? [[String: Any]])
        #expect(agents.contains { $0["id"] as? String == "random" && $0["kind"] as? String == "builtin" })
        // Deterministic: the same bytes twice.
        #expect(try run(["list", "--json"]).stdout == r.stdout)
    }

    @Test func checkEnvPassesAndReportsJSON() throws {
        let r = try run(["check-env", "pendulum-v1", "--steps", "500", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let results = try #require(try json(r.stdout)["results"] as? [[String: Any]])
        #expect(results.count == 1)
        #expect(results[0]["passed"] as? Bool == true)
        #expect(results[0]["steps"] as? Int == 500)
        let checks = try #require(results[0]["checks"] as? [[String: Any]])
        #expect(checks.count == 7 && checks.allSatisfy { $0["passed"] as? Bool == true && $0["detail"] is String })
        #expect(results[0]["maxSpeed"] is Double && results[0]["maxAbsObservation"] is Double)
    }

    @Test func unknownEnvironmentFailsWithAClearMessage() throws {
        let r = try run(["check-env", "no-such-env-v1"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("unknown environment 'no-such-env-v1'"))
        let b = try run(["bench", "no-such-env-v1"])
        #expect(b.status != 0 && b.stderr.contains("unknown environment"))
    }

    @Test func benchReportsFigures() throws {
        let r = try run(["bench", "pendulum-v1", "--steps", "2000", "--threads", "2", "--json"])
        #expect(r.status == 0, "\(r.stderr)")
        let j = try json(r.stdout)
        let res = try #require((j["results"] as? [[String: Any]])?.first)
        #expect(res["id"] as? String == "pendulum-v1")
        #expect(res["threads"] as? Int == 2)
        #expect(res["steps"] as? Int == 4000)
        #expect((res["stepsPerSecond"] as? Double ?? 0) > 0)
        #expect((res["physicsMicrosecondsPerSubstep"] as? Double ?? 0) > 0)
        // Always reported: the variable's value, or null when it is unset (the test runs with it unset and set).
        let coretype = try #require(j["openblasCoretype"])
        #expect(coretype is NSNull || coretype is String)
        let unset = try MrbenchProcess.run(["bench", "pendulum-v1", "--steps", "10", "--json"], environment: ["OPENBLAS_CORETYPE": nil])
        #expect(try json(unset.stdout)["openblasCoretype"] is NSNull, "\(unset.stdout)")
        let set = try MrbenchProcess.run(["bench", "pendulum-v1", "--steps", "10", "--json"], environment: ["OPENBLAS_CORETYPE": "Haswell"])
        #expect(try json(set.stdout)["openblasCoretype"] as? String == "Haswell", "\(set.stdout)")
    }

    @Test func badArgumentsAreRefused() throws {
        #expect(try run(["bench", "pendulum-v1", "--threads", "0"]).status != 0)
        #expect(try run(["check-env", "pendulum-v1", "--steps", "-5"]).status != 0)
        let missingAssets = try run(["check-env", "pendulum-v1", "--steps", "10", "--assets", "/nonexistent/assets"])
        #expect(missingAssets.status != 0)
        #expect(missingAssets.stdout.contains("/nonexistent/assets"))
    }
}
