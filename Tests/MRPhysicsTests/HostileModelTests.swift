import Foundation
import MRCore
import Testing
@testable import MRPhysics

/// Model files made to break the loader or the engine are refused with a `ModelError` naming file,
/// line and attribute; none crashes the process (before these checks: SIGABRT in ODE, SIGSEGV in the reader).
@Suite("MJCF loader against hostile models")
struct HostileModelTests {
    func refusal(_ text: String) throws -> ModelError {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mrbench-hostile-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("model.xml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        do {
            let m = try MJCFLoader.load(path: path)
            for _ in 0..<10 { try m.simulation.step() }
        } catch let e as ModelError {
            return e
        }
        Issue.record("the model loaded but should have been refused")
        throw CancellationError()
    }

    static func pendulum(mass: String = "1", density: String? = nil, size: String = "0.045") -> String {
        """
        <mujoco>
          <worldbody>
            <body name="pole">
              <joint name="hinge" type="hinge" axis="0 1 0"/>
              <geom type="capsule" fromto="0 0 0 0 0 1" size="\(size)" \(density.map { "density=\"\($0)\"" } ?? "mass=\"\(mass)\"")/>
            </body>
          </worldbody>
        </mujoco>
        """
    }

    /// A body mass of 1e300 aborted the process inside ODE; now it is outside the supported numbers.
    @Test func hugeMassIsRefused() throws {
        let e = try refusal(Self.pendulum(mass: "1e300"))
        #expect(e.line == 5 && e.attribute == "mass" && e.description.contains("1e300 is outside the supported range"), "\(e)")
    }

    /// Each number of a model is bounded, and so is the mass a body ends up with.
    @Test(arguments: [
        (pendulum(mass: "2e6"), "outside the supported range"),
        (pendulum(density: "1e-300"), "mass"),
        (pendulum(density: "1e-9"), "has a mass of"),
        (pendulum(size: "1e-12"), "≥ 0.0001 m"),
        (pendulum(density: "900000", size: "20"), "has a mass of"),
        ("<mujoco><option timestep=\"1e9\"/><worldbody/></mujoco>", "outside the supported range"),
        ("<mujoco><worldbody><body pos=\"0 0 -1e300\"><freejoint/><geom size=\"0.1\"/></body></worldbody></mujoco>", "outside the supported range"),
    ])
    func outOfRangeNumbersAreRefused(model: String, message: String) throws {
        let e = try refusal(model)
        #expect(e.description.contains(message), "\(e)")
    }

    /// 100,000 nested <body> elements overflowed the stack in the XML reader.
    @Test func deepNestingIsRefused() throws {
        let n = 100_000
        let text = "<mujoco><worldbody>" + String(repeating: "<body>", count: n) + String(repeating: "</body>", count: n) + "</worldbody></mujoco>"
        let e = try refusal(text)
        #expect(e.description.contains("nested more than \(XMLReader.maxDepth) levels deep"), "\(e)")
        // The limit leaves room for any real model: 200 levels still parse.
        let ok = "<mujoco>" + String(repeating: "<default>", count: 1) + "</default>" + "<worldbody>" + String(repeating: "<body>", count: 200)
            + String(repeating: "</body>", count: 200) + "</worldbody></mujoco>"
        #expect(throws: Never.self) { _ = try XMLReader.parse(ok, file: "deep.xml") }
    }

    /// A file that includes itself ends at the include limit instead of recursing forever.
    @Test func selfIncludeIsRefused() throws {
        let e = try refusal("<mujoco>\n<include file=\"model.xml\"/>\n<worldbody/>\n</mujoco>")
        #expect(e.attribute == "file" && e.description.contains("includes are nested more than"), "\(e)")
    }

    /// The loader hands every file it reads to `checkFile` first (the registry's manifest check), includes too.
    @Test func everyFileReadIsCheckedFirst() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mrbench-check-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "<mujoco><worldbody><body name=\"ball\"><freejoint/><geom size=\"0.1\"/></body></worldbody></mujoco>".write(toFile: dir + "/part.xml", atomically: true, encoding: .utf8)
        try "<mujoco><include file=\"part.xml\"/></mujoco>".write(toFile: dir + "/main.xml", atomically: true, encoding: .utf8)
        var seen: [String] = []
        _ = try MJCFLoader.load(path: dir + "/main.xml", checkFile: { seen.append($0) })
        #expect(seen == [dir + "/main.xml", dir + "/part.xml"])
        struct Refused: Error {}
        #expect(throws: Refused.self) { try MJCFLoader.load(path: dir + "/main.xml", checkFile: { if $0.hasSuffix("part.xml") { throw Refused() } }) }
    }
}
