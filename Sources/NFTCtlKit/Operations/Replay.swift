import Foundation
import NFTAnalysis

/// An apply made again from its `ReplayRecord`: the same JSON file (same bytes, kernel,
/// libnftables and nftctl), none of whose tables exists now, as when a host, a container's
/// namespace or a test bed is set up again from the same file. Nothing of the file is read
/// but its digest: validation, the normal forms, the plan and the batch are what they were
/// for the verified apply the record was made from, since each is a function of what the
/// fingerprint covers. What depends on the namespace is done again: the lock, the pending
/// `--confirm` check, the snapshot, and the generation id the batch carries, so that anyone
/// committing since the tables were found absent makes the kernel refuse the batch whole.
///
/// Verified against the recorded apply, which was verified against the file (or, for a record
/// patched from another, `PatchedReplay`, the edited rules checked against it): the kernel's
/// echo must hold each rule's bytes as sent, chain by chain and in order, with counters at
/// zero, at the generation after ours; the tables' declarations, listed through
/// libnftables, must be those listed after the recorded apply (handles aside). Then the
/// kernel holds what that apply's verification accepted. When that evidence breaks, the
/// file is loaded and the apply verified as any other (`Verify.afterCommit`); a mismatch
/// there rolls back, as always.
///
/// Not replayed (the ordinary apply runs): a dry run, `--prune`, `--confirm`, an apply the
/// lockout check must look at, a table that exists, a batch the kernel refuses but for a
/// stale generation id (libnftables then says why in nft's terms).
public enum Replay {
    public struct Outcome: Sendable {
        public var tables: [TableKey]
        public var commands: Int
        public var applied: Bool
        public var warnings: [String] = []
        /// Verified by the record's evidence (not by listing, after it broke).
        public var asRecorded = false
    }

    /// - Parameters:
    ///   - bytes: the file's bytes, as read for its digest (loaded only if the evidence breaks).
    ///   - approve: shown the plan's text before anything is committed; false stops.
    /// - Returns: nil when it was not replayed and nothing was changed.
    public static func run(
        _ record: ReplayRecord, path: String, bytes: [UInt8], digest: String, fingerprint: String, backend: Backend,
        store: StateStore, netns: String?, lock: NamespaceLock.Request, copy: SavedCopy?, approve: (String) -> Bool
    ) throws -> Outcome? {
        var timer = PhaseTimer()
        let keys = record.tables
        let held = try NamespaceLock.acquire(netns: lock.netns, wait: lock.wait, what: lock.what)
        defer { held.release() }
        try ApplyOperation.sameNamespace(backend, netns)
        if let pending = try store.pending() { throw PendingConfirmation(pending: pending, netns: netns) }
        let managed = try store.managedTables()
        let generation = try backend.generationID()
        guard try backend.tableKeys().isDisjoint(with: keys) else { return nil }
        timer.mark("replay: \(keys.count == 1 ? "the table is" : "the tables are") absent")
        TestHook.reach(.listed)
        var outcome = Outcome(tables: keys, commands: record.commands, applied: false)
        if !approve(record.planText) { return outcome }
        // The tables were absent: a rollback deletes them.
        let snapshot = try store.saveSnapshot(tables: keys, listing: Document([]))
        do {
            TestHook.reach(.armed)
            let now = try backend.generationID()
            if now != generation { throw StalePlan(expected: generation, found: now) }
            try ApplyOperation.sameNamespace(backend, netns)
        } catch {
            store.removeSnapshot(snapshot.id)
            throw error
        }
        if record.batch.rules >= Progress.largeRuleset {
            Progress.say("committing \(record.batch.count) messages in one transaction (a verified apply of the same file, again)")
        }
        guard
            let echo = try ApplyOperation.commitOwn(
                record.batch, generation: generation, backend: backend, store: store, snapshot: snapshot)
        else { return nil }
        outcome.applied = true
        timer.mark("commit (replayed batch)")
        outcome.warnings += ApplyOperation.synced(snapshot, store: store)
        TestHook.reach(.committed)
        let after = generation &+ 1
        // Loaded only if the evidence breaks: then verified as any apply.
        let load = { try InputLoader.loadJSON(path, bytes: bytes, digest: digest) }
        do {
            try store.setManagedTables(Array(Set(managed + keys)))
            store.forgetListing()
            if let listing = verify(record, echo: echo, generation: generation, backend: backend) {
                timer.mark("verification (echo + declarations against the recorded apply)")
                outcome.asRecorded = true
                store.rememberListing(bytes: listing, generation: after, netns: netns, tables: keys, volatile: [])
                store.rememberUpToDate(fingerprint: fingerprint, generation: after, netns: netns, tables: keys)
                timer.mark("remember the listing")
            } else {
                record.forget()
                let input = try load()
                let desired = try PlanOperation.desiredState(input)
                let verified = try Verify.afterCommit(
                    desired: desired, declared: input.state, backend: backend, ownEcho: echo, committed: generation,
                    normalForms: { try PlanOperation.desiredState(input) })
                timer.mark("verification (\(verified.source.rawValue); the replay's evidence did not hold)")
                if let g = verified.generation {
                    store.rememberListing(verified.listing, generation: g, netns: netns, tables: verified.scope)
                }
            }
            store.recordDeclaredElements(DeclaredElements(), of: keys)
        } catch {
            throw ApplyOperation.rollBackNow(
                after: error, snapshot: snapshot, store: store, backend: backend, deadline: nil, armed: false, netns: netns)
        }
        outcome.warnings += store.recordApply(
            path: path, tables: keys, sourceDigest: digest, state: { try load().state }, pruned: [],
            generation: try? backend.generationID(), confirming: nil, copy: copy)
        timer.mark("saved for restore")
        return outcome
    }

