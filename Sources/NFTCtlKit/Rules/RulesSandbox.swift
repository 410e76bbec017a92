import Foundation
import NFTAnalysis

#if canImport(Glibc)
import Glibc
#endif

/// Where rules programs and their compiler run: a bubblewrap sandbox. A rules file is code
/// that anyone who can open a pull request may have written, and root applies what it
/// prints, so it gets its own PID, mount, network, IPC and UTS namespaces; a new session
/// with no controlling terminal (no TIOCSTI into the caller's shell) and `/dev/null` as
/// stdin; a cleared environment; a read-only view of the system's programs and libraries
/// only (`/usr`, `/etc`, the toolchain), with an empty `/tmp`; no network; and it dies with
/// nftctl. Everything it started is killed when
/// its first process ends (the PID namespace goes with it).
///
/// As root, bubblewrap runs privileged (it needs no user namespace) and the command inside
/// drops to `NFTCTL_RULES_USER` (default `nobody`) with no capabilities and no new
/// privileges, so file access is checked as that user on the real file system. As any
/// other user, bubblewrap makes an unprivileged user namespace.
///
/// Inside, paths are fixed, whatever the user's checkout or cache path:
/// `/run/nftctl/lib` the DSL library (read-only), `/run/nftctl/build` the build directory
/// (writable, compilation only), `/run/nftctl/rules` the program (read-only).
struct RulesSandbox {
    static let root = "/run/nftctl"
    static let libPath = root + "/lib"
    static let buildPath = root + "/build"
    static let programPath = root + "/rules"
    /// What the sandbox sees of the host, read-only: programs, libraries, headers and
    /// configuration, and nothing else (no homes, `/var`, `/run`, `/srv`, checkouts). Only
    /// these are bound, never `/` whole: bubblewrap remounts every mount below a bound
    /// directory read-only, one by one, and a mount that goes away meanwhile (a network
    /// namespace deleted under `/run/netns`, a container's overlay under `/var/lib`) made
    /// the whole evaluation fail. A top-level symlink (`/bin` → `usr/bin` on a merged-/usr
    /// system) is made again as a symlink.
    static let shown = ["/usr", "/etc", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]

    enum Mount {
        case readOnly(String, at: String)
        case writable(String, at: String)
    }

    let bwrap: String
    let identity: RulesIdentity
    let swiftc: String

    init(swiftc: String) throws {
        guard let bwrap = RulesToolchain.which("bwrap") else {
            throw Problem(
                """
                rules files are evaluated in a bubblewrap sandbox, and bwrap was not found; \
                install it (Debian: apt-get install bubblewrap)
                """)
        }
        self.bwrap = bwrap
        self.identity = try RulesIdentity.current()
        self.swiftc = Self.resolvedKeepingName(swiftc)
        if let root = toolchainRoot, Self.ownDirectories.contains(root) {
            throw Problem("the Swift toolchain \(self.swiftc) cannot be shown in the rules sandbox from \(root); install it elsewhere")
        }
    }

    /// `swiftc` by its own directory's real path, keeping its name (the driver takes its
    /// mode from it): only the resolved toolchain is shown, not the symlinks that led there
    /// (`/opt/swift` → `swift-6.1-RELEASE`, `/usr/local/bin/swiftc` → …). As given when the
    /// name does not lead to the same file there.
    static func resolvedKeepingName(_ swiftc: String) -> String {
        let given = URL(fileURLWithPath: swiftc)
        let real = given.resolvingSymlinksInPath()
        let named = real.deletingLastPathComponent().appendingPathComponent(given.lastPathComponent)
        return named.resolvingSymlinksInPath().path == real.path ? named.path : swiftc
    }

    /// The toolchain's root (`…/usr/bin/swiftc` → `…`; `…/bin/swiftc` → `…`), shown in the
    /// sandbox when it is not under the directories always shown (`/opt/swift`, a home).
    var toolchainRoot: String? {
        Self.toolchainRoot(bin: URL(fileURLWithPath: swiftc).resolvingSymlinksInPath().deletingLastPathComponent())
    }

