#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Splits a command line into arguments like a POSIX shell's word splitting, without ever running
/// a shell: whitespace separates words; 'single quotes' keep everything literally; "double quotes"
/// keep everything except `\"` and `\\`; outside quotes a backslash escapes the next character.
/// No variables, globbing, redirection or pipes: `$HOME`, `*`, `>` and `|` are ordinary characters.
public enum CommandLineSplitter {
    public static func split(_ line: String) throws -> [String] {
        var words: [String] = []
        var cur = ""
        var inWord = false
        var it = Array(line).makeIterator()
        while let c = it.next() {
            switch c {
            case " ", "\t", "\n":
                if inWord { words.append(cur); cur = ""; inWord = false }
            case "'":
                inWord = true
                while true {
                    guard let d = it.next() else { throw EvaluationError.invalid("unterminated single quote in agent command: \(line)") }
                    if d == "'" { break }
                    cur.append(d)
                }
            case "\"":
                inWord = true
                while true {
                    guard let d = it.next() else { throw EvaluationError.invalid("unterminated double quote in agent command: \(line)") }
                    if d == "\"" { break }
                    if d == "\\" {
                        guard let e = it.next() else { throw EvaluationError.invalid("unterminated double quote in agent command: \(line)") }
                        if e != "\"" && e != "\\" { cur.append("\\") }
                        cur.append(e)
                    } else { cur.append(d) }
                }
            case "\\":
                guard let e = it.next() else { throw EvaluationError.invalid("trailing backslash in agent command: \(line)") }
                inWord = true
                cur.append(e)
            default:
                inWord = true
                cur.append(c)
            }
        }
        if inWord { words.append(cur) }
        guard !words.isEmpty else { throw EvaluationError.invalid("empty agent command") }
        return words
    }
}

/// The path of an agent program: `name` itself when it contains a slash (it must be executable),
/// else the first executable regular file of that name on `searchPath`.
public func resolveAgentProgram(_ name: String, searchPath: String) throws -> String {
    try ChildProcess.resolve(name, searchPath: searchPath)
}

/// Seconds on the monotonic clock.
func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// The process groups of the live agent processes, for `killAgentProcessGroups` (which a signal
/// handler may call: a fixed table read without locks or allocation).
enum AgentProcessGroups {
    static let capacity = 1024
    /// Zero: a free slot. Allocated and zeroed once, never freed.
    nonisolated(unsafe) static let table: UnsafeMutablePointer<pid_t> = {
        let t = UnsafeMutablePointer<pid_t>.allocate(capacity: capacity)
        t.initialize(repeating: 0, count: capacity)
        return t
    }()
    private static let lock = NSLock()

    static func add(_ g: pid_t) {
        guard g > 1 else { return }
        lock.withLock {
            if let i = (0..<capacity).first(where: { table[$0] == 0 }) { table[i] = g }
        }
    }

    static func remove(_ g: pid_t) {
        lock.withLock {
            for i in 0..<capacity where table[i] == g { table[i] = 0 }
        }
    }
}

/// Sends SIGKILL to the process group of every live agent process (async-signal-safe once the
/// table exists, which `ensureAgentProcessGroupTable` makes sure of before a handler is installed).
public func killAgentProcessGroups() {
    let t = AgentProcessGroups.table
    for i in 0..<AgentProcessGroups.capacity where t[i] > 1 { kill(-t[i], SIGKILL) }
}

/// Creates the table of agent process groups (so a signal handler never runs its lazy initialiser).
public func ensureAgentProcessGroupTable() { _ = AgentProcessGroups.table }

/// A child process started directly with `posix_spawn` (no shell), its standard input and output
/// on non-blocking pipes, its standard error appended to a log file. Every read and write has a
/// deadline, lines have a maximum length, so a misbehaving child can never hang the harness.
final class ChildProcess {
    let pid: pid_t
    private var input: Int32   // our write end of the child's stdin
    private let output: Int32  // our read end of the child's stdout
    private var buffer: [UInt8] = []
    private var scanned = 0
    private var reaped: Int32?
    private var terminated = false
    let maxLineBytes: Int

    nonisolated(unsafe) private static var ignoredSigpipe = false
    private static let spawnLock = NSLock()

    /// - Parameters:
    ///   - arguments: argv; `arguments[0]` is resolved on `searchPath` unless it contains a slash.
    ///   - environment: the complete environment of the child ("NAME=value").
    ///   - launcher: a command that runs the program given after it (mrbench's agent supervisor,
    ///     the sandbox); it is started instead, with the resolved program and its arguments appended.
    init(arguments: [String], environment: [String], searchPath: String, stderrPath: String, maxLineBytes: Int,
         launcher: [String] = []) throws {
        if !Self.ignoredSigpipe { signal(SIGPIPE, SIG_IGN); Self.ignoredSigpipe = true }
        self.maxLineBytes = maxLineBytes
        let program = try Self.resolve(arguments[0], searchPath: searchPath)
        let exe = launcher.first ?? program
        let argv = launcher.isEmpty ? arguments : launcher + [program] + arguments.dropFirst()
        // Pipes are made close-on-exec under one lock with the spawn, so that agents started by
        // other worker threads never inherit them (which would hide an agent's exit).
        Self.spawnLock.lock()
        defer { Self.spawnLock.unlock() }
        var toChild: [Int32] = [0, 0], fromChild: [Int32] = [0, 0]
        guard pipe(&toChild) == 0, pipe(&fromChild) == 0 else {
            throw EvaluationError.invalid("cannot create pipes: \(String(cString: strerror(errno)))")
        }
        for fd in toChild + fromChild { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var fa = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fa)
        defer { posix_spawn_file_actions_destroy(&fa) }
        posix_spawn_file_actions_adddup2(&fa, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&fa, fromChild[1], 1)
        posix_spawn_file_actions_addopen(&fa, 2, stderrPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // Its own process group: a Ctrl-C meant for mrbench does not kill the agent mid-trial.
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attr, 0)
        let cargv = argv.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { cargv.forEach { free($0) }; envp.forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, exe, &fa, &attr, cargv, envp)
        close(toChild[0]); close(fromChild[1])
        guard rc == 0 else {
            close(toChild[1]); close(fromChild[0])
            throw EvaluationError.invalid("cannot start agent '\(exe)': \(String(cString: strerror(rc)))")
        }
        pid = child
        AgentProcessGroups.add(child)
        input = toChild[1]; output = fromChild[0]
        _ = fcntl(input, F_SETFL, fcntl(input, F_GETFL) | O_NONBLOCK)
        _ = fcntl(output, F_SETFL, fcntl(output, F_GETFL) | O_NONBLOCK)
    }

