import Foundation
import NFTAnalysis

/// An edited JSON file applied by sending only the rules that changed. After a verified
/// apply of a JSON file nftctl keeps its bytes and where each entry went (`AppliedBase`).
/// When the same path is applied again, nobody has committed since (the generation id is
/// the one verified), and the bytes differ only in rule entries of one chain, the kernel
/// holds exactly the old file, so the new file's kernel state is the old one with those
/// rules exchanged. Only the differing entries and the table's declarations are decoded;
/// the other rules are not parsed, validated, normalised or planned again, and no listing
/// is read.
///
/// What stays sound:
/// - Validation: the table's declarations (read from the new bytes) and the new rules go
///   through the validator, with the hooks that reach the chain as the last full check
///   found them. That holds because no old or new rule here jumps, goes to a chain or uses
///   a verdict map: the jump graph, and so hooks and loops, did not change.
/// - Normal forms and kernel bytes: from the normal-form cache by the entries' bytes, or
///   made by libnftables in a private namespace from the table's declarations and the new
///   rules (`RuleBytesScratch.makeNew`). A new rule must come after its table's and chain's
///   declarations in the file, as the whole file is read; one that is an old rule of the
///   edit spelt anew (same normal form) is left to the ordinary apply, which keeps it.
/// - The commit: nftctl's own netlink batch (`KernelBatch.patch`) deletes the old rules by
///   handle and puts the new ones beside a rule that stays, at the generation id verified;
///   the kernel refuses it whole if anyone committed since. Its echo must show each new
///   rule with the bytes sent and zero counters, each old one deleted, at the next
///   generation, each new rule right after the one before it where the notification gives
///   a position:
///   then the kernel holds the old, verified state with that one change.
/// - Rollback: the snapshot is the remembered listing (the state at that generation), with
///   the deleted rules' counters as the echo gave them (`SnapshotCounts`).
///
/// Anything else (another kind of entry changed, rules of several chains, a jump, a set
/// that rules write to, a rule that holds a quota or `last`, a chain emptied, a batch the
/// kernel refuses but for a stale generation id) leaves this path before anything is
/// committed, and the ordinary apply runs.
public enum EntryPatch {
    public struct Outcome: Sendable {
        public var tables: [TableKey]
        public var commands: Int
        public var applied: Bool
        public var planText: String
        public var warnings: [String] = []
    }

    /// The part of the new file that differs: the base's entries `old` became `new` (each
    /// entry's bytes in the new file); `spans` are where every entry of the new file is.
    struct Edit {
        var old: Range<Int>
        var new: [(entry: Document.Entry, span: Range<Int>)]
        /// The entries of the new file: the base's before `old`, `new`, the base's after `old` moved by `delta`.
        var delta: Int
    }

