#if canImport(Glibc)
import Glibc
#endif

/// A named network namespace (`ip netns add NAME` makes `/run/netns/NAME`), or a private one
/// of this process's own (`makePrivate`).
///
/// `setns(2)` moves only the calling thread. `perform` enters the namespace, runs its body
/// and returns to the thread's previous namespace before returning, all synchronously on
/// the calling thread (no suspension point can move the work elsewhere). Callers running
/// libnftables inside hold `NFTLock` around it, so no other libnftables work runs
/// meanwhile; nftctl's own netlink requests (the generation id, the table dump) need not,
/// as another thread's namespace is not this one's. Everything that talks to the kernel for
/// a namespaced backend — creating the libnftables context (which opens its netlink
/// socket), each command, the generation-id request — happens inside `perform`, so even a
/// socket libnftables reopens lands in the right namespace.
public final class NetworkNamespace: @unchecked Sendable {
    public let name: String
    /// An open descriptor of the namespace; immutable after init.
    private let fd: Int32

    /// A name `ip netns` could have made: a file of /run/netns, so no path of its own (and
    /// the state directory `netns-NAME` stays one directory of the state root).
    public static func isPossibleName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("/") && name != "." && name != ".." && !name.utf8.contains(0)
    }

    /// Opens `/run/netns/NAME`; `namespaceNotFound` when there is no such namespace.
    public init(name: String) throws(BackendError) {
        guard Self.isPossibleName(name) else { throw .namespaceNotFound(name) }
        self.name = name
        let path = "/run/netns/\(name)"
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            let e = errno
            if e == ENOENT { throw .namespaceNotFound(name) }
            if e == EACCES || e == EPERM { throw .notPermitted(operation: "open network namespace \(name)") }
            throw .system(operation: "open \(path)", errno: e)
        }
        self.fd = fd
    }

    private init(fd: Int32, name: String) {
        self.fd = fd
        self.name = name
    }

    /// A new network namespace of this process's own, named nowhere: nothing else can enter
    /// it, and the kernel removes it once this object (its only reference) is gone. Made by a
    /// thread of its own that moves into it (`unshare` moves only the calling thread), opens
    /// it and ends there: no thread of the process has to come back from it.
    static func makePrivate() throws -> NetworkNamespace {
        let made = Concurrently { () -> (fd: Int32, errno: Int32) in
            guard SystemCall.unshare(SystemCall.cloneNewNet) == 0 else { return (-1, SystemCall.errno) }
            let fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
            return (fd, fd < 0 ? SystemCall.errno : 0)
        }
        let (fd, e) = try made.wait()
        guard fd >= 0 else { throw BackendError.system(operation: "make a private network namespace", errno: e) }
        return NetworkNamespace(fd: fd, name: "a private namespace")
    }

    deinit { close(fd) }

    /// Runs `body` with the calling thread inside this namespace, then moves the thread back.
    /// If the thread cannot be moved back the process stops: carrying on would send later
    /// commands to the wrong firewall.
    func perform<T, E: Error>(_ body: () throws(E) -> T) throws -> T {
        let original = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        guard original >= 0 else {
            throw BackendError.system(operation: "open /proc/thread-self/ns/net", errno: errno)
        }
        defer { close(original) }
        if SystemCall.setns(fd, SystemCall.cloneNewNet) != 0 {
            let e = errno
            if e == EPERM { throw BackendError.notPermitted(operation: "enter network namespace \(name)") }
            throw BackendError.system(operation: "enter network namespace \(name)", errno: e)
        }
        defer {
            if SystemCall.setns(original, SystemCall.cloneNewNet) != 0 {
                fatalError(
                    "nftctl: cannot return to the original network namespace after using \(name): "
                        + SystemCall.describe(errno: errno))
            }
        }
        return try body()
    }
}
