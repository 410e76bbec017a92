import Foundation
import NFTAnalysis

/// The rollback timer of `apply --confirm`: a detached `nftctl __rollback-timer` that rolls
/// the managed tables back to the snapshot unless `nftctl confirm` clears the pending record
/// before its deadline.
public enum RollbackTimer {
    /// Starts a detached `nftctl __rollback-timer` in its own session (setsid), so closing
    /// the terminal, losing the SSH connection or killing the apply cannot stop it. It acts
    /// on the pending record the apply has already written.
    public static func start(snapshot: StateStore.Snapshot, netns: String?) throws {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var args = ["-f", exe, "__rollback-timer", "--snapshot", snapshot.id]
        if let netns { args += ["--netns", netns] }
        // posix_spawn rather than Foundation's Process: Process waits on a descriptor that the
        // detached grandchild would inherit, which would block this apply until the deadline.
        if let failure = spawnDetached("/usr/bin/setsid", args) { throw Problem(failure) }
    }

    /// The timer itself (in the detached process): waits for the deadline of the pending
    /// record for `snapshot`, then rolls back, unless the record was confirmed or replaced.
    public static func run(snapshot: String, netns: String?, backend: () throws -> Backend) throws {
        // Let go of every descriptor inherited from whoever started the apply (pipes of a
        // terminal, an SSH session or a test harness): this process must hold none of them.
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in fds.compactMap({ Int32($0) }) where fd > 2 { close(fd) }
        let store = StateStore(netns: netns)
        while let p = try store.pending(), p.snapshot == snapshot {
            let left = p.deadline - Date().timeIntervalSince1970
            if left > 0 {
                usleep(UInt32(min(left, 0.25) * 1_000_000))
                continue
            }
            // The apply holds the lock until it has verified (or died): wait for it, then
            // look again, since it may have rolled back itself or been confirmed meanwhile.
            let lock = try NamespaceLock.acquire(netns: netns, wait: .infinity, what: "rollback-timer")
            defer { lock.release() }
            guard let now = try store.pending(), now.snapshot == snapshot else { return }
            if now.deadline > Date().timeIntervalSince1970 { continue }
            let backend = try backend()
            // Armed before the commit: if the kernel still shows the generation read just
            // before it, the apply died without committing and there is nothing to undo.
            if let g = now.generation, try backend.generationID() == g {
                store.clearPending()
                return
            }
            let snap = try store.snapshot(snapshot)
            // The namespace the apply went to was deleted since: nothing to undo in this one.
            if (try? store.checkSameNamespace(snap)) == nil {
                store.clearPending()
                return
            }
            _ = try Rollback.restore(snap, store: store, backend: backend)
            return
        }
    }

    /// Starts `path args` with standard streams on /dev/null and waits for it (setsid -f
    /// returns at once, leaving its child running). Returns an error text on failure.
    static func spawnDetached(_ path: String, _ args: [String]) -> String? {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in 0...2 { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + args).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
        guard rc == 0 else { return String(cString: strerror(rc)) }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return nil
    }
}
