import Foundation
import MRCore
@testable import MRScoring
import Testing

/// The leaderboard pages (issue 20): ML10 first, then the benchmark × agent summary; published
/// figures as marked reference rows naming their source; curve axes that do not magnify noise.
@Suite("Leaderboard pages")
struct PagesTests {
    static func entry(_ benchmark: String, _ agent: String, privileged: Bool = false) -> LeaderboardEntry.Document {
        try! LeaderboardEntry.Document(json: setting(setting(setting(EntryCheckTests.complete, "benchmark.id", .string(benchmark)),
                                                             "agent.name", .string(agent)), "agent.privileged", .bool(privileged)))
    }

    static let references = try! LeaderboardPages.Reference.parse(try! JSONText.parse("""
    {"figures": [{"benchmark": "ml10-v2", "agent": "RL²", "metric": "success", "train": 0.869, "test": 0.358,
                  "source": "Yu et al. 2019", "setting": "Meta-World (MuJoCo)"}]}
    """))

    static let entries = [entry("ant-dir-v2", "random"), entry("ml10-v2", "random"), entry("ml10-v2", "expert", privileged: true),
                          entry("point-nav-v1", "rl2"), entry("point-nav-v1", "random")]

    @Test func ml10ComesFirstThenTheSummaryOfEveryBenchmarkAndAgent() throws {
        for page in [LeaderboardPages.markdown(Self.entries, references: Self.references),
                     LeaderboardPages.html(Self.entries, references: Self.references)] {
            let ml10 = try #require(page.range(of: "ml10-v2"))
            let summary = try #require(page.range(of: "All benchmarks"))
            let ant = try #require(page.range(of: "ant-dir-v2"))
            #expect(ml10.lowerBound < summary.lowerBound && summary.lowerBound < ant.lowerBound)
        }
        let md = LeaderboardPages.markdown(Self.entries, references: Self.references)
        // Columns: random, the trained baselines, privileged last; an empty cell where an agent has no entry.
        #expect(md.contains("| benchmark | metric | random | rl2 | expert (privileged) |"), "\(md)")
        let mean = try #require(EntryCheckTests.complete["results"]?["overall"]?["mean"]?.doubleValue)
        let m = LeaderboardPages.fmt(mean)
        #expect(md.contains("| ant-dir-v2 | success | \(m) | · | · |") && md.contains("| ml10-v2 | success | \(m) | · | \(m) |")
                && md.contains("| point-nav-v1 | success | \(m) | \(m) | · |"), "\(md)")
    }

    @Test func publishedFiguresAreMarkedReferenceRowsNamingTheirSource() throws {
        let md = LeaderboardPages.markdown(Self.entries, references: Self.references)
        #expect(md.contains("| *RL² (published reference)* | reference | *35.8% meta-test (86.9% meta-train)* (Meta-World (MuJoCo)) |"), "\(md)")
        #expect(md.contains("Reference RL²: Yu et al. 2019."))
        let html = LeaderboardPages.html(Self.entries, references: Self.references)
        #expect(html.contains("<tr class=\"ref\"><td>RL² <span class=\"mark\">(published reference)</span></td>"))
        // Only under its benchmark.
        #expect(md.components(separatedBy: "published reference)").count == 2)
        #expect(throws: (any Error).self) { try LeaderboardPages.Reference.parse(try JSONText.parse("{\"figures\": [{\"benchmark\": \"x\"}]}")) }
    }

    @Test func curveAxesDoNotMagnifyNoise() {
        // A flat return curve around -250 with ±1 of noise: the axis spans at least half its magnitude.
        let r = LeaderboardPages.axisRange([-251, -249.5, -250.2, -250.9], metric: "return")
        #expect(r.hi - r.lo >= 125 && r.lo <= -251 && r.hi >= -249.5)
        // A real spread keeps its range (rounded out to ticks).
        let wide = LeaderboardPages.axisRange([-300, 0, 150], metric: "return")
        #expect(wide.lo <= -300 && wide.hi >= 150 && wide.hi - wide.lo <= 600)
        // Success rates always use [0, 1].
        let s = LeaderboardPages.axisRange([0.01, 0.012], metric: "success")
        #expect(s.lo == 0 && s.hi == 1)
    }
}
