import ArgumentParser
import Foundation
import NFTCtlKit
import NFTables

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
    /// Records the deadline and starts a detached `nftctl __rollback-timer` in its own session
    /// (setsid), so closing the terminal or losing the SSH connection cannot stop it.
    static func arm(store: StateStore, snapshot: StateStore.Snapshot, after seconds: Double, netns: String?) throws {
        let deadline = Date().timeIntervalSince1970 + seconds
        try store.setPending(.init(snapshot: snapshot.id, deadline: deadline))
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var args = ["-f", exe, "__rollback-timer", "--snapshot", snapshot.id]
        if let netns { args += ["--netns", netns] }
        // posix_spawn rather than Foundation's Process: Process waits on a descriptor that the
        // detached grandchild would inherit, which would block this apply until the deadline.
        if let failure = spawnDetached("/usr/bin/setsid", args) {
            try? Rollback.restore(snapshot, backend: try LibNFTablesBackend(netns: netns))
            store.clearPending()
            throw InputError("cannot start the rollback timer (\(failure)); the apply was rolled back")
        }
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

struct ConfirmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "confirm", abstract: "Keep the changes of the last `nftctl apply --confirm`; cancels its rollback.")

    @OptionGroup var namespace: NetnsOption

    func run() throws {
        let store = StateStore(netns: namespace.netns)
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

    @Option(help: "A snapshot id (file names under /var/lib/nftctl/.../snapshots).")
    var snapshot: String?

    func run() throws {
        let store = StateStore(netns: namespace.netns)
        let snap = try store.snapshot(snapshot ?? store.pending()?.snapshot)
        try Rollback.restore(snap, backend: try namespace.backend())
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
            if left <= 0 {
                try Rollback.restore(try store.snapshot(snapshot), backend: try namespace.backend())
                store.clearPending()
                return
            }
            usleep(UInt32(min(left, 0.25) * 1_000_000))
        }
    }
}
