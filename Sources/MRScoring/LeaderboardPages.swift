import Foundation
import MRCore

/// `leaderboard/LEADERBOARD.md` and `leaderboard/index.html` from the entries: per benchmark, a
/// table of agents (competitors ranked by their mean; privileged agents below as an upper
/// reference), the per-task scores and, in the HTML page, the adaptation curves as inline SVG.
public enum LeaderboardPages {
    /// A published figure shown as a marked reference row (from `leaderboard/references.json`):
    /// not a run of mrbench, and on the original implementation of the benchmark.
    public struct Reference: Sendable {
        public let benchmark: String, agent: String, metric: String
        public let train: Double?, test: Double
        public let source: String, setting: String

        /// The figures of a references file: `{"figures": [{"benchmark", "agent", "metric", "train"?, "test", "source", "setting"}]}`.
        public static func parse(_ v: JSONValue) throws -> [Reference] {
            guard let figures = v["figures"]?.arrayValue else { throw EvaluationError.invalid("references: no \"figures\" array") }
            return try figures.enumerated().map { i, f in
                guard let b = f["benchmark"]?.stringValue, let a = f["agent"]?.stringValue, let m = f["metric"]?.stringValue,
                      let test = f["test"]?.doubleValue, let src = f["source"]?.stringValue, !src.isEmpty
                else { throw EvaluationError.invalid("references: figures[\(i)] needs benchmark, agent, metric, test and source") }
                return Reference(benchmark: b, agent: a, metric: m, train: f["train"]?.doubleValue, test: test, source: src,
                                 setting: f["setting"]?.stringValue ?? "")
            }
        }
    }

    struct Row {
        let entry: LeaderboardEntry.Document
        var head: LeaderboardEntry.Head { entry.head }
        var name: String { head.agent.name }
        var privileged: Bool { head.agent.privileged }
        var kind: String { head.agent.kind }
        var overall: LeaderboardEntry.Overall? { entry.results.overall }
        var mean: Double { overall?.mean ?? -.infinity }
    }

    static func fmt(_ v: Double?) -> String {
        guard let d = v else { return "–" }
        return String(format: abs(d) >= 100 ? "%.1f" : "%.3f", d)
    }
    static func ci(_ v: [Double]?) -> String {
        guard let a = v, a.count == 2 else { return "" }
        return " [\(fmt(a[0])), \(fmt(a[1]))]"
    }

    /// Entries grouped by benchmark id, rows sorted (competitors by mean, then privileged).
    static func grouped(_ entries: [LeaderboardEntry.Document]) -> [(String, [Row])] {
        var by: [String: [Row]] = [:]
        for e in entries { by[e.head.benchmark.id, default: []].append(Row(entry: e)) }
        return by.keys.sorted { order($0) < order($1) }.map { id in
            (id, by[id]!.sorted { a, b in
                if a.privileged != b.privileged { return !a.privileged }
                if a.mean != b.mean { return a.mean > b.mean }
                return a.name < b.name
            })
        }
    }

    /// Page order: ML10 first (the suite's headline meta-RL benchmark), then the others by id.
    static func order(_ id: String) -> (Int, String) { (id.hasPrefix("ml10-") ? 0 : 1, id) }

    /// Agents' column order in the summary: random first, the trained baselines, other
    /// competitors by name, privileged agents last.
    static func agentOrder(_ name: String, privileged: Bool) -> (Int, String) {
        if privileged { return (4, name) }
        switch name {
        case "random": return (0, name)
        case "rl2": return (1, "1")
        case "maml": return (1, "2")
        case "pearl": return (1, "3")
        default: return (2, name)
        }
    }

    /// The marks of an entry for the summary table.
    static func shortMarks(_ r: Row) -> String {
        var m: [String] = []
        if r.head.benchmark.goals?.kind == "hidden" { m.append("H") }
        if r.kind == "external" { m.append(r.head.agent.sandbox == "bwrap" ? "S" : "U") }
        return m.isEmpty ? "" : " " + m.joined()
    }

