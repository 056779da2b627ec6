import Foundation
import MRCore

/// The run record beside an entry: what varies from run to run.
public enum RunRecord {
    /// - Parameter hiddenGoalSeed: the seed of a hidden-goal run, revealed here (its SHA-256 is in the entry).
    public static func make(started: Date, threads: Int, entryPath: String, entryText: String, trialsRun: Int, resumed: Int, steps: Int, agentLog: String?,
                     hiddenGoalSeed: UInt64? = nil) -> JSONValue {
        let wall = Date().timeIntervalSince(started)
        var usage = rusage(), children = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &children)
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, 255)
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let iso = ISO8601DateFormatter().string(from: started)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        return .object([
            "entry": .string((entryPath as NSString).lastPathComponent),
            "entrySHA256": .string(SHA256.hex(entryText)),
            "startedAt": .string(iso),
            "wallSeconds": .number(wall),
            "host": .string(String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)),
            "processor": .string(cpu),
            "cores": .number(Double(ProcessInfo.processInfo.activeProcessorCount)),
            "threads": .number(Double(threads)),
            "peakMemoryMB": .number(Double(usage.ru_maxrss) / 1024),
            "cpuSeconds": .number(seconds(usage.ru_utime) + seconds(usage.ru_stime)),
            "agentCpuSeconds": agentLog == nil ? .null : .number(seconds(children.ru_utime) + seconds(children.ru_stime)),
            "agentPeakMemoryMB": agentLog == nil ? .null : .number(Double(children.ru_maxrss) / 1024),
            "trialsRun": .number(Double(trialsRun)),
            "trialsResumed": .number(Double(resumed)),
            "environmentStepsThisRun": .number(Double(steps)),
            "stepsPerSecond": .number(wall > 0 ? Double(steps) / wall : 0),
            "commandLine": .array(CommandLine.arguments.map { .string($0) }),
            "agentLog": agentLog.map { .string($0) } ?? .null,
            "hiddenGoalSeed": hiddenGoalSeed.map { .string(String($0)) } ?? .null,
        ])
    }
}
