import Foundation
import NFTAnalysis
import Synchronization

/// The ruleset `nftctl restore` puts back after a reboot: the compiled tables of every
/// successful apply (with `--confirm`: once confirmed), merged per table, as ONE libnftables
/// JSON batch (`ruleset.json`, what `nftctl compile` prints for those tables; or, when one
/// JSON file replaced every saved table, that file as read), so a restore needs neither
/// swiftc nor the rules files. Beside it, `last-apply.json` says when, from
/// which file and at which generation id the last apply happened (`nftctl status`).
///
/// An apply with `--confirm` writes `ruleset.staged.json` instead, tagged with its snapshot
/// id; `nftctl confirm` promotes it, a rollback discards it. A reboot before the
/// confirmation therefore restores the last confirmed ruleset, as the rollback would have.
/// All three files go through `OwnedPath` like the rest of the state directory.
extension StateStore {
    public var rulesetFile: URL { directory.appendingPathComponent("ruleset.json") }
    var stagedRulesetFile: URL { directory.appendingPathComponent("ruleset.staged.json") }
    var lastApplyFile: URL { directory.appendingPathComponent("last-apply.json") }
    /// Which tables `ruleset.json` holds, with that file's identity (`FileIdentity`): an apply
    /// that replaces all of them need not read, decode and validate the whole saved ruleset
    /// to merge into it.
    var savedTablesFile: URL { directory.appendingPathComponent("ruleset.tables.json") }

    /// When, from which file and at which generation the saved ruleset was last applied.
    public struct LastApply: Sendable {
        public var time: Double
        public var file: String
        public var generation: UInt32?
        /// "apply", or "restore" when `nftctl restore` put the saved ruleset back.
        public var via: String
        /// The snapshot of an apply still waiting for `nftctl confirm`.
        public var unconfirmedSnapshot: String?
    }

    /// After a successful apply of `input` (which also deleted `pruned`): merges its tables
    /// into the saved ruleset, or stages the result when `confirming` names the snapshot of a
    /// pending `--confirm`. Returns warnings: the commit has happened, so a state directory
    /// that cannot be written is said, not thrown.
    ///
    /// `copy`: the bytes the apply read, already written beside the saved ruleset
    /// (`prepareCopy`); published when they become the saved ruleset, removed otherwise.
    public func recordApply(
        _ input: LoadedInput, pruned: [TableKey], generation: UInt32?, confirming: String?, copy: SavedCopy? = nil
    ) -> [String] {
        recordApply(
            path: input.path, tables: input.state.keys, sourceDigest: input.sourceDigest, state: { input.state }, pruned: pruned,
            generation: generation, confirming: confirming, copy: copy)
    }

    /// `recordApply` of the file at `path` declaring `tables`: `state` (its tables, read
    /// again if need be) is asked for only when they are merged with other saved tables.
    func recordApply(
        path: String, tables: [TableKey], sourceDigest: String?, state: () throws -> RulesetState, pruned: [TableKey],
        generation: UInt32?, confirming: String?, copy: SavedCopy?
    ) -> [String] {
        defer { copy?.discard() }
        do {
            if path == rulesetFile.path {
                // `nftctl restore`: the same content; keep which rules file it came from.
                if var last = try lastApply() {
                    last.time = Date().timeIntervalSince1970
                    last.generation = generation
                    last.via = "restore"
                    last.unconfirmedSnapshot = nil
                    try writeLastApply(last)
                }
                return []
            }
            let replaced = Set(tables + pruned)
            // Nothing saved yet keeps nothing either (a missing file is no table to merge).
            let keepsNothing = savedTables()?.isSubset(of: replaced) ?? (access(rulesetFile.path, F_OK) != 0 && errno == ENOENT)
            // The digest of the bytes the saved ruleset may be, as read, when it replaces every saved table.
            let asRead = keepsNothing && confirming == nil ? sourceDigest : nil
            if let digest = asRead, let prepared = copy?.take(digest: digest),
                (try? publishSavedRuleset(prepared, tables: tables)) != nil
            {
                // The same, written while the apply ran: only its rename is left. A copy that
                // is gone (removed as abandoned by an nftctl of another PID namespace) is
                // written again from the file below, as without a copy.
                unlink(stagedRulesetFile.path)
            } else if let digest = asRead, let data = FileManager.default.contents(atPath: path),
                UpToDate.digest([UInt8](data)) == digest
            {
                // Every saved table is replaced, by a JSON file that still has the bytes this
                // apply read: they load to the same tables for `nftctl restore`, unserialised.
                try writeSavedRuleset(bytes: [UInt8](data), tables: tables)
                unlink(stagedRulesetFile.path)
            } else {
                // The saved tables this apply leaves, and its own (none read when it replaces all).
                var merged = keepsNothing ? RulesetState() : try savedState(rulesetFile) ?? RulesetState()
                merged.tables.removeAll { replaced.contains($0.key) }
                merged.tables += try state().tables
                let batch = merged.creationBatch().document.json
                if let confirming {
                    try write(
                        ["snapshot": .string(confirming), "batch": batch, "tables": TableKeyList.json(merged.keys)],
                        to: stagedRulesetFile)
                } else {
                    try writeSavedRuleset(batch, tables: merged.keys)
                    unlink(stagedRulesetFile.path)
                }
            }
            try writeLastApply(
                LastApply(
                    time: Date().timeIntervalSince1970, file: Self.absolute(path), generation: generation,
                    via: "apply", unconfirmedSnapshot: confirming))
            return []
        } catch {
            return [
                "the ruleset was applied but could not be saved for `nftctl restore` (\(error)); the boot service would restore the previous one"
            ]
        }
    }