    /// Benchmark × agent: each agent's overall mean (its column), in page order.
    static func summary(_ groups: [(String, [Row])]) -> (agents: [(String, Bool)], cells: [(String, String, [String])]) {
        var agents: [String: Bool] = [:]
        for (_, rows) in groups { for r in rows { agents[r.name] = (agents[r.name] ?? false) || r.privileged } }
        let columns = agents.keys.sorted { agentOrder($0, privileged: agents[$0]!) < agentOrder($1, privileged: agents[$1]!) }
        let cells = groups.map { id, rows in
            (id, rows[0].head.benchmark.metric.rawValue, columns.map { name in
                rows.first { $0.name == name }.map { fmt($0.overall?.mean) + shortMarks($0) } ?? ""
            })
        }
        return (columns.map { ($0, agents[$0]!) }, cells)
    }

    static let marksLegend = "H: hidden goals (verified: goals drawn afresh, committed to before the run); S: external agent ran sandboxed; U: external agent ran unsandboxed."

    static func percent(_ x: Double?) -> String { x.map { String(format: "%.1f%%", 100 * $0) } ?? "–" }

    /// The agent's name with its marks: privileged; verified (a hidden-goal run); for external
    /// agents whether they ran in the sandbox (format-2 entries record it; format-1 entries predate it).
    static func agentLabel(_ r: Row) -> String {
        var marks: [String] = r.privileged ? ["privileged"] : []
        if r.head.benchmark.goals?.kind == "hidden" { marks.append("verified: hidden goals") }
        if r.kind == "external" {
            switch r.head.agent.sandbox {
            case "bwrap": marks.append("sandboxed")
            case "none": marks.append("not sandboxed")
            default: marks.append("sandbox not recorded")
            }
        }
        return marks.isEmpty ? r.name : "\(r.name) (\(marks.joined(separator: ", ")))"
    }

    static func heading(_ id: String, _ rows: [Row]) -> String {
        let b = rows[0].head.benchmark, p = rows[0].head.protocolSettings
        let digest = String(b.digest.prefix(12))
        return "metric \(b.metric.rawValue), K = \(p.adaptationEpisodes) adaptation and E = \(p.evaluationEpisodes) evaluation episodes, horizon \(p.horizon), digest \(digest)…"
    }

    static func taskNames(_ rows: [Row]) -> [String] {
        Array(Set(rows.flatMap { $0.entry.results.tasks.keys })).sorted()
    }

    /// The Markdown page: ML10 first, then the benchmark × agent summary, then every other benchmark.
    public static func markdown(_ entries: [LeaderboardEntry.Document], references: [Reference] = []) -> String {
        var s = "# mrbench leaderboard\n\nGenerated by `mrbench leaderboard build` from `leaderboard/entries/`; do not edit by hand.\n"
        s += "Scores are over the test split; intervals are 95% percentile-bootstrap intervals (overall: stratified over seeds within tasks).\n"
        s += "Privileged agents see the task (the scripted experts know the goal): they are an upper reference, not competitors.\n"
        s += "Rows marked *published reference* are figures from the literature on the original benchmark, not runs of mrbench.\n"
        let groups = grouped(entries)
        let lead = groups.prefix { $0.0.hasPrefix("ml10-") }
        for g in lead { s += markdownSection(g.0, g.1, references) }
        let (agents, cells) = summary(groups)
        s += "\n## All benchmarks\n\nOverall mean score of each agent (success rate, or mean return for return metrics). \(marksLegend)\n\n"
        s += "| benchmark | metric | " + agents.map { $0.1 ? "\($0.0) (privileged)" : $0.0 }.joined(separator: " | ") + " |\n"
        s += "| --- | --- |" + String(repeating: " --- |", count: agents.count) + "\n"
        for (id, metric, values) in cells { s += "| \(id) | \(metric) | " + values.map { $0.isEmpty ? "·" : $0 }.joined(separator: " | ") + " |\n" }
        for g in groups.dropFirst(lead.count) { s += markdownSection(g.0, g.1, references) }
        return s
    }

