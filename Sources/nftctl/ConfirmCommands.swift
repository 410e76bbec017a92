import ArgumentParser
import Foundation
import NFTCtlKit
import NFTAnalysis

/// A length of time as operators write it: `90`, `60s`, `5m`, `1h`.
struct Duration: ExpressibleByArgument, CustomStringConvertible {
    var seconds: Double
    var text: String

    init?(argument: String) {
        let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, factor) in units where argument.hasSuffix(suffix) {
            guard let v = Double(argument.dropLast(suffix.count)), v > 0 else { return nil }
            seconds = v * factor
            text = argument
            return
        }
        guard let v = Double(argument), v > 0 else { return nil }
        seconds = v
        text = argument + "s"
    }

    var description: String { text }
}

enum RollbackTimer {
    /// Starts a detached `nftctl __rollback-timer` in its own session (setsid), so closing
    /// the terminal, losing the SSH connection or killing the apply cannot stop it. It acts
    /// on the pending record the apply has already written.
    static func start(snapshot: StateStore.Snapshot, netns: String?) throws {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var args = ["-f", exe, "__rollback-timer", "--snapshot", snapshot.id]
        if let netns { args += ["--netns", netns] }
        // posix_spawn rather than Foundation's Process: Process waits on a descriptor that the
        // detached grandchild would inherit, which would block this apply until the deadline.
        if let failure = spawnDetached("/usr/bin/setsid", args) { throw InputError(failure) }
    }
}

/// Starts `path args` with standard streams on /dev/null and waits for it (setsid -f
/// returns at once, leaving its child running). Returns an error text on failure.
func spawnDetached(_ path: String, _ args: [String]) -> String? {
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

/// `--wait SECONDS` for the commands that take the namespace lock.
struct LockWaitOption: ParsableArguments {
    @Option(help: ArgumentHelp("If another nftctl is changing this namespace's ruleset, wait this long for it before giving up.",
                               valueName: "SECONDS"))
    var wait: Double = NamespaceLock.defaultWait

    func validate() throws {
        guard wait >= 0, wait.isFinite else { throw ValidationError("--wait needs a number of seconds, 0 or more") }
    }
}

struct ConfirmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirm", abstract: "Keep the changes of the last `nftctl apply --confirm`; cancels its rollback.")

    @OptionGroup var namespace: NetnsOption
    @OptionGroup var lockWait: LockWaitOption

    func run() throws {
        let store = StateStore(netns: namespace.netns)
        // Under the lock, so the timer cannot be half-way through its rollback meanwhile.
        let lock = try NamespaceLock.acquire(netns: namespace.netns, wait: lockWait.wait, what: "confirm")
        defer { lock.release() }
        guard let p = try store.pending() else { throw InputError("no apply is waiting for confirmation") }
        store.clearPending()
        print("confirmed; the rollback to snapshot \(p.snapshot) is cancelled")
    }
}

struct RollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Restore the managed tables as they were before the last apply (or --snapshot ID), in one transaction.")

    @OptionGroup var namespace: NetnsOption
    @OptionGroup var lockWait: LockWaitOption

    @Option(help: "A snapshot id (file names under /var/lib/nftctl/.../snapshots).")
    var snapshot: String?

    func run() throws {
        let store = StateStore(netns: namespace.netns)
        let backend = try namespace.backend()
        let lock = try NamespaceLock.acquire(netns: namespace.netns, wait: lockWait.wait, what: "rollback")
        defer { lock.release() }
        let snap = try store.snapshot(snapshot ?? store.pending()?.snapshot)
        try Rollback.restore(snap, backend: backend)
        store.clearPending()
        store.removeSnapshot(snap.id)
        print("restored \(snap.tables.map { "\($0.family) \($0.name)" }.joined(separator: ", ")) from snapshot \(snap.id)")
    }
}

struct RollbackTimerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "__rollback-timer", shouldDisplay: false)

    @OptionGroup var namespace: NetnsOption
    @Option var snapshot: String

    func run() throws {
        // Let go of every descriptor inherited from whoever started the apply (pipes of a
        // terminal, an SSH session or a test harness): this process must hold none of them.
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in fds.compactMap({ Int32($0) }) where fd > 2 { close(fd) }
        let store = StateStore(netns: namespace.netns)
        while let p = try store.pending(), p.snapshot == snapshot {
            let left = p.deadline - Date().timeIntervalSince1970
            if left > 0 {
                usleep(UInt32(min(left, 0.25) * 1_000_000))
                continue
            }
            // The apply holds the lock until it has verified (or died): wait for it, then
            // look again, since it may have rolled back itself or been confirmed meanwhile.
            let lock = try NamespaceLock.acquire(netns: namespace.netns, wait: .infinity, what: "rollback-timer")
            defer { lock.release() }
            guard let now = try store.pending(), now.snapshot == snapshot else { return }
            if now.deadline > Date().timeIntervalSince1970 { continue }
            let backend = try namespace.backend()
            // Armed before the commit: if the kernel still shows the generation read just
            // before it, the apply died without committing and there is nothing to undo.
            if let g = now.generation, try backend.generationID() == g {
                store.clearPending()
                return
            }
            try Rollback.restore(try store.snapshot(snapshot), backend: backend)
            store.clearPending()
            return
        }
    }
}