    /// `nftctl confirm`: the staged ruleset of `snapshot`'s apply becomes the saved one.
    public func promoteStagedRuleset(snapshot: String) throws {
        guard let j = try read(stagedRulesetFile) else { return }
        guard j["snapshot"]?.stringValue == snapshot, let batch = j["batch"] else {
            unlink(stagedRulesetFile.path)  // another apply's: not this confirmation's to keep
            return
        }
        try writeSavedRuleset(batch, tables: TableKeyList.keys(j["tables"]))
        unlink(stagedRulesetFile.path)
        if var last = try lastApply(), last.unconfirmedSnapshot == snapshot {
            last.unconfirmedSnapshot = nil
            try writeLastApply(last)
        }
    }

    /// After a rollback to `snapshot`: its tables, as the snapshot held them, replace theirs
    /// in the saved ruleset (tables it lists as absent leave it), and an unconfirmed apply's
    /// staged ruleset goes. Returns warnings, as `recordApply`.
    public func recordRollback(_ snapshot: Snapshot) -> [String] {
        unlink(stagedRulesetFile.path)
        forgetDeclaredElements()
        do {
            guard var merged = try savedState(rulesetFile) else { return [] }
            let restored = try RulesetState(document: snapshot.givenBack)
            let keys = Set(snapshot.tables)
            merged.tables.removeAll { keys.contains($0.key) }
            merged.tables += restored.tables.filter { keys.contains($0.key) }
            try writeSavedRuleset(merged.creationBatch().document.json, tables: merged.keys)
            try writeLastApply(
                LastApply(
                    time: Date().timeIntervalSince1970, file: "snapshot \(snapshot.id)", generation: nil,
                    via: "rollback", unconfirmedSnapshot: nil))
            return []
        } catch {
            return ["rolled back, but the saved ruleset for `nftctl restore` could not be updated (\(error))"]
        }
    }

    /// The saved ruleset as an input for `ApplyOperation` (nil when nothing was ever saved).
    /// `staged`: the unconfirmed one instead, if there is one. A file that is not a
    /// libnftables batch is an error naming it.
    public func savedRuleset(staged: Bool = false) throws -> LoadedInput? {
        let url = staged ? stagedRulesetFile : rulesetFile
        // Bytes that are not UTF-8 are the JSON parser's error, at their line and column.
        guard try checkDirectories(downTo: url), var bytes = try OwnedPath.bytes(url.path) else { return nil }
        if staged {
            let j: JSON
            do { j = try JSON.parse(bytes: &bytes) } catch { throw Problem("invalid JSON: \(error)", file: url.path) }
            guard let batch = j["batch"] else { throw Problem("not a staged ruleset written by nftctl", file: url.path) }
            return try InputLoader.loadJSON(url.path, text: batch.serialized(.pretty))
        }
        return try InputLoader.loadJSON(url.path, bytes: bytes)
    }

    /// Writes `ruleset.json` and then the list of its tables with the identity of the file
    /// written (`tables` nil: unknown, the list is removed). A list whose identity does not
    /// match the file (a crash between the two writes, an edit by hand) is not believed.
    func writeSavedRuleset(_ batch: JSON, tables: [TableKey]?) throws {
        try writeSavedRuleset(bytes: batch.serializedBytes(.pretty), tables: tables)
    }

    func writeSavedRuleset(bytes: [UInt8], tables: [TableKey]?) throws {
        try ensureDirectories()
        try publishSavedRuleset(OwnedPath.prepare(bytes, for: rulesetFile.path), tables: tables)
    }