    static func markdownSection(_ id: String, _ rows: [Row], _ references: [Reference]) -> String {
        var s = "\n## \(id)\n\n\(heading(id, rows))\n\n"
        s += "| agent | kind | mean [95% CI] | IQM [95% CI] | optimality gap | success rate | mean return | seeds | env steps |\n"
        s += "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
        for r in rows {
            let o = r.overall
            s += "| \(agentLabel(r)) | \(r.kind) | \(fmt(o?.mean))\(ci(o?.meanCI)) | \(fmt(o?.iqm))\(ci(o?.iqmCI)) | \(fmt(o?.optimalityGap)) | "
            s += "\(fmt(o?.successRate)) | \(fmt(o?.meanReturn)) | \(r.head.protocolSettings.seeds) | \(r.head.provenance.environmentSteps ?? 0) |\n"
        }
        let refs = references.filter { $0.benchmark == id }
        for f in refs {
            s += "| *\(f.agent) (published reference)* | reference | *\(referenceFigure(f))*\(f.setting.isEmpty ? "" : " (\(f.setting))") | – | – | – | – | – | – |\n"
        }
        if !refs.isEmpty { s += "\n" + referenceSources(refs).joined(separator: "\n") + "\n" }
        s += "\nPer task (score [95% CI]):\n\n| task | " + rows.map(agentLabel).joined(separator: " | ") + " |\n"
        s += "| --- |" + String(repeating: " --- |", count: rows.count) + "\n"
        for t in taskNames(rows) {
            s += "| \(t) | " + rows.map { r in
                let x = r.entry.results.tasks[t]
                return "\(fmt(x?.score))\(ci(x?.ci))"
            }.joined(separator: " | ") + " |\n"
        }
        return s
    }

    /// "References RL², MAML: <source>." once per distinct source, in the figures' order.
    static func referenceSources(_ refs: [Reference]) -> [String] {
        var sources: [String] = []
        for f in refs where !sources.contains(f.source) { sources.append(f.source) }
        return sources.map { src in
            let agents = refs.filter { $0.source == src }.map(\.agent)
            return "Reference\(agents.count > 1 ? "s" : "") \(agents.joined(separator: ", ")): \(src)."
        }
    }

    /// "35.8% meta-test (86.9% meta-train)" for success figures; plain numbers otherwise.
    static func referenceFigure(_ f: Reference) -> String {
        let show: (Double) -> String = { f.metric == "success" ? percent($0) : fmt($0) }
        return "\(show(f.test)) meta-test" + (f.train.map { " (\(show($0)) meta-train)" } ?? "")
    }

    static func esc(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    static let colours = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]