    static func resolve(_ name: String, searchPath: String) throws -> String {
        if name.contains("/") {
            guard access(name, F_OK) == 0 else { throw EvaluationError.invalid("agent program '\(name)' does not exist") }
            guard access(name, X_OK) == 0 else { throw EvaluationError.invalid("agent program '\(name)' is not an executable file") }
            return name
        }
        for dir in searchPath.split(separator: ":") where !dir.isEmpty {
            let p = "\(dir)/\(name)"
            var st = stat()
            if stat(p, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, access(p, X_OK) == 0 { return p }
        }
        throw EvaluationError.invalid("agent program '\(name)' not found on PATH")
    }

    /// How the child ended, if it has ("exited with status 3", "was killed by signal 9").
    func exitDescription(wait: Double = 1.0) -> String {
        let until = monotonicSeconds() + wait
        while reaped == nil {
            var status: Int32 = 0
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { reaped = status; break }
            if r < 0 || monotonicSeconds() > until { return "closed its output but is still running" }
            usleep(5000)
        }
        let s = reaped!
        if s & 0x7f == 0 { return "exited with status \((s >> 8) & 0xff)" }
        return "was killed by signal \(s & 0x7f)"
    }

    /// Writes all of `bytes` before `deadline` (monotonic seconds).
    func write(_ bytes: [UInt8], deadline: Double) throws {
        var off = 0
        while off < bytes.count {
            let n = bytes[off...].withUnsafeBytes { Glibc.write(input, $0.baseAddress, $0.count) }
            if n > 0 { off += n; continue }
            if n < 0 && errno == EPIPE { throw AgentFailure("the agent \(exitDescription()) (its input is closed)") }
            if n < 0 && errno != EAGAIN && errno != EINTR { throw AgentFailure("writing to the agent failed: \(String(cString: strerror(errno)))") }
            if agentWaitInterrupted != 0 { throw EvaluationError.interrupted }
            let left = deadline - monotonicSeconds()
            guard left > 0 else { throw AgentFailure("the agent stopped reading its input (deadline passed)") }
            var p = pollfd(fd: input, events: Int16(POLLOUT), revents: 0)
            _ = poll(&p, 1, Int32(min(left * 1000, Self.pollSliceMilliseconds)) + 1)
        }
    }

    enum LineError: Error { case timeout, eof, tooLong, interrupted }

    /// Longest single wait (ms) before `agentWaitInterrupted` is looked at again.
    static let pollSliceMilliseconds = 50.0

    /// The next line (without its newline) before `deadline`.
    func readLine(deadline: Double) throws(LineError) -> [UInt8] {
        while true {
            if let nl = buffer[scanned...].firstIndex(of: 0x0a) {
                var line = Array(buffer[0..<nl])
                buffer.removeSubrange(0...nl)
                scanned = 0
                if line.last == 0x0d { line.removeLast() }
                guard line.count <= maxLineBytes else { throw .tooLong }
                return line
            }
            scanned = buffer.count
            guard buffer.count <= maxLineBytes else { throw .tooLong }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(output, $0.baseAddress, $0.count) }
            if n > 0 { buffer.append(contentsOf: chunk[0..<n]); continue }
            if n == 0 { throw .eof }
            if errno != EAGAIN && errno != EINTR { throw .eof }
            if agentWaitInterrupted != 0 { throw .interrupted }
            let left = deadline - monotonicSeconds()
            guard left > 0 else { throw .timeout }
            var p = pollfd(fd: output, events: Int16(POLLIN), revents: 0)
            _ = poll(&p, 1, Int32(min(left * 1000, Self.pollSliceMilliseconds)) + 1)
        }
    }

    /// Closes the child's input, gives it `grace` seconds to exit, then kills it; reaps it. Then
    /// kills its whole process group: whatever it started and left behind goes with it.
    func terminate(grace: Double) {
        guard !terminated else { return }
        terminated = true
        if input >= 0 { close(input); input = -1 }
        let until = monotonicSeconds() + grace
        while reaped == nil {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid { reaped = status; break }
            if monotonicSeconds() > until {
                kill(-pid, SIGKILL)
                if waitpid(pid, &status, 0) == pid { reaped = status }
                break
            }
            usleep(2000)
        }
        kill(-pid, SIGKILL)
        AgentProcessGroups.remove(pid)
        close(output)
    }
}