    /// `writeSavedRuleset` of a file already written beside `ruleset.json`.
    func publishSavedRuleset(_ file: OwnedPath.Prepared, tables: [TableKey]?) throws {
        guard file.path == rulesetFile.path else {
            file.discard()
            throw Problem("internal: a copy prepared for \(file.path), not for \(rulesetFile.path)")
        }
        unlink(savedTablesFile.path)
        try file.publish()
        guard let tables, let identity = FileIdentity(path: rulesetFile.path) else { return }
        // Derived from the file it names (`savedTables`): lost or stale, it is only not used.
        try write(["file": .string(identity.description), "tables": TableKeyList.json(tables)], to: savedTablesFile, durable: false)
    }

    /// Starts writing `bytes` (a JSON file an apply is about to load; `digest`: theirs, as
    /// `UpToDate.digest`) beside `ruleset.json`, on a thread of its own, so that saving them
    /// for `nftctl restore` after the commit is a rename rather than a read, a digest, a write
    /// and an fsync of the whole file on the apply's path. Copies a killed apply left
    /// behind are removed first.
    ///
    /// `base`: for the applied file's copy the next apply compares with (`AppliedBase`), not
    /// fsync'd (a cache: a new boot does not use it).
    public func prepareCopy(_ bytes: [UInt8], digest: String, base: Bool = false) -> SavedCopy {
        let path = base ? baseFile.path : rulesetFile.path
        return SavedCopy(digest: digest) { [self] in
            try ensureDirectories()
            OwnedPath.Prepared.removeAbandoned(for: path)
            return try OwnedPath.prepare(bytes, for: path, durable: !base)
        }
    }

    /// The tables `ruleset.json` holds, when its list is there and names the file as it is.
    func savedTables() -> Set<TableKey>? {
        guard let j = try? read(savedTablesFile), let identity = j["file"]?.stringValue,
            let tables = TableKeyList.keys(j["tables"]),
            FileIdentity(path: rulesetFile.path)?.description == identity
        else { return nil }
        return Set(tables)
    }

    func savedState(_ url: URL) throws -> RulesetState? {
        guard let input = try savedRuleset(staged: url == stagedRulesetFile) else { return nil }
        return input.state
    }

    /// Nil when none was recorded, or when a crash cut the record short (it is written
    /// without fsync: `writeLastApply`).
    public func lastApply() throws -> LastApply? {
        guard let j = try read(lastApplyFile, torn: .absent), case .object = j else { return nil }
        let time: Double
        switch j["time"] {
        case .double(let d)?: time = d
        case .int(let i)?: time = Double(i)
        default: time = 0
        }
        return LastApply(
            time: time, file: j["file"]?.stringValue ?? "?",
            generation: j["generation"]?.intValue.flatMap { UInt32(exactly: $0) },
            via: j["via"]?.stringValue ?? "apply", unconfirmedSnapshot: j["unconfirmed"]?.stringValue)
    }

    /// Without fsync: the record is what `nftctl status` shows and nothing decides by it
    /// (the saved ruleset and the pending confirmation are durable files of their own), so
    /// a crash may lose it or cut it short (`lastApply` reads that as none), and an apply
    /// does not wait for the disk to keep it.
    func writeLastApply(_ l: LastApply) throws {
        var o: JSONObject = ["time": .double(l.time), "file": .string(l.file), "via": .string(l.via)]
        o.append("generation", l.generation.map { JSON.number(Int($0)) })
        o.append("unconfirmed", l.unconfirmedSnapshot.map { JSON.string($0) })
        try write(.object(o), to: lastApplyFile, durable: false)
    }

    static func absolute(_ path: String) -> String {
        path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
    }
}

/// The bytes an apply read, being written beside the saved ruleset (`StateStore.prepareCopy`)
/// while the apply plans, commits and verifies: `recordApply` publishes them when they become
/// the saved ruleset; in every other case (a failed apply, `--confirm`, a merge with other
/// saved tables) they are discarded, and the copy is never taken for other bytes than the
/// digest it was made for.
public final class SavedCopy: Sendable {
    let digest: String
    private let writing: Concurrently<OwnedPath.Prepared>
    private let settled = Mutex(false)

    init(digest: String, write: @escaping @Sendable () throws -> OwnedPath.Prepared) {
        self.digest = digest
        writing = Concurrently(write)
    }

    /// The written file, once, when it holds the bytes whose digest is `digest`; nil otherwise
    /// (or when it could not be written: the caller then writes as before).
    func take(digest: String) -> OwnedPath.Prepared? {
        guard digest == self.digest, let file = try? writing.wait() else { return nil }
        return settled.withLock { taken in
            if taken { return nil }
            taken = true
            return file
        }
    }

    /// Removes the file unless it was taken. Waits for the writing to end.
    public func discard() {
        guard let file = try? writing.wait() else { return }
        settled.withLock { taken in
            if !taken { file.discard() }
            taken = true
        }
    }
}
