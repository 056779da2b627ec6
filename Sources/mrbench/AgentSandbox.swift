import Foundation
import MRScoring
#if canImport(Glibc)
import Glibc
#endif

/// The sandbox of external agents (`evaluate`): bubblewrap (`bwrap`), the unprivileged sandbox
/// Flatpak uses, chosen because it needs no daemon, no root and no configuration, builds exactly
/// the namespaces asked for from the command line, and is one `apt-get install bubblewrap` away
/// (firejail is set-uid and profile-driven; nsjail and containers bring far more than is needed).
///
/// The agent gets its own mount namespace whose root is an empty tmpfs holding only the read-only
/// system paths a program needs (`/usr` and the merged-usr links, the dynamic linker's
/// configuration from `/etc`), its own directory (writable; but the output directory stays
/// read-only when it lies inside), the installation prefix of its program when that is outside
/// `/usr` (a pyenv or conda Python) and any `--agent-bind` path (read-only), a private `/tmp` and
/// `/dev`; so neither the checkout nor `Assets/` is there (an agent directory containing the
/// assets or the journal keys is refused). It gets its own PID
/// namespace (a `/proc` showing only its own processes: nothing of mrbench), no network unless
/// `--agent-network`, new IPC and UTS (no controlling terminal: the supervisor gives it up); and it dies with its supervisor
/// (`--die-with-parent`; the PID namespace ends every process in it).
struct AgentSandbox {
    let bwrap: String
    /// Read-only paths besides the system ones (its program's prefix, --agent-bind).
    var binds: [String]
    /// The agent's own directory (writable), if it has one.
    var agentDirectory: String?
    /// Made read-only again after the agent's directory is bound (the output directory).
    var readOnlyInside: [String]
    var network: Bool
    /// The working directory inside (an empty directory at mrbench's working directory's path,
    /// so relative paths to the agent's files keep working).
    var workingDirectory: String

    /// The system paths bound read-only when they exist (symbolic links are recreated as links).
    static let systemPaths = ["/usr", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32",
                              "/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives",
                              "/etc/localtime", "/etc/passwd", "/etc/group", "/etc/nsswitch.conf"]

    /// The arguments before the program: `bwrap … --`.
    var prefix: [String] {
        // No --new-session: the supervisor has already given up the controlling terminal (what
        // --new-session guards against: TIOCSTI), and a new session is a new scheduling autogroup,
        // which made each agent round trip several times slower under load.
        var a = [bwrap, "--die-with-parent", "--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try"]
        if !network { a.append("--unshare-net") }
        for p in Self.systemPaths {
            var buf = [CChar](repeating: 0, count: 4096)
            let n = readlink(p, &buf, buf.count - 1)
            if n > 0 {
                a += ["--symlink", String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self), p]
            } else {
                a += ["--ro-bind-try", p, p]
            }
        }
        a += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp", "--dir", workingDirectory]
        for b in binds { a += ["--ro-bind", b, b] }
        if let d = agentDirectory {
            a += ["--bind", d, d]
            for r in readOnlyInside where Self.contains(d, r) { a += ["--ro-bind", r, r] }
        }
        a += ["--chdir", workingDirectory, "--"]
        return a
    }

    static func absolute(_ p: String, in cwd: String) -> String {
        let full = p.hasPrefix("/") ? p : cwd + "/" + p
        return (full as NSString).standardizingPath
    }

    /// Whether `dir` is `other` or contains it.
    static func contains(_ dir: String, _ other: String) -> Bool { other == dir || other.hasPrefix(dir == "/" ? "/" : dir + "/") }

    /// The agent's directory: `explicit`, else that of the first word of the command (after the
    /// program) that names an existing file, else that of the program when it is given as a path.
    static func agentDirectory(words: [String], explicit: String?, cwd: String) -> String? {
        if let explicit { return absolute(explicit, in: cwd) }
        var isDir: ObjCBool = false
        for w in words.dropFirst() where FileManager.default.fileExists(atPath: absolute(w, in: cwd), isDirectory: &isDir) && !isDir.boolValue {
            return (absolute(w, in: cwd) as NSString).deletingLastPathComponent
        }
        if words[0].contains("/") { return (absolute(words[0], in: cwd) as NSString).deletingLastPathComponent }
        return nil
    }

    /// The sandbox for `commandLine`, checked to work here.
    /// - Parameter protected: directories the agent must not see (the assets); its directory may not contain them.
    /// - Parameter output: the output directory (kept read-only if the agent's directory contains it).
    static func make(commandLine: String, searchPath: String, agentDirectory explicit: String?, extraBinds: [String], network: Bool,
                     protected: [String], output: String) throws -> AgentSandbox {
        guard let bwrap = try? resolveAgentProgram("bwrap", searchPath: searchPath) else {
            throw CommandError("the agent sandbox needs bubblewrap (bwrap), which is not installed: install it (apt-get install bubblewrap), or pass --no-sandbox to run the agent unconfined (the entry records it)")
        }
        let cwd = FileManager.default.currentDirectoryPath
        let words = try CommandLineSplitter.split(commandLine)
        var binds: [String] = []
        let dir = agentDirectory(words: words, explicit: explicit, cwd: cwd)
        if let dir {
            for p in protected.map({ absolute($0, in: cwd) }) where contains(dir, p) {
                throw CommandError("the agent's directory \(dir) contains \(p), which a sandboxed agent must not see: keep the agent in a directory of its own (or name it with --agent-dir)")
            }
            guard dir != "/" else { throw CommandError("the agent's directory cannot be /: name it with --agent-dir") }
        }
        // The program's installation prefix, when it is outside the system paths (…/bin/python3 → …),
        // for the program as found on the search path and for its target: a virtual environment's
        // bin/python3 links into /usr but its site-packages sit beside it (both bound, read-only),
        // while a pyenv or conda interpreter lives outside /usr itself.
        // Resolved before the sandbox is probed, so a missing program is reported as missing.
        let found: String
        do { found = try resolveAgentProgram(words[0], searchPath: searchPath) } catch { throw CommandError("\(error)") }
        if found.contains("/") {
            // Not `absolute` (its standardizingPath follows links on Linux): the link itself counts here.
            let program = found.hasPrefix("/") ? found : cwd + "/" + found
            for path in [program, (program as NSString).resolvingSymlinksInPath] {
                let prefix = ((path as NSString).deletingLastPathComponent as NSString).deletingLastPathComponent
                if !systemPaths.contains(where: { contains($0, path) }) && !protected.contains(where: { contains(prefix, absolute($0, in: cwd)) })
                    && prefix != "/" && !prefix.isEmpty {
                    binds.append(prefix)
                }
            }
        }
        binds += extraBinds.map { absolute($0, in: cwd) }
        let sandbox = AgentSandbox(bwrap: bwrap, binds: Array(Set(binds)).sorted(), agentDirectory: dir,
                                   readOnlyInside: [absolute(output, in: cwd)], network: network, workingDirectory: cwd)
        try sandbox.probe()
        return sandbox
    }

    /// Runs `true` in the sandbox: bwrap may be installed where user namespaces are not allowed.
    func probe() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bwrap)
        p.arguments = Array(prefix.dropFirst()) + ["/usr/bin/env", "true"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            let why = text.split(separator: "\n").first.map(String.init) ?? "status \(p.terminationStatus)"
            throw CommandError("the agent sandbox (bwrap) cannot run here (\(why)); user namespaces may be disabled: pass --no-sandbox to run the agent unconfined (the entry records it)")
        }
    }
}