    /// The listing to remember when the kernel holds what the recorded apply verified (see
    /// the type); nil when that is not shown.
    static func verify(_ record: ReplayRecord, echo: KernelBatch.Echo, generation: UInt32, backend: Backend) -> [UInt8]? {
        let after = generation &+ 1
        guard echo.generation == after, (try? backend.generationID()) == after else { return nil }
        // Each chain's rules as echoed, in order, against the batch's.
        let m = record.batch.messages
        var sent: [TableKey: [String: [Range<Int>]]] = [:]
        for r in record.rules { sent[record.tables[r.table], default: [:]][r.chain, default: []].append(r.bytes) }
        guard Set(echo.contents.keys) == Set(record.tables) else { return nil }
        for (key, contents) in echo.contents {
            var echoed: [String: [KernelRule]] = [:]
            for r in contents.rules {
                guard r.countedNothing else { return nil }
                echoed[r.chain, default: []].append(r)
            }
            let expected = sent[key] ?? [:]
            guard Set(echoed.keys) == Set(expected.keys) else { return nil }
            for (chain, rules) in echoed {
                guard let ranges = expected[chain], ranges.count == rules.count,
                    zip(ranges, rules).allSatisfy({ m[$0.0].elementsEqual($0.1.bytes) })
                else { return nil }
            }
        }
        // The declarations as libnftables lists them, against the recorded apply's.
        var declarations: [UInt8] = []
        var chains: [TableKey: [String: Int64]] = [:]
        for key in record.tables {
            guard let listed = try? backend.declarations(family: key.family, table: key.name, keysRead: []) else { return nil }
            declarations += ReplayRecord.canonical(listed, table: key)
            for item in listed.items {
                if case .chain(let c) = item, c.family == key.family, c.table == key.name, let h = c.handle {
                    chains[key, default: [:]][c.name] = h
                }
            }
        }
        guard declarations == record.declarations, (try? backend.generationID()) == after else { return nil }
        return record.listing(chains: chains, echo: echo)
    }
}