    /// The edit that turns `old` (the base's bytes) into `new`; nil when the bytes differ
    /// outside the top-level array's entries or the differing entries do not parse.
    static func edit(base: AppliedBase, old: [UInt8], new: [UInt8]) -> Edit? {
        let entries = base.entries
        let n = entries.count
        guard n > 0 else { return nil }
        let (p, s) = old.withUnsafeBufferPointer { o in new.withUnsafeBufferPointer { w in commonEnds(o, w) } }
        // The same bytes (the prefix then runs past the array: no entry differs).
        if p == old.count && p == new.count { return Edit(old: n..<n, new: [], delta: 0) }
        let qOld = old.count - s
        let delta = new.count - old.count
        // The entries wholly before the first differing byte, and from the first one wholly after.
        var a = 0, hi = n
        while a < hi {
            let m = (a + hi) / 2
            if entries[m].span.upperBound <= p { a = m + 1 } else { hi = m }
        }
        var b = a
        hi = n
        while b < hi {
            let m = (b + hi) / 2
            if entries[m].span.lowerBound >= qOld { hi = m } else { b = m + 1 }
        }
        let lower = a == 0 ? base.arrayStart : entries[a - 1].span.upperBound
        let upper = b == n ? base.arrayEnd : entries[b].span.lowerBound
        guard p >= lower, qOld <= upper, upper + delta >= lower, upper + delta <= new.count else { return nil }
        // Between the entries kept before and after: `,` entries `,`, with no comma at an end
        // of the array; nothing between them is one comma where two entries meet, none at an end.
        var lo = lower, top = upper + delta
        func space(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
        func trim() {
            while lo < top, space(new[lo]) { lo += 1 }
            while top > lo, space(new[top - 1]) { top -= 1 }
        }
        let comma = UInt8(ascii: ",")
        trim()
        if a > 0 && b < n && top - lo == 1 && new[lo] == comma { return Edit(old: a..<b, new: [], delta: delta) }
        if lo == top { return a > 0 && b < n ? nil : Edit(old: a..<b, new: [], delta: delta) }
        if a > 0 {
            guard new[lo] == comma else { return nil }
            lo += 1
        }
        if b < n {
            guard top > lo, new[top - 1] == comma else { return nil }
            top -= 1
        }
        trim()
        guard lo < top else { return nil }  // two commas and nothing between
        // Beyond a quarter of the file, reading it whole costs no more (another file altogether).
        guard (top - lo) * 4 <= new.count else { return nil }
        let open = Array(#"{"nftables":["#.utf8)
        var wrapped = open + new[lo..<top]
        wrapped += Array("]}".utf8)
        guard let (json, _, spans) = try? JSON.parseWithEntrySpans(bytes: wrapped), case .object(let o) = json,
            case .array(let values)? = o.singleEntry?.1, values.count == spans.count
        else { return nil }
        let shift = lo - open.count
        let middle = zip(values, spans).map { (entry: Document.Entry(json: $0), span: $1.lowerBound + shift..<$1.upperBound + shift) }
        return Edit(old: a..<b, new: middle, delta: delta)
    }

    /// How many bytes `a` and `b` share at their start, and then at their end (not overlapping the start).
    static func commonEnds(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> (Int, Int) {
        let limit = min(a.count, b.count)
        var p = 0
        // Block by block, then byte by byte.
        while p + 4096 <= limit, memcmp(a.baseAddress! + p, b.baseAddress! + p, 4096) == 0 { p += 4096 }
        while p < limit, a[p] == b[p] { p += 1 }
        var s = 0
        let room = limit - p
        while s + 4096 <= room, memcmp(a.baseAddress! + a.count - s - 4096, b.baseAddress! + b.count - s - 4096, 4096) == 0 {
            s += 4096
        }
        while s < room, a[a.count - 1 - s] == b[b.count - 1 - s] { s += 1 }
        return (p, s)
    }

    /// A rule this path leaves to the ordinary apply: one that changes the jump graph, writes
    /// to a set, holds what a snapshot's counts cannot give back (a quota, `last`), or is kept
    /// raw or by an interface's index (`RunTimeChange`).
    static func outOfReach(_ r: Rule) -> Bool {
        if RunTimeChange.changes(.rule(r)) { return true }
        for s in r.statements {
            var jumps = false
            s.forEachVerdict { if $0.target != nil { jumps = true } }
            if jumps { return true }
            switch s {
            case .vmap, .quota, .last: return true
            default: break
            }
        }
        return false
    }

    /// - Parameters:
    ///   - bytes: the file's bytes, as read for its digest.
    ///   - copy, baseCopy: those bytes being written for `nftctl restore` and for the next edit.
    ///   - render: the plan's text, as the user is shown it.
    ///   - approve: shown that text before anything is committed; false stops.
    /// - Returns: nil when the file was not applied this way and nothing was changed.
    public static func run(
        path: String, bytes: [UInt8], digest: String, fingerprint: String, backend: Backend, store: StateStore, netns: String?,
        lock: NamespaceLock.Request, copy: SavedCopy?, baseCopy: SavedCopy?, render: (Plan) -> String, approve: (String) -> Bool
    ) throws -> Outcome? {
        var timer = PhaseTimer()
        // Cheap refusals first: a base whose generation is the kernel's.
        guard store.hasBase(netns: netns, generation: try backend.generationID()) else { return nil }
        let held = try NamespaceLock.acquire(netns: lock.netns, wait: lock.wait, what: lock.what)
        defer { held.release() }
        try ApplyOperation.sameNamespace(backend, netns)
        if let pending = try store.pending() { throw PendingConfirmation(pending: pending, netns: netns) }
        let generation = try backend.generationID()
        guard let (base, oldBytes, listingFile) = store.base(netns: netns), base.generation == generation,
            let (header, listingRange) = StateStore.split(listingFile),
            StateStore.isOfThisBoot(header, namespace: base.namespace, generation: generation),
            TableKeyList.keys(header["volatile"])?.isEmpty == true, let scope = TableKeyList.keys(header["tables"]),
            Set(base.tables).isSubset(of: scope),
            let edit = edit(base: base, old: oldBytes, new: bytes)
        else { return nil }
        timer.mark("patch: the file differs from the applied one in \(edit.old.count) entries, now \(edit.new.count)")
        guard
            let change = try RuleExchange.make(
                edit, base: base, old: oldBytes, new: bytes, listed: base.listed(in: listingFile, at: listingRange.lowerBound), path: path)
        else { return nil }
        timer.mark("patch: the changed rules checked, normal forms and kernel bytes in hand")
        var outcome = Outcome(tables: base.tables, commands: change.batch.count, applied: false, planText: render(change.plan))
        if change.batch.count == 0 {
            // Only the bytes between entries changed: the kernel holds the file already.
            store.keepBase(change.base(after: base, generation: generation, digest: digest), bytes: bytes, prepared: baseCopy)
            store.rememberUpToDate(fingerprint: fingerprint, generation: generation, netns: netns, tables: base.tables)
            return outcome
        }
        if !approve(outcome.planText) { return outcome }
        // The state a rollback puts back: the remembered listing, taken at this generation.
        let snapshot = try store.saveSnapshot(bytes: listingFile, tables: scope)
        timer.mark("snapshot (from the listing at this generation)")
        guard
            let echo = try ApplyOperation.commitOwn(
                change.batch, generation: generation, backend: backend, store: store, snapshot: snapshot)
        else { return nil }
        outcome.applied = true
        timer.mark("commit (own batch: \(change.deletes.count) rules deleted, \(change.adds.count) added)")
        TestHook.reach(.committed)
        let after = generation &+ 1
        do {
            store.forgetListing()
            guard let handles = change.verify(echo, generation: generation), (try? backend.generationID()) == after else {
                throw Problem("the kernel's answer to the batch is not the change that was sent")
            }
            timer.mark("verification (echo + generation id)")
            if let counts = change.counts(echo) {
                do { try store.saveCounts(snapshot, deletions: counts) } catch {
                    outcome.warnings.append("the snapshot keeps the replaced rules' counts as last listed (\(error))")
                }
            }
            outcome.warnings += ApplyOperation.synced(snapshot, store: store)
            var (listing, newBase) = change.apply(
                handles: handles, to: listingFile, listingStart: listingRange.lowerBound, base: base, generation: after, digest: digest)
            newBase.path = path
            store.rememberListing(bytes: listing, generation: after, netns: netns, tables: scope, volatile: [])
            store.rememberUpToDate(fingerprint: fingerprint, generation: after, netns: netns, tables: base.tables)
            store.keepBase(newBase, bytes: bytes, prepared: baseCopy)
            change.rememberMade()
            timer.mark("remember the listing and the base")
        } catch {
            // The snapshot as written (with the deleted rules' counts), read back to be put back.
            guard let saved = try? store.snapshot(snapshot.id) else {
                throw AfterCommitFailure(
                    cause: error,
                    outcome: "the snapshot \(snapshot.id) could not be read back for an immediate rollback; "
                        + "`nftctl rollback\(netns.map { " --netns \($0)" } ?? "")` restores the state before this apply")
            }
            throw ApplyOperation.rollBackNow(
                after: error, snapshot: saved, store: store, backend: backend, deadline: nil, armed: false, netns: netns)
        }
        outcome.warnings += store.recordApply(
            path: path, tables: base.tables, sourceDigest: digest,
            state: { try InputLoader.loadJSON(path, bytes: bytes, digest: digest).state }, pruned: [],
            generation: try? backend.generationID(), confirming: nil, copy: copy)
        timer.mark("saved for restore")
        return outcome
    }
}