    /// `toolchainRoot` of the real directory `bin` holding swiftc. Nil when it is shown
    /// already, or would be `/` (a toolchain unpacked into `/`, as in Swift's Docker images,
    /// is in `/usr`).
    static func toolchainRoot(bin: URL) -> String? {
        var root = bin.deletingLastPathComponent()
        if root.lastPathComponent == "usr" { root = root.deletingLastPathComponent() }
        return root.path == "/" || isShown(root.path) ? nil : root.path
    }

    /// The sandbox's own directories: a toolchain there cannot be bound over them.
    static let ownDirectories = ["/tmp", "/run", "/dev", "/proc"]

    /// True when `path` is one of the directories always shown, or below one.
    static func isShown(_ path: String) -> Bool { shown.contains { path == $0 || path.hasPrefix($0 + "/") } }

    /// bubblewrap's arguments for the host's part of the view: each of `shown` bound
    /// read-only, or made again as the symlink it is (when it leads into what is shown, else
    /// the directory it leads to bound in its place), then the toolchain.
    func systemView() -> [String] {
        var a: [String] = []
        for path in Self.shown {
            var st = stat()
            guard lstat(path, &st) == 0 else { continue }
            if st.st_mode & S_IFMT == S_IFDIR {
                a += ["--ro-bind", path, path]
            } else if st.st_mode & S_IFMT == S_IFLNK, let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) {
                let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
                if Self.isShown(real) {
                    a += ["--symlink", target, path]
                } else if stat(real, &st) == 0, st.st_mode & S_IFMT == S_IFDIR {
                    a += ["--ro-bind", real, path]
                }
            }
        }
        if let tool = toolchainRoot { a += Self.openDirectories(to: tool, including: false) + ["--ro-bind", tool, tool] }
        return a
    }

    /// The environment inside: nothing of nftctl's own (tokens, SSH agents, sudo's
    /// variables) except what the program needs, plus every `NFTCTL_VAR_*` variable, which
    /// is how a rules file receives per-host data.
    func environment(passVariables: Bool) -> [String: String] {
        let bin = URL(fileURLWithPath: swiftc).deletingLastPathComponent().path
        var env = ["PATH": "\(bin):/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "TMPDIR": "/tmp", "LANG": "C.UTF-8"]
        if passVariables {
            for (k, v) in ProcessInfo.processInfo.environment where k.hasPrefix("NFTCTL_VAR_") { env[k] = v }
        }
        return env
    }

    /// The full command line: bubblewrap, its mounts, then (as root) setpriv, then `command`.
    func argv(_ command: [String], mounts: [Mount], environment: [String: String], chdir: String) throws -> [String] {
        var a = [bwrap]
        if identity.dropsPrivileges {
            a += ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
        } else {
            a += ["--unshare-all"]
        }
        a += ["--die-with-parent", "--new-session", "--clearenv"]
        for (k, v) in environment.sorted(by: { $0.key < $1.key }) { a += ["--setenv", k, v] }
        // The empty /tmp first: a toolchain unpacked below it is bound over it.
        a += ["--dev", "/dev", "--proc", "/proc", "--perms", "01777", "--tmpfs", "/tmp"]
        a += systemView() + Self.openDirectories(to: Self.root, including: true)
        for m in mounts {
            switch m {
            case .readOnly(let host, let inside): a += ["--ro-bind", host, inside]
            case .writable(let host, let inside): a += ["--bind", host, inside]
            }
        }
        a += ["--chdir", chdir, "--"]
        if identity.dropsPrivileges {
            guard let setpriv = RulesToolchain.which("setpriv") else {
                throw Problem(
                    "running as root, rules programs run as \(identity.name) through setpriv(1), which is not installed (util-linux)")
            }
            a += [
                setpriv, "--reuid=\(identity.uid)", "--regid=\(identity.gid)", "--clear-groups",
                "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"
            ]
        }
        return a + command
    }

    /// Makes `path`'s ancestors (and `path` itself when `including`) as directories anyone
    /// may enter: bubblewrap would make each one 0700 root's, shut to the rules user.
    static func openDirectories(to path: String, including: Bool) -> [String] {
        var parts = path.split(separator: "/").map(String.init)
        if !including { parts = parts.dropLast() }
        var dir = ""
        return parts.flatMap { part -> [String] in
            dir += "/" + part
            return ["--perms", "0755", "--dir", dir]
        }
    }

    /// Runs `command` in the sandbox under a deadline.
    func run(
        _ name: String, _ command: [String], mounts: [Mount], chdir: String, passVariables: Bool = false,
        fd3: Bool = false, mergeStderr: Bool = true, deadline: Double, deadlineVariable: String,
        outputLimit: Int = 64 << 20
    ) throws -> ChildProcess.Result {
        var child = ChildProcess(
            name: name,
            argv: try argv(command, mounts: mounts, environment: environment(passVariables: passVariables), chdir: chdir),
            environment: ["PATH": "/usr/local/bin:/usr/bin:/bin"], deadline: deadline)
        child.fd3 = fd3
        child.mergeStderr = mergeStderr
        child.outputLimit = outputLimit
        child.deadlineVariable = deadlineVariable
        // bubblewrap remounts each mount below what it binds read-only, one by one; one
        // that went away meanwhile (below anything it binds: rare) fails it before it starts
        // anything, so that is asked again, twice at most. Not for the rules program
        // (`fd3`): it could print the same words, and would be run three times.
        for _ in 0..<(fd3 ? 0 : 2) {
            let r = try child.run()
            guard r.status == 1, Self.isBindRace(mergeStderr ? r.stdout : r.stderr) else { return r }
        }
        return try child.run()
    }

    /// True when bubblewrap's output is its own failure to remount a mount that went away.
    static func isBindRace(_ output: [UInt8]) -> Bool {
        let text = String(decoding: output.prefix(4096), as: UTF8.self)
        return text.hasPrefix("bwrap: ") && text.contains("Unable to apply mount flags: remount")
    }

    /// A fresh build directory inside the (private) cache, writable by the sandbox's user.
    /// Nothing else running as that user can reach it: the cache is 0700.
    func makeWorkDirectory(in cache: String) throws -> String {
        let dir = "\(cache)/work-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        guard mkdir(dir, 0o700) == 0 else { throw Problem("cannot create \(dir): \(ChildProcess.errnoText())") }
        guard mkdir(dir + "/src", 0o755) == 0 else { throw Problem("cannot create \(dir)/src: \(ChildProcess.errnoText())") }
        if identity.dropsPrivileges { _ = chown(dir, identity.uid, identity.gid) }
        return dir
    }

    /// Writes an input file (root-owned, readable) into a work directory's `src`.
    static func writeSource(_ bytes: [UInt8], to path: String) throws {
        guard PrivatePath.write(bytes, to: path, mode: 0o644) else {
            throw Problem("cannot write \(path): \(ChildProcess.errnoText())")
        }
    }
}

/// Who compiles and runs rules programs: the current user, or an unprivileged one when root.
struct RulesIdentity {
    var uid: uid_t
    var gid: gid_t
    var name: String
    var dropsPrivileges: Bool

    static func current() throws -> RulesIdentity {
        guard geteuid() == 0 else { return RulesIdentity(uid: geteuid(), gid: getegid(), name: "", dropsPrivileges: false) }
        let name = Environment.value("NFTCTL_RULES_USER") ?? "nobody"
        guard let pw = getpwnam(name) else {
            throw Problem("running as root, rules programs run as user \"\(name)\", which does not exist (set NFTCTL_RULES_USER)")
        }
        guard pw.pointee.pw_uid != 0 else { throw Problem("NFTCTL_RULES_USER must not be root") }
        return RulesIdentity(uid: pw.pointee.pw_uid, gid: pw.pointee.pw_gid, name: name, dropsPrivileges: true)
    }
}
