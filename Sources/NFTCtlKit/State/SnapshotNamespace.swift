import NFTAnalysis
import NFTModel

/// The network namespace a snapshot was taken in, kept beside it (`ID.netns.json`): its
/// identity (`StateStore.namespaceIdentity`) and this boot's id. A namespace deleted and
/// made again under the same name keeps its state directory, snapshots and rollback timer,
/// all found by the name; restoring the old namespace's tables into the new one would
/// overwrite what its new owner put there. The state directory `host` is also a container's
/// own namespace (its pid 1 shares it), made anew by a restart in the same boot; after a
/// reboot it is the same host, whose cookie has changed.
struct SnapshotNamespace: Sendable, Equatable {
    var identity: UInt64
    var boot: String

    /// The namespace `store` is for, as it is now; nil where the kernel gives no identity.
    static func current(_ store: StateStore) -> SnapshotNamespace? {
        guard let id = StateStore.namespaceIdentity(store.netns) else { return nil }
        return SnapshotNamespace(identity: id, boot: StateStore.bootID)
    }

    /// True when `now` is another namespace than this record's: another identity in the
    /// same boot; after a reboot, any but the host's (`host`: the state directory's).
    func isOther(than now: SnapshotNamespace, host: Bool) -> Bool {
        boot == now.boot ? identity != now.identity : !host
    }

    init(identity: UInt64, boot: String) {
        self.identity = identity
        self.boot = boot
    }

    init?(json: JSON) {
        guard let id = json["namespace"]?.uint64Value, let boot = json["boot"]?.stringValue else { return nil }
        self.init(identity: id, boot: boot)
    }

    var json: JSON { ["namespace": .number(identity), "boot": .string(boot)] }
}

extension StateStore {
    /// Throws when `snapshot` was taken in an earlier namespace of this name (deleted since,
    /// or before a reboot): nothing of it belongs in the one there now. Nothing is refused
    /// where either side's identity is unknown.
    public func checkSameNamespace(_ snapshot: Snapshot) throws {
        guard let then = snapshot.namespace, let now = SnapshotNamespace.current(self),
            then.isOther(than: now, host: isHostDirectory)
        else { return }
        // Unnamed: the state directory of the namespace nftctl runs in (`host`, also a
        // container's own namespace; `netns-NAME`; `unnamed-BOOT-COOKIE`); `host` is never refused
        // after a reboot (`isOther`).
        let name =
            netns.map { "network namespace \(SafeText.quoted($0))" }
            ?? "network namespace of state directory \(SafeText.quoted(directory.lastPathComponent))"
        let taken = then.boot == now.boot ? "an earlier \(name), deleted since and made again" : "the \(name) before a reboot"
        throw Problem(
            "snapshot \(snapshot.id) was taken in \(taken); the one there now never held it, and nothing was changed. "
                + "`--snapshot \(snapshot.id)` restores it into this one all the same.")
    }
}