    /// The y axis of an adaptation curve: [0, 1] for success rates; for returns the data's range
    /// widened to at least half the largest magnitude (so that a flat curve's noise is drawn flat,
    /// not magnified to fill the plot), then rounded out to a tick step of 1, 2 or 5 × 10^k.
    static func axisRange(_ values: [Double], metric: String) -> (lo: Double, hi: Double, step: Double) {
        if metric == "success" { return (0, 1, 0.25) }
        var lo = values.min() ?? 0, hi = values.max() ?? 1
        let span = max(0.5 * max(abs(lo), abs(hi)), 1)
        if hi - lo < span { let mid = (lo + hi) / 2; lo = mid - span / 2; hi = mid + span / 2 }
        let raw = (hi - lo) / 4, p = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * p }.first { $0 >= raw } ?? 10 * p
        return (floor(lo / step) * step, ceil(hi / step) * step, step)
    }

    /// An SVG line plot of the overall adaptation curves (success, or return for return metrics).
    static func curvePlot(_ rows: [Row], metric: String) -> String {
        let series = rows.map { r in (agentLabel(r), metric == "success" ? r.entry.results.curve.success : r.entry.results.curve.returns) }
        let n = series.map { $0.1.count }.max() ?? 0
        guard n > 0 else { return "" }
        let k = rows[0].head.protocolSettings.adaptationEpisodes
        let (lo, hi, step) = axisRange(series.flatMap { $0.1 }, metric: metric)
        let w = 480.0, h = 240.0, l = 56.0, r = 16.0, t = 16.0, b = 40.0
        func x(_ i: Int) -> Double { l + (n == 1 ? 0 : Double(i) / Double(n - 1)) * (w - l - r) }
        // 4 px inside the frame, so that a curve on the axis's end (a success rate of 0) stays visible.
        func y(_ v: Double) -> Double { t + 4 + (1 - (v - lo) / (hi - lo)) * (h - t - b - 8) }
        func f(_ d: Double) -> String { String(format: "%.1f", d) }
        let total = h + 14 * Double(series.count) + 4 // the legend goes below the plot
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(total))\" viewBox=\"0 0 \(Int(w)) \(Int(total))\" font-family=\"sans-serif\" font-size=\"11\">\n"
        s += "<rect x=\"\(f(l))\" y=\"\(f(t))\" width=\"\(f(w - l - r))\" height=\"\(f(h - t - b))\" fill=\"none\" stroke=\"#999\"/>\n"
        if k > 0 && k < n {
            let xb = (x(k - 1) + x(k)) / 2
            s += "<line x1=\"\(f(xb))\" y1=\"\(f(t))\" x2=\"\(f(xb))\" y2=\"\(f(h - b))\" stroke=\"#666\" stroke-dasharray=\"4 3\"/>\n"
            s += "<text x=\"\(f(xb + 4))\" y=\"\(f(h - b - 6))\" fill=\"#666\">evaluation →</text>\n"
        }
        for v in stride(from: lo, through: hi + step / 2, by: step) {
            let label = step >= 1 ? String(format: "%.0f", v) : String(format: "%.2f", v)
            s += "<line x1=\"\(f(l))\" y1=\"\(f(y(v)))\" x2=\"\(f(w - r))\" y2=\"\(f(y(v)))\" stroke=\"#eee\"/>\n"
            s += "<text x=\"\(f(l - 6))\" y=\"\(f(y(v) + 4))\" text-anchor=\"end\">\(label)</text>\n"
        }
        for i in 0..<n {
            s += "<text x=\"\(f(x(i)))\" y=\"\(f(h - b + 14))\" text-anchor=\"middle\">\(i + 1)</text>\n"
        }
        s += "<text x=\"\(f((l + w - r) / 2))\" y=\"\(f(h - 6))\" text-anchor=\"middle\">episode (adaptation 1–\(k), then evaluation)</text>\n"
        for (j, (name, v)) in series.enumerated() where !v.isEmpty {
            let c = colours[j % colours.count]
            let pts = v.enumerated().map { "\(f(x($0.offset))),\(f(y($0.element)))" }.joined(separator: " ")
            s += "<polyline fill=\"none\" stroke=\"\(c)\" stroke-width=\"2\" points=\"\(pts)\"/>\n"
            s += "<line x1=\"\(f(l))\" y1=\"\(f(h + 10 + 14 * Double(j)))\" x2=\"\(f(l + 20))\" y2=\"\(f(h + 10 + 14 * Double(j)))\" stroke=\"\(c)\" stroke-width=\"2\"/>\n"
            s += "<text x=\"\(f(l + 26))\" y=\"\(f(h + 14 + 14 * Double(j)))\" fill=\"\(c)\">\(esc(name))</text>\n"
        }
        return s + "</svg>\n"
    }

    /// The HTML page (self-contained: tables and inline SVG plots): ML10 first, then the benchmark ×
    /// agent summary, then every other benchmark.
    public static func html(_ entries: [LeaderboardEntry.Document], references: [Reference] = []) -> String {
        var s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>mrbench leaderboard</title>\n"
        s += "<style>body{font-family:sans-serif;max-width:64em;margin:2em auto;padding:0 1em}table{border-collapse:collapse;margin:1em 0}"
        s += "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right;white-space:nowrap}td:first-child,th:first-child{text-align:left}.priv{color:#777}"
        s += "h2{margin-top:1.6em}.ref{font-style:italic;background:#f3f6fb}.ref td{white-space:normal}.mark{font-size:80%;color:#555}.note{font-size:90%;color:#444}</style>\n</head>\n<body>\n"
        s += "<h1>mrbench leaderboard</h1>\n<p>Generated by <code>mrbench leaderboard build</code> from <code>leaderboard/entries/</code>. "
        s += "Intervals are 95% percentile-bootstrap intervals. Privileged agents (grey) see the task: an upper reference, not competitors. "
        s += "Rows in italics on blue are published reference figures on the original benchmark, not runs of mrbench.</p>\n"
        let groups = grouped(entries)
        let lead = groups.prefix { $0.0.hasPrefix("ml10-") }
        for g in lead { s += htmlSection(g.0, g.1, references) }
        let (agents, cells) = summary(groups)
        s += "<h2 id=\"all\">All benchmarks</h2>\n<p>Overall mean score of each agent (success rate, or mean return for return metrics). \(esc(marksLegend))</p>\n"
        s += "<table>\n<tr><th>benchmark</th><th>metric</th>" + agents.map { "<th\($0.1 ? " class=\"priv\"" : "")>\(esc($0.0))</th>" }.joined() + "</tr>\n"
        for (id, metric, values) in cells {
            s += "<tr><td><a href=\"#\(esc(id))\">\(esc(id))</a></td><td>\(metric)</td>" + zip(agents, values).map { a, v in
                "<td\(a.1 ? " class=\"priv\"" : "")>\(v.isEmpty ? "·" : esc(v))</td>"
            }.joined() + "</tr>\n"
        }
        s += "</table>\n"
        for g in groups.dropFirst(lead.count) { s += htmlSection(g.0, g.1, references) }
        return s + "</body>\n</html>\n"
    }

    static func htmlSection(_ id: String, _ rows: [Row], _ references: [Reference]) -> String {
        let metric = rows[0].head.benchmark.metric.rawValue
        var s = "<h2 id=\"\(esc(id))\">\(esc(id))</h2>\n<p>\(esc(heading(id, rows)))</p>\n"
        s += "<table>\n<tr><th>agent</th><th>kind</th><th>mean [95% CI]</th><th>IQM [95% CI]</th><th>optimality gap</th><th>success rate</th><th>mean return</th><th>seeds</th></tr>\n"
        for r in rows {
            let o = r.overall
            s += "<tr\(r.privileged ? " class=\"priv\"" : "")><td>\(esc(agentLabel(r)))</td><td>\(r.kind)</td><td>\(fmt(o?.mean))\(ci(o?.meanCI))</td>"
            s += "<td>\(fmt(o?.iqm))\(ci(o?.iqmCI))</td><td>\(fmt(o?.optimalityGap))</td><td>\(fmt(o?.successRate))</td>"
            s += "<td>\(fmt(o?.meanReturn))</td><td>\(r.head.protocolSettings.seeds)</td></tr>\n"
        }
        let refs = references.filter { $0.benchmark == id }
        for f in refs {
            s += "<tr class=\"ref\"><td>\(esc(f.agent)) <span class=\"mark\">(published reference)</span></td><td>reference</td>"
            s += "<td colspan=\"6\" style=\"text-align:left\">\(esc(referenceFigure(f)))\(f.setting.isEmpty ? "" : " <span class=\"mark\">— \(esc(f.setting))</span>")</td></tr>\n"
        }
        s += "</table>\n"
        if !refs.isEmpty {
            s += "<p class=\"note\">" + referenceSources(refs).map(esc).joined(separator: "<br>\n") + "</p>\n"
        }
        s += "<table>\n<tr><th>task</th>" + rows.map { "<th>\(esc(agentLabel($0)))</th>" }.joined() + "</tr>\n"
        for t in taskNames(rows) {
            s += "<tr><td>\(esc(t))</td>" + rows.map { r in
                let x = r.entry.results.tasks[t]
                return "<td>\(fmt(x?.score))\(ci(x?.ci))</td>"
            }.joined() + "</tr>\n"
        }
        s += "</table>\n<p>Adaptation curve (\(metric == "success" ? "success rate" : "mean return") per episode, mean over tasks):</p>\n"
        return s + curvePlot(rows, metric: metric)
    }
}
