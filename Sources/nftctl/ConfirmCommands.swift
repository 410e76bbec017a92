import ArgumentParser
import Foundation
import NFTAnalysis
import NFTCtlKit

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

/// `--wait SECONDS` for the commands that take the namespace lock.
struct LockWaitOption: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "If another nftctl is changing this namespace's ruleset, wait this long for it before giving up (exit 1, nothing changed).",
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
        guard let p = try store.pending() else { throw Problem("no apply is waiting for confirmation") }
        try store.promoteStagedRuleset(snapshot: p.snapshot)
        store.clearPending()
        print("confirmed; the rollback to snapshot \(p.snapshot) is cancelled")
    }
}

struct RollbackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollback",
        abstract: "Restore the managed tables as they were before the last apply (or --snapshot ID), in one transaction.",
        discussion: """
            The latest snapshot is restored only into the network namespace it was taken in. A \
            namespace deleted and made again under the same name (a container restarted), and \
            after a reboot any namespace but the host's own, keeps its state directory but is \
            another namespace: the earlier one's snapshot is refused, nothing is changed, and a \
            confirmation its apply left waiting is let go. Name the snapshot with --snapshot ID to \
            restore it all the same.
            """)

    @OptionGroup var namespace: NetnsOption
    @OptionGroup var lockWait: LockWaitOption

    @Option(help: "A snapshot id (file names under /var/lib/nftctl/.../snapshots).")
    var snapshot: String?

    func run() throws {
        let store = StateStore(netns: namespace.netns)
        let backend = try namespace.backend()
        let lock = try NamespaceLock.acquire(netns: namespace.netns, wait: lockWait.wait, what: "rollback")
        defer { lock.release() }
        let pending = try store.pending()
        let snap = try store.snapshot(snapshot ?? pending?.snapshot)
        // Not the one asked for by name: the latest may be an earlier namespace's. A
        // confirmation it left waiting guards nothing here: it is let go, or no apply could run.
        if snapshot == nil {
            do { try store.checkSameNamespace(snap) } catch {
                if pending?.snapshot == snap.id {
                    store.clearPending()
                    printError("note: the confirmation that apply left waiting is let go with it")
                }
                throw error
            }
        }
        for w in try Rollback.restore(snap, store: store, backend: backend) { printError("warning: \(w)") }
        store.removeSnapshot(snap.id)
        let when = snap.takenAt.map { ", taken at \(Status.date($0)) by the apply that committed then" } ?? ""
        print(
            "restored \(snap.tables.map { "\(SafeText.escape($0.family)) \(SafeText.name($0.name))" }.joined(separator: ", ")) "
                + "from snapshot \(SafeText.escape(snap.id))\(when)")
    }
}

struct RollbackTimerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "__rollback-timer", shouldDisplay: false)

    @OptionGroup var namespace: NetnsOption
    @Option var snapshot: String

    func run() throws {
        try RollbackTimer.run(snapshot: snapshot, netns: namespace.netns, backend: { try namespace.backend() })
    }
}
