import CProcessControl
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `mrbench __agent-supervisor PARENT LOG_LIMIT -- PROGRAM ARG…`: the process mrbench starts for
/// every external agent process (hidden; `ChildProcess` runs it as the launcher prefix). It leads
/// the agent's process group and
/// - dies with mrbench, whatever ends mrbench: its parent-death signal (SIGTERM, `prctl`) takes
///   the whole group down (`kill(0, SIGKILL)`: the agent and any child or grandchild that stayed in
///   its group), even when mrbench is killed with SIGKILL;
/// - gives up the controlling terminal (the agent can neither open it nor push input into it);
/// - relays the agent's standard error to the log (its own standard error, opened in append mode
///   by mrbench) up to LOG_LIMIT bytes of log, writes a line saying where the log was cut, and
///   discards the rest (the agent never blocks on a full pipe);
/// - when the agent ends, kills what it left in the group (which could hold its pipes open and
///   hide its exit), then exits as the agent did (its status, or the same signal), so mrbench's
///   messages describe the agent.
/// It never reads the agent's standard input or output: those pipes go to the agent untouched.
///
/// A descendant that leaves the process group (`setsid`) is not covered here; the sandbox's PID
/// namespace is what ends those.
enum AgentSupervisor {
    static let verb = "__agent-supervisor"
    /// Default cap of an agent log: 16 MiB.
    static let defaultLogLimit = 16 << 20

    /// This executable (the supervisor is mrbench itself).
    static var executable: String {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        return n > 0 ? String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
    }

    /// The argument prefix that runs a program under the supervisor, for this process as parent.
    static func launcher(logLimit: Int) -> [String] {
        [executable, verb, String(getpid()), String(logLimit), "--"]
    }

    /// The line written into a log where it is cut.
    static func cutNote(_ limit: Int) -> String {
        "\n[mrbench: the agent log is cut here, at \(limit) bytes (--agent-log-limit); the rest of the agent's standard error was discarded]\n"
    }

    /// Runs the supervisor (`arguments`: what follows the verb). Never returns.
    static func run(_ arguments: [String]) -> Never {
        guard arguments.count >= 4, let parent = pid_t(arguments[0]), let limit = Int(arguments[1]), arguments[2] == "--" else {
            FileHandle.standardError.write(Data("mrbench \(verb): PARENT LOG_LIMIT -- PROGRAM ARG…\n".utf8))
            exit(2)
        }
        // It must lead its own process group (mrbench starts it so), or kill(0, …) would reach others.
        guard getpgrp() == getpid() else {
            FileHandle.standardError.write(Data("mrbench \(verb): must be started by mrbench in a process group of its own\n".utf8))
            exit(2)
        }
        // Dies with mrbench, taking its group along.
        signal(SIGTERM) { _ in kill(0, SIGKILL) }
        var unblock = sigset_t()
        sigemptyset(&unblock)
        sigaddset(&unblock, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &unblock, nil)
        if mr_set_parent_death_signal(SIGTERM) != 0 || getppid() != parent { kill(0, SIGKILL) }
        // No controlling terminal for the agent: it cannot push input into the user's terminal
        // (TIOCSTI) or open it. This replaces bubblewrap's --new-session, whose new session (with
        // the scheduler's autogroups, a scheduling group of its own) made every message round
        // trip several times slower on a loaded machine.
        if mr_drop_controlling_terminal() != 0 {
            FileHandle.standardError.write(Data("mrbench \(verb): cannot give up the controlling terminal: \(String(cString: strerror(errno)))\n".utf8))
            exit(126)
        }

        let program = Array(arguments[3...])
        var err: [Int32] = [0, 0]
        guard pipe(&err) == 0 else { exit(126) }
        _ = fcntl(err[0], F_SETFD, FD_CLOEXEC)
        let argv = program.map { strdup($0) } + [nil]
        let child = mr_fork_exec(program[0], argv, err[1])
        guard child > 0 else { exit(126) }
        close(err[1])
        // Standard input and output belong to the agent alone: its exit must close them.
        let null = open("/dev/null", O_RDWR)
        dup2(null, 0); dup2(null, 1)
        if null > 1 { close(null) }

        var chunk = [UInt8](repeating: 0, count: 65536)
        var status: Int32 = 0
        var open_ = true
        while true {
            if open_ {
                var p = pollfd(fd: err[0], events: Int16(POLLIN), revents: 0)
                if poll(&p, 1, 50) > 0 {
                    let n = read(err[0], &chunk, chunk.count)
                    if n > 0 { relay(chunk[0..<n], limit: limit) } else if n == 0 { open_ = false }
                }
                if waitpid(child, &status, WNOHANG) == child { break }
            } else if waitpid(child, &status, 0) == child || errno != EINTR {
                break
            }
        }
        // The agent has ended: so does whatever it left in its group (which may hold its pipes open,
        // hiding its exit from mrbench).
        killRestOfGroup()
        // What the agent wrote just before it ended (no blocking: a descendant outside the group may hold the pipe).
        if open_ {
            _ = fcntl(err[0], F_SETFL, fcntl(err[0], F_GETFL) | O_NONBLOCK)
            while true {
                let n = read(err[0], &chunk, chunk.count)
                guard n > 0 else { break }
                relay(chunk[0..<n], limit: limit)
            }
        }
        if status & 0x7f == 0 { exit((status >> 8) & 0xff) }
        let sig = status & 0x7f
        signal(sig, SIG_DFL)
        kill(getpid(), sig)
        exit(128 + sig)
    }

    /// SIGKILL to every other process of this process group (found in /proc; repeated while new ones appear).
    static func killRestOfGroup() {
        let me = getpid()
        for _ in 0..<10 {
            var found = false
            for name in (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? [] {
                guard let pid = pid_t(name), pid != me,
                      let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                      let close = stat.lastIndex(of: ")") else { continue }
                // After "pid (comm)": state, ppid, pgrp.
                let fields = stat[stat.index(after: close)...].split(separator: " ")
                if fields.count > 2, pid_t(fields[2]) == me, !fields[0].hasPrefix("Z") { kill(pid, SIGKILL); found = true }
            }
            if !found { return }
            usleep(1000)
        }
    }

    /// Appends `bytes` to the log (standard error) while it is below `limit`; the write that
    /// reaches the limit is cut there and followed by the note. Other processes of the same agent
    /// append to the same log, so its size is read each time.
    static func relay(_ bytes: ArraySlice<UInt8>, limit: Int) {
        var st = stat()
        guard fstat(2, &st) == 0 else { return }
        let room = limit - Int(st.st_size)
        guard room >= 0 else { return } // cut already (the note took it past the limit)
        let part = bytes.prefix(room)
        part.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
        if part.count < bytes.count {
            let note = Array(cutNote(limit).utf8)
            note.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
        }
    }
}
