import Foundation
import NFTAnalysis

/// An apply with nothing to change, decided without reading the rules. After nftctl has
/// verified that the kernel holds what a rules file declares, at generation G, it keeps the
/// file's fingerprint with G. If the same bytes are applied again and the generation id is
/// still G, nobody has committed since, so the kernel still holds exactly what was verified
/// and the plan would be empty: the file need not be parsed, validated, normalised, nor the
/// listing loaded. The fingerprint also covers what the file's kernel normal form depends
/// on (kernel, libnftables, nftctl, the normal-form revision). Only JSON files, whose
/// bytes are the whole input: an `.nft` file may include others, a rules program is run.
/// A file declaring anything the kernel changes without a commit (`RunTimeChange`: elements
/// that expire or that the packet path writes, device-bound chains) gets no record: the
/// generation id cannot vouch for it.
public enum UpToDate {
    /// The bytes of a JSON rules file, read once: the fingerprint and the loader share them.
    public static func bytes(of path: String) -> [UInt8]? {
        guard (try? InputKind.of(path)) == .json else { return nil }
        return try? InputLoader.readBytes(path)
    }

    /// SHA-256 of a file's bytes (hex): one pass, shared by the fingerprint and the check
    /// that the file is still what was applied (`recordApply`).
    public static func digest(_ bytes: [UInt8]) -> String {
        var h = RulesHasher()
        h.combine(bytes)
        return h.hex
    }

    /// The file's `digest` with what its kernel normal form depends on.
    public static func fingerprint(digest: String) -> String {
        var h = RulesHasher()
        h.combine(digest)
        h.combine(Versions.kernelRelease)
        h.combine(Versions.libnftables)
        h.combine(NFTCtlVersion.number)
        h.combine(NormalizationCache.normalFormRevision)
        return h.hex
    }

    /// The tables `fingerprint` declares when the kernel still holds what nftctl verified for
    /// it; nil when the rules must be read and planned. Takes the namespace's writer lock and
    /// refuses while an `--confirm` waits, as an apply does.
    public static func tables(
        fingerprint: String, store: StateStore, netns: String?, lock: NamespaceLock.Request, backend: () throws -> Backend
    ) throws -> [TableKey]? {
        guard store.upToDateRecord(fingerprint: fingerprint, netns: netns) != nil else { return nil }
        let held = try NamespaceLock.acquire(netns: lock.netns, wait: lock.wait, what: lock.what)
        defer { held.release() }
        if let pending = try store.pending() { throw PendingConfirmation(pending: pending, netns: netns) }
        let generation = try backend().generationID()
        guard let record = store.upToDateRecord(fingerprint: fingerprint, netns: netns), record.generation == generation else { return nil }
        return record.tables
    }
}

extension StateStore {
    var upToDateFile: URL { directory.appendingPathComponent("up-to-date.json") }

    struct UpToDateRecord { var generation: UInt32; var tables: [TableKey] }

    /// After a verified apply (or an empty plan) of a file with `fingerprint`: the kernel
    /// held its tables as declared at `generation`.
    func rememberUpToDate(fingerprint: String, generation: UInt32, netns: String?, tables: [TableKey]) {
        guard let ns = Self.namespaceIdentity(netns) else { return }
        let record: JSON = .object(
            JSONObject([
                ("fingerprint", .string(fingerprint)), ("generation", .number(Int(generation))), ("namespace", .number(ns)),
                ("boot", .string(Self.bootID)),
                ("tables", TableKeyList.json(tables))
            ]))
        try? write(record, to: upToDateFile, durable: false)
    }

    /// The record for `fingerprint` in this namespace and boot, whatever its generation.
    func upToDateRecord(fingerprint: String, netns: String?) -> UpToDateRecord? {
        guard let ns = Self.namespaceIdentity(netns), let j = try? read(upToDateFile),
            j["fingerprint"]?.stringValue == fingerprint, j["namespace"]?.uint64Value == ns,
            j["boot"]?.stringValue == Self.bootID, let g = j["generation"]?.intValue, let g32 = UInt32(exactly: g),
            let tables = TableKeyList.keys(j["tables"]), !tables.isEmpty
        else { return nil }
        return UpToDateRecord(generation: g32, tables: tables)
    }
}
