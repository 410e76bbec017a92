import Foundation

/// One nftctl writer at a time per network namespace. Two applies that both list, plan and
/// commit at once each commit their own batch and the rulesets mix; the generation id only
/// catches the writer that commits between another's listing and commit, not two that pass
/// their checks together. So apply, rollback, confirm and the rollback timer take this
/// exclusive `flock` first and hold it until they are done (through verification).
///
/// The lock file is keyed by the namespace's identity (the inode of its nsfs file), not
/// by its name: `ip netns` names can be deleted and reused, and the host namespace and a
/// namespace reached by another name are the same firewall. The file lives under
/// /run/nftctl (NFTCTL_RUN_DIR overrides; see `directory`), checked like the state files (`OwnedPath`), and
/// holds the pid and the command of the holder so that a waiter can say who has it.
/// The lock goes with the process: closing the descriptor (or dying, even by SIGKILL)
/// releases it.
public final class NamespaceLock: @unchecked Sendable {
    public let path: String
    private let fd: Int32

    public struct Busy: Sendable, OptionMessage {
        public var path: String
        public var holder: String
        public var waited: Double
        public func message(spelling spell: @escaping @Sendable (UserOption) -> String) -> String {
            "another nftctl is changing this network namespace's ruleset (\(holder); lock \(path)); "
                + "waited \(Self.seconds(waited)). Nothing was changed: try again when it has finished, or wait longer with \(spell(.wait)) SECONDS"
        }
        static func seconds(_ s: Double) -> String {
            s == s.rounded() ? "\(Int(s)) s" : "\(s) s"
        }
    }

    /// Which lock to take and how long to wait for it.
    public struct Request: Sendable {
        public var netns: String?
        public var wait: Double
        public var what: String
        public init(netns: String?, wait: Double = NamespaceLock.defaultWait, what: String) {
            self.netns = netns; self.wait = wait; self.what = what
        }
    }

    /// How long a second writer waits by default before giving up.
    public static let defaultWait: Double = 5

    /// The directory of the lock files.
    /// Not root: the user's own runtime directory (the lock then only orders that user's
    /// nftctl processes, which is all an unprivileged user can run against a namespace of its own).
    public static var directory: String {
        if let dir = Environment.value("NFTCTL_RUN_DIR") { return dir }
        if geteuid() == 0 { return "/run/nftctl" }
        return (Environment.value("XDG_RUNTIME_DIR") ?? "/tmp") + "/nftctl-\(geteuid())"
    }

    /// The namespace file whose inode names the lock: the named namespace's bind mount, or
    /// this process's own namespace.
    static func namespaceFile(_ netns: String?) -> String {
        netns.map { "/run/netns/\($0)" } ?? "/proc/self/ns/net"
    }

    /// Takes the lock of `netns`'s namespace, waiting up to `wait` seconds (`.infinity`:
    /// until it is free). `what` is recorded for waiters (e.g. "apply").
    public static func acquire(netns: String?, wait: Double, what: String) throws -> NamespaceLock {
        if let netns, netns.isEmpty || netns.contains("/") || netns == "." || netns == ".." {
            throw BackendError.namespaceNotFound(netns)
        }
        var st = stat()
        let nsFile = namespaceFile(netns)
        guard stat(nsFile, &st) == 0 else {
            if let netns, errno == ENOENT { throw BackendError.namespaceNotFound(netns) }
            throw BackendError.system(operation: "stat \(nsFile)", errno: errno)
        }
        let dir = directory
        try OwnedPath.ensureDirectory(dir)
        let path = dir + "/netns-\(st.st_dev)-\(st.st_ino).lock"
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK, 0o600)
        guard fd >= 0 else { throw OwnedPath.Refused(path: path, reason: OwnedPath.reason(errno)) }
        do { try OwnedPath.check(fd, path: path, directory: false) } catch { close(fd); throw error }

        let start = Date()
        if wait == .infinity {
            while flock(fd, LOCK_EX) != 0 {
                guard errno == EINTR else { close(fd); throw BackendError.system(operation: "lock \(path)", errno: errno) }
            }
        } else {
            while flock(fd, LOCK_EX | LOCK_NB) != 0 {
                guard errno == EWOULDBLOCK || errno == EINTR else {
                    close(fd); throw BackendError.system(operation: "lock \(path)", errno: errno)
                }
                if Date().timeIntervalSince(start) >= wait {
                    let holder = Self.holder(fd)
                    close(fd)
                    throw Busy(path: path, holder: holder, waited: wait)
                }
                usleep(50_000)
            }
        }
        let record = "\(getpid()) \(what)\n"
        _ = ftruncate(fd, 0)
        _ = record.withCString { pwrite(fd, $0, strlen($0), 0) }
        return NamespaceLock(path: path, fd: fd)
    }

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    deinit { release() }

    private var released = false

    /// Lets go of the lock (also done when the object goes away).
    public func release() {
        guard !released else { return }
        released = true
        _ = ftruncate(fd, 0)
        close(fd)
    }

    /// "pid N: WHAT" from the lock file, as its holder wrote it.
    static func holder(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        let text = n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : ""
        let parts = text.split(separator: " ", maxSplits: 1)
        guard let pid = parts.first.flatMap({ Int32($0) }) else { return "holder unknown" }
        // The command word comes from nftctl itself, but keep it to plain characters anyway.
        let what = parts.count > 1 ? String(parts[1].prefix(40).filter { $0.isLetter || $0 == "-" || $0 == "_" }) : ""
        return "held by pid \(pid)" + (what.isEmpty ? "" : ": nftctl \(what)")
    }
}
