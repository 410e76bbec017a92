import Foundation
import NFTAnalysis

/// `nftctl apply`. By default incremental: the plan (desired vs live, declared tables only)
/// becomes ONE libnftables batch, so unchanged rules keep their handles and counters and
/// run-time set elements survive. `replace` swaps the declared tables whole (`add table` +
/// `delete table` + create, also one batch). Either way no other table is named in the
/// batch, a writer that commits between the listing and our commit makes the apply fail
/// (generation id), and afterwards the plan against what the kernel holds must be empty:
/// for a batch of rule commands known from the kernel's echo and the generation id
/// (`Verify.afterCommit`), otherwise, or when that evidence breaks, from a new listing.
///
/// The caller holds the namespace's `NamespaceLock` around `run`, so no other nftctl writes
/// from our listing to the end of verification. With `confirm`, the safety net exists
/// before the batch is sent: the snapshot (listed fresh from the kernel, counters and
/// run-time set elements included) is on disk and the detached rollback timer is running,
/// so a kill at any point after the commit still ends in a rollback; a failure after the
/// commit (verification, the state directory) rolls back at once.
public enum ApplyOperation {
    public enum Mode: Sendable { case incremental, replace }

    public struct Report: Sendable {
        public var tables: [TableKey]
        public var plan: Plan
        public var commands: Int
        public var applied: Bool
        /// The state before the commit, for `nftctl rollback` and `--confirm`.
        public var snapshot: StateStore.Snapshot?
        /// With `--confirm`: when the timer rolls back unless confirmed (seconds since 1970).
        public var deadline: Double?
        /// Said to the user after the apply (e.g. a state file that could not be written).
        public var warnings: [String] = []
        /// A verified apply that created every table of a JSON file, to be kept with the
        /// plan's text for the same apply again (`Replay`).
        public var replay: ReplayRecord.Draft?
    }

    /// `--confirm`: how long the user has, and how to start the detached timer that rolls
    /// back to the snapshot when the pending record's deadline passes.
    public struct Confirm: Sendable {
        public var seconds: Double
        public var startTimer: @Sendable (_ snapshot: StateStore.Snapshot) throws -> Void
        public init(seconds: Double, startTimer: @escaping @Sendable (StateStore.Snapshot) throws -> Void) {
            self.seconds = seconds
            self.startTimer = startTimer
        }
    }

    /// The name, which the lock, the state and the remembered listing go by, may have been
    /// given to another namespace since the backend opened it (`ip netns del` and `add`
    /// while the file loaded): the commit would go to the old one, which no one reaches.
    static func sameNamespace(_ backend: Backend, _ netns: String?) throws {
        if let netns, let opened = backend.namespaceIdentity(), StateStore.namespaceIdentity(netns) != opened {
            throw Problem("network namespace \(netns) was deleted or made anew since nftctl opened it; nothing was changed (run it again)")
        }
    }

    /// nftctl's own batch for this commit (`KernelBatch`), when every table it changes is
    /// created whole (new, or replaced) and nothing is pruned; nil: libnftables commits.
    /// A table `live` does not hold is not cleared first: the batch carries the generation
    /// id `live` was read at, so it is absent when the batch is taken (and a table deleted
    /// in a commit leaves the kernel work to do after it, which the next close of a
    /// netlink socket waits for).
    static func ownBatch(
        plan: Plan, mode: Mode, state: RulesetState, live: RulesetState, desired: DesiredState, pruned: [TableKey]
    ) -> KernelBatch? {
        guard pruned.isEmpty, desired.learning.isEmpty else { return nil }
        var tables: [(table: TableContents, clear: Bool)] = []
        switch mode {
        case .replace: tables = state.tables.map { ($0, live.table($0.key) != nil) }
        case .incremental:
            for t in plan.tables {
                guard let written = desired.written[t.key]?.table else { return nil }
                switch t.mode {
                case .create: tables.append((written, false))
                case .replace: tables.append((written, true))
                case .update where t.changes.isEmpty: continue
                case .update, .delete: return nil
                }
            }
        }
        return KernelBatch.build(tables, desired: desired)
    }

    /// The single batch that replaces `state`'s tables whole.
    public static func replaceBatch(_ state: RulesetState) -> (document: Document, locations: [SourceLocation?]) {
        TableReplacement.batch(state)
    }

    /// - Parameters:
    ///   - approve: shown the plan before anything is committed; returning false stops.
    ///   - store: where managed tables and snapshots are kept (nil: remember nothing).
    ///   - prune: also delete managed tables the rules no longer declare.
    ///   - confirm: arm a rollback timer before the commit (needs `store`).
    ///   - lock: takes the namespace's writer lock (not called for a dry run); it is held
    ///     until `run` returns, from before the listing to the end of verification.
    ///   - normalizer: gives the declaration's kernel normal form (the scratch namespace).
    ///   - savedCopy: the input's bytes being written beside the saved ruleset, for `recordApply`.
    ///   - baseCopy: the same bytes being written for the next apply of an edit (`AppliedBase`).
    ///   - fingerprint: the input file's (`UpToDate`), kept with the generation id once the
    ///     kernel is seen to hold what it declares, so that the same file again is decided
    ///     without reading it.
    public static func run(
        _ input: LoadedInput, backend: Backend, mode: Mode = .incremental, dryRun: Bool = false,
        store: StateStore? = nil, prune: Bool = false, netns: String? = nil,
        confirm: Confirm? = nil, lock: NamespaceLock.Request? = nil, fingerprint: String? = nil,
        normalizer: some Normalizer = ScratchNormalizer(), savedCopy: SavedCopy? = nil, baseCopy: SavedCopy? = nil,
        approve: (Plan) -> Bool = { _ in true }
    ) throws -> Report {
        var timer = PhaseTimer()
        let state = input.state
        guard !state.tables.isEmpty else { throw Problem("declares no tables; nothing to apply", file: input.path) }
        if confirm != nil && store == nil { throw OptionError(.confirmNeedsStateDirectory) }
        // A large apply says what it is doing (on a terminal), one line a slow phase.
        let ruleCount = state.tables.reduce(0) { $0 + $1.rules.count }
        let say = { (text: String) in if ruleCount >= Progress.largeRuleset { Progress.say(text) } }
        // A table that does not exist yet is created whole: its normal form, needed only to
        // verify it, can come from the kernel after the commit (`LearnedNormalForm`). Not for
        // an `.nft` file, whose JSON path is checked against the normal form before, nor for
        // a table the live namespace's listing would print otherwise than the scratch one.
        // Decided from one dump of the tables, before the lock as the normal form always was.
        say("checking \(ruleCount) rules (validation, then the kernel's normal form)")
        let learnable =
            dryRun || input.kind == .nft
            ? [] : Set(state.tables.filter { !LearnedNormalForm.dependsOnTheNamespace($0) }.map(\.key)).subtracting(try backend.tableKeys())
        var desired = try PlanOperation.desiredState(input, normalizer: normalizer, learnable: learnable)
        // The whole desired state in normal form, where a learning table cannot be learnt.
        let normalised = { try PlanOperation.desiredState(input, normalizer: normalizer) }
        defer { ProcessLifetime.keep(desired) }
        timer.mark(
            desired.learning.isEmpty
                ? "desired state (validation + normal forms)" : "desired state (validation; new tables learnt after the commit)")
        let held = dryRun ? nil : try lock.map { try NamespaceLock.acquire(netns: $0.netns, wait: $0.wait, what: $0.what) }
        defer { held?.release() }
        try sameNamespace(backend, netns)
        if !dryRun, let store, let pending = try store.pending() {
            throw PendingConfirmation(pending: pending, netns: netns)
        }
        let managed = try store?.managedTables() ?? []
        let pruned = prune ? managed.filter { !state.keys.contains($0) } : []

        let generation = try backend.generationID()
        // Nobody committed since nftctl's own verified apply: the ruleset is what it listed then.
        let remembered = store?.rememberedListing(generation: generation, netns: netns, covering: state.keys + pruned)
        let liveListing = try remembered?.document ?? backend.list()
        defer { ProcessLifetime.keep((liveListing, remembered)) }
        timer.mark(remembered == nil ? "live listing (listed)" : "live listing (remembered)")
        TestHook.reach(.listed)
        // The live side of the plan, of the empty-plan check and of the snapshot's decision.
        let keys = state.keys + pruned
        let liveTables = try PlanOperation.plannableLiveState(liveListing, tables: keys)
        // A table taken for new that exists now (made since the dump): normalised after all.
        if !desired.learning.isDisjoint(with: liveTables.keys) {
            desired = try normalised()
            timer.mark("desired state again (a new table appeared)")
        }
        // A rule placed by position crashes libnftables 1.0.6 while any table of the
        // namespace, another program's too, holds a rule keyed by a header bitfield.
        var plan = Planner.plan(
            desired: desired.state, written: desired.written, live: liveTables, prune: pruned,
            declaredBefore: store?.declaredElements() ?? { nil },
            elsewhere: { mode == .incremental && PositionedRuleCrash.holds(liveListing, orBesideIn: backend) })
        defer { ProcessLifetime.keep((plan, liveTables)) }
        timer.mark("plan")
        let batch: (document: Document, locations: [SourceLocation?])
        switch mode {
        case .incremental: batch = PlanBatch.build(plan)
        case .replace:
            let whole = replaceBatch(state)
            let deletes = PlanBatch.build(
                Plan(
                    tables: plan.tables.filter {
                        if case .delete = $0.mode { return true }; return false
                    }))
            batch = (Document(deletes.document.entries + whole.document.entries), deletes.locations + whole.locations)
            plan.tables = plan.tables.map { t in
                var t = t
                // Every live table goes whole, changed or not (its counters restart): said so.
                if case .update = t.mode { t.mode = .replace(.asked) }
                return t
            }
        }
        var report = Report(tables: state.keys, plan: plan, commands: batch.document.entries.count, applied: false)
        if dryRun { return report }
        // What changes without a commit cannot be vouched for by the generation id later:
        // as declared, or as the kernel lists it (nft adds what a declaration implies).
        func volatile(_ listed: Set<TableKey>) -> Bool {
            state.tables.contains(where: RunTimeChange.changes) || !listed.isDisjoint(with: state.keys)
        }
        if plan.isEmpty && mode == .incremental {
            // Against the declaration itself, as after a commit (`Verify`): the scratch normal
            // form may share a loss with the listing.
            let mismatches = Verify.differences(declared: state, live: liveTables)
            if !mismatches.isEmpty { throw DeclarationMismatch(differences: mismatches, applied: false) }
            try store?.setManagedTables(Array(Set(managed + state.keys)))
            store?.recordDeclaredElements(desired.state)
            report.warnings += store?.recordApply(input, pruned: [], generation: generation, confirming: nil, copy: savedCopy) ?? []
            // Nothing to change: the next apply may plan from this listing while the
            // generation id shows nobody committed since.
            if let store, try backend.generationID() == generation {
                let volatileTables = RunTimeChange.tables(in: liveListing)
                if remembered == nil {
                    store.rememberListing(liveListing, generation: generation, netns: netns, volatile: volatileTables)
                }
                if let fingerprint, !volatile(volatileTables) {
                    store.rememberUpToDate(fingerprint: fingerprint, generation: generation, netns: netns, tables: state.keys)
                }
            }
            return report
        }
        let askedAt = Date()
        if !approve(plan) { return report }

        // The snapshot a rollback restores. A remembered listing has the structure of the
        // ruleset but not its counters or the set elements packets added since, and a
        // prompt may have waited a while: list our tables again then, unless nothing a
        // rollback would need can have changed (`SnapshotSource`).
        defer { ProcessLifetime.keep(batch.document) }
        // What the commit is verified from, short of a listing (`EchoedListing`): the echo
        // where rules are added or replaced (it costs libnftables a dump of the ruleset first).
        let derivable = mode == .incremental && pruned.isEmpty && EchoedListing.applies(to: batch.document)
        let echoed = derivable && EchoedListing.needsEcho(batch.document) && !PlanBatch.echoCrashes(plan)
        let stale = remembered != nil || Date().timeIntervalSince(askedAt) > 1
        if let store {
            let relist = stale && SnapshotSource.needsListing(plan: plan, live: liveTables, echoed: echoed)
            let fresh = relist ? try listTables(keys, present: liveListing, backend: backend) : liveListing
            report.snapshot = try store.saveSnapshot(tables: keys, listing: fresh, file: relist ? nil : remembered)
            timer.mark(relist ? "snapshot (listed)" : "snapshot (from the listing at this generation)")
        }
        // Nothing committed: no rollback timer, and no snapshot that `nftctl rollback` would
        // take for the latest apply's (it would undo the apply before, or another writer's).
        func abandon() {
            if confirm != nil { store?.clearPending() }
            if let snapshot = report.snapshot { store?.removeSnapshot(snapshot.id) }
        }
        do {
            // Armed before the commit: from here on, whatever happens to this process, the
            // timer rolls back at the deadline unless `nftctl confirm` runs.
            if let confirm, let store, let snapshot = report.snapshot {
                let deadline = Date().timeIntervalSince1970 + confirm.seconds
                try store.setPending(.init(snapshot: snapshot.id, deadline: deadline, generation: generation))
                do { try confirm.startTimer(snapshot) } catch {
                    throw Problem("cannot start the rollback timer (\(error)); nothing was changed")
                }
                report.deadline = deadline
            }
            TestHook.reach(.armed)
            // Stale-plan guard: libnftables 1.0.6 does not send NFNL_BATCH_GENID, so compare the
            // id read before the listing with the id now; the window left is this call to commit.
            // Other nftctl processes are kept out by the namespace lock; this catches the rest.
            let now = try backend.generationID()
            if now != generation { throw StalePlan(expected: generation, found: now) }
            try sameNamespace(backend, netns)  // again: a prompt may have waited minutes
        } catch {
            abandon()
            throw error
        }
        say("committing \(batch.document.entries.count) commands in one transaction")
        // A batch of rule commands is committed with the kernel's echo, which with the
        // generation id stands in for the verifying listing (`Verify.afterCommit`).
        var echo: Document?
        // Tables created whole whose rules' kernel bytes are not all kept (an edited rule):
        // made now, once the plan is approved, as the commit would make them, for nftctl's
        // own batch.
        var madeBytes = LearntRuleBytes()
        if pruned.isEmpty, !desired.kernelRuleBytesMissing.isEmpty {
            let whole = state.keys.filter { mode == .replace || liveTables.table($0) == nil }
            (desired, madeBytes) = RuleBytesScratch.complete(desired, tables: whole.filter(desired.kernelRuleBytesMissing.contains))
            if !madeBytes.isEmpty { timer.mark("kernel bytes of the new rules made (private namespace)") }
        }
        // Tables created whole whose rules' kernel bytes are all known go in nftctl's own
        // batch (`KernelBatch`); a batch the kernel refuses goes through libnftables after
        // all, which says why in nft's terms.
        var ownEcho: KernelBatch.Echo?
        var sentElements = false
        var elementsRefused = false
        // The remembered listing's rules, serialised while the kernel commits (`RuleEntriesTemplate`).
        var template: Concurrently<RuleEntriesTemplate?>?
        // The base for the next edit (`AppliedBase`), kept while the rest is saved; waited for
        // on every way out.
        var keepingBase: Concurrently<Bool>?
        defer { _ = try? keepingBase?.wait() }
        // The normal forms and kernel bytes learnt, being kept in the cache; waited for on every way out.
        var caching: Concurrently<Bool>?
        defer { _ = try? caching?.wait() }
        do {
            if let own = ownBatch(plan: plan, mode: mode, state: state, live: liveTables, desired: desired, pruned: pruned) {
                if store != nil { template = Concurrently { [desired] in RuleEntriesTemplate(desired: desired, tables: own.tables) } }
                do {
                    ownEcho = try backend.commit(own, generation: generation)
                } catch let refusal as KernelBatch.Refusal {
                    if refusal.stale { throw StalePlan(expected: generation, found: (try? backend.generationID()) ?? generation) }
                    timer.mark("own batch refused (\(SystemCall.describe(errno: refusal.errno)), by \(refusal.what))")
                }
            }
            // A batch of element commands alone goes in nftctl's own batch too, where it can
            // (`KernelBatch.elements`): its going in, with the generation id, settles the sets
            // (`Verify.Source.ownElements`); through libnftables, the kernel's dump of each does.
            let sets = Transport.sets(of: liveTables, in: state.keys, desired: desired.state)
            if ownEcho == nil, derivable, !echoed,
                let elements = KernelBatch.elements(batch.document, sets: sets, live: liveTables, locations: batch.locations)
            {
                do {
                    sentElements = try backend.commit(elements, generation: generation) != nil
                } catch let refusal as KernelBatch.Refusal {
                    if refusal.stale { throw StalePlan(expected: generation, found: (try? backend.generationID()) ?? generation) }
                    // An element there that the listing lacked, or the other way round: the
                    // listing the plan came from is not the kernel's, so nothing is derived from it.
                    elementsRefused = true
                    timer.mark("own element batch refused (\(SystemCall.describe(errno: refusal.errno)), by \(refusal.what))")
                }
            }
            if ownEcho == nil && !sentElements {
                echo = try Transport.commit(batch, sets: sets, backend: backend, echoed: echoed)
            }
        } catch let stale as StalePlan {
            abandon()
            throw stale
        } catch {
            // libnftables (or nftctl's own batch) can report an error after the kernel
            // committed (an echo it could not take in): only a generation id that has not
            // moved shows that nothing was.
            guard (try? backend.generationID()) == generation else {
                throw mayHaveCommitted(error, snapshot: report.snapshot, armed: confirm != nil)
            }
            abandon()
            // A new table went without a scratch load, which names the refused declaration
            // and the user's line (`KernelCheck`): that load, now that it would say more.
            if !desired.learning.isEmpty { _ = try normalised() }
            // nftctl's own refusal (nothing was sent) says so itself.
            if let own = error as? TransportRefusal, case .unsupported = own.underlying { throw own }
            throw Problem("the kernel refused the batch; nothing was changed: \(error)")
        }
        report.applied = true
        timer.mark(ownEcho != nil ? "commit (own batch)" : sentElements ? "commit (own element batch)" : "commit")
        // The replaced rules' counts as the commit found them, for a rollback.
        if let echo, let store, let snapshot = report.snapshot {
            do {
                if let patched = try store.saveCounts(snapshot, echo: echo) { report.snapshot = patched }
            } catch {
                report.warnings.append("the snapshot keeps the replaced rules' counts as last listed (\(error))")
            }
        }
        // The snapshot went into place before the commit with its fsync left running
        // (`OwnedPath.writeSyncingLater`). The commit stands either way: a failed fsync is
        // said, not taken out on the state written after it (which would roll back a good commit).
        // Older snapshots are pruned only once this one is on the disk: until then it does
        // not count among the whole ones kept (`StateStore.prune`).
        if let snapshot = report.snapshot, let store {
            report.warnings += synced(snapshot, store: store)
        }
        TestHook.reach(.committed)

        do {
            try store?.setManagedTables(Array(Set(managed + state.keys).subtracting(pruned)))
            store?.forgetListing()
            // Against the declaration itself, not only its scratch normal form (Verify).
            say("verifying what the kernel now holds")
            let evidence =
                !elementsRefused && (echo != nil || (derivable && ownEcho == nil && !EchoedListing.needsEcho(batch.document)))
                ? Verify.Evidence(listing: liveListing, generation: generation, batch: batch.document, echo: echo) : nil
            let verified = try Verify.afterCommit(
                desired: desired, declared: state, prune: pruned, backend: backend, evidence: evidence, ownEcho: ownEcho,
                ownElements: sentElements,
                committed: generation,
                normalForms: normalised)
            defer { ProcessLifetime.keep((verified.listing, echo)) }
            timer.mark("verification (\(verified.source.rawValue))")
            store?.recordDeclaredElements(desired.state, pruned: pruned)
            // What changes without a commit is not vouched for later, nor kept as a normal form
            // (the learnt tables are the listing's own, so its volatile tables cover them).
            let volatileTables = RunTimeChange.tables(in: verified.listing)
            var learned = verified.learned
            learned?.tables.removeAll { volatileTables.contains($0.key) }
            // Bytes made before the commit (a few rules), which the kernel was seen to hold (its
            // echo or dump): of tables that learn nothing from the listing (`RuleBytesScratch`
            // makes none for a learning table), so no cache file is written by both threads.
            if !madeBytes.isEmpty, verified.source == .ownEcho || verified.source == .bytes {
                normalizer.remember(input, kernelRuleBytes: madeBytes)
            }
            // What the kernel's bytes for the rules are, so that the next apply need not list them.
            var learnt: LearntRuleBytes?
            if let kernel = verified.kernel, let live = verified.live {
                learnt = KernelRuleBytes.learn(declared: state, live: live, kernel: kernel)
                timer.mark("kernel bytes learnt")
            }
            // What a listing taught, kept in the normal-form cache on a thread of its own
            // while the state is saved (a first apply of 50k rules writes some 40 MB there),
            // waited for on every way out; the normal forms first, as a rule's bytes are
            // kept beside its normal form.
            let bytes = learnt.flatMap { $0.isEmpty ? nil : $0 }
            if learned != nil || bytes != nil {
                caching = Concurrently { [input, learned, bytes] in
                    if let learned { normalizer.remember(input, normalForms: learned) }
                    if let bytes { normalizer.remember(input, kernelRuleBytes: bytes) }
                    return true
                }
                if learned != nil { timer.mark("normal forms learnt (kept in the cache meanwhile)") }
            }
            // Kept only if nothing committed between the generation read and the listing.
            if let g = verified.generation {
                // Derived from the remembered listing (`liveListing`): what did not change is copied.
                let copying = remembered.flatMap { r in verified.origins.map { (from: r, origins: $0) } }
                let templated = verified.source == .ownEcho ? (try? template?.wait())??.bytes(of: verified.listing) : nil
                let listingBytes =
                    templated.flatMap {
                        store?.rememberListing(bytes: $0, generation: g, netns: netns, tables: verified.scope, volatile: volatileTables)
                            == true ? $0 : nil
                    }
                    ?? store?.rememberListing(
                        verified.listing, generation: g, netns: netns, tables: verified.scope, copying: copying, volatile: volatileTables)
                if let fingerprint, !volatile(volatileTables) {
                    store?.rememberUpToDate(fingerprint: fingerprint, generation: g, netns: netns, tables: state.keys)
                }
                timer.mark("remember the listing")
                // The file as applied and where its entries went: the next edit of it sends only
                // what changed. Made on a thread of its own (at 50k rules 160 ms), waited for below.
                if let listingBytes, let store, fingerprint != nil, !volatile(volatileTables),
                    let ns = StateStore.namespaceIdentity(netns)
                {
                    keepingBase = Concurrently { [input, listing = verified.listing] in
                        guard
                            let base = AppliedBase.make(
                                input: input, listing: listing, listingBytes: listingBytes, generation: g, namespace: ns)
                        else { return false }
                        return store.keepBase(base, bytes: nil, prepared: baseCopy)
                    }
                }
                // Every table created whole from a JSON file alone: the same apply can be made again.
                if let listingBytes, fingerprint != nil, input.kind == .json, input.notes.isEmpty, confirm == nil, pruned.isEmpty,
                    !volatile(volatileTables), state.keys.allSatisfy({ liveTables.table($0) == nil })
                {
                    report.replay = ReplayRecord.draft(
                        state: state, desired: desired, learnt: learnt, listing: verified.listing, listingBytes: listingBytes,
                        generation: g, commands: batch.document.entries.count, backend: backend)
                    timer.mark(report.replay == nil ? "no replay record" : "replay record drafted")
                }
            }
        } catch {
            // Whatever failed after the commit (verification, the state directory), the kernel
            // is put back as it was before this apply, --confirm or not.
            guard let store, let snapshot = report.snapshot else { throw error }
            throw rollBackNow(
                after: error, snapshot: snapshot, store: store, backend: backend, deadline: report.deadline,
                armed: confirm != nil, netns: netns, declared: DeclaredElements(desired.state))
        }
        // The confirmation window starts now that the apply is verified, not before the commit.
        if let confirm, let store, let snapshot = report.snapshot {
            let deadline = Date().timeIntervalSince1970 + confirm.seconds
            do {
                try store.setPending(.init(snapshot: snapshot.id, deadline: deadline, generation: generation))
                report.deadline = deadline
            } catch {
                report.warnings.append(
                    "could not extend the confirmation window (\(error)); the rollback stays armed for the earlier deadline")
            }
        }
        // For `nftctl restore` at boot (with --confirm: staged until confirmed).
        report.warnings +=
            store?.recordApply(
                input, pruned: pruned, generation: try? backend.generationID(),
                confirming: confirm == nil ? nil : report.snapshot?.id, copy: savedCopy) ?? []
        timer.mark("saved for restore")
        if let kept = try? keepingBase?.wait() {
            timer.mark(kept ? "the applied file kept for its next edit" : "the applied file not kept")
        }
        if (try? caching?.wait()) != nil { timer.mark("normal forms and kernel bytes kept in the cache") }
        return report
    }

    /// Commits nftctl's own `batch` at `generation` for an apply that needs nothing of
    /// libnftables (`Replay`, `EntryPatch`), `snapshot` saved before. Nil, the snapshot
    /// removed, when nothing was committed and the ordinary apply should go instead (the
    /// socket's buffers cannot hold the batch, or the kernel refused it but for a stale
    /// generation id: libnftables then says why in nft's terms); `StalePlan` when anyone
    /// committed since; `mayHaveCommitted` for an error after which the generation moved.
    static func commitOwn(
        _ batch: KernelBatch, generation: UInt32, backend: Backend, store: StateStore, snapshot: StateStore.Snapshot
    ) throws -> KernelBatch.Echo? {
        do {
            guard let echo = try backend.commit(batch, generation: generation) else {
                store.removeSnapshot(snapshot.id)
                return nil
            }
            return echo
        } catch let refusal as KernelBatch.Refusal {
            store.removeSnapshot(snapshot.id)
            if refusal.stale { throw StalePlan(expected: generation, found: (try? backend.generationID()) ?? generation) }
            return nil
        } catch {
            guard (try? backend.generationID()) == generation else {
                throw mayHaveCommitted(error, snapshot: snapshot, armed: false)
            }
            store.removeSnapshot(snapshot.id)
            throw Problem("the kernel refused the batch; nothing was changed: \(error)")
        }
    }

    /// An error from a commit after which the generation id has moved: the batch may have
    /// been committed, and the snapshot is kept.
    static func mayHaveCommitted(_ error: Error, snapshot: StateStore.Snapshot?, armed: Bool) -> Problem {
        let kept =
            snapshot.map {
                " The snapshot \($0.id) is kept for `nftctl rollback`" + (armed ? " and the rollback timer stays armed." : ".")
            } ?? ""
        return Problem(
            "the commit reported an error (\(error)), yet the ruleset's generation id has moved since the plan: "
                + "the batch may have been committed; `nftctl diff` shows what the kernel holds." + kept)
    }

    /// After the commit: waits for the snapshot's fsync (`OwnedPath.writeSyncingLater`), then
    /// prunes older snapshots; a failed fsync is a warning (the commit stands) and prunes none.
    static func synced(_ snapshot: StateStore.Snapshot, store: StateStore) -> [String] {
        do { try OwnedPath.waitForLaterSyncs() } catch {
            return [
                "the snapshot \(snapshot.id) may not survive a power loss (\(error)); `nftctl rollback` can use it while the machine stays up, and older snapshots are kept"
            ]
        }
        try? store.prune()
        return []
    }

    /// The listing of `keys` as the kernel holds them now (those `present` lists; the
    /// others did not exist and have nothing to list).
    static func listTables(_ keys: [TableKey], present: Document, backend: Backend) throws -> Document {
        let existing = Set(
            present.items.compactMap { item -> TableKey? in
                if case .table(let t) = item { return TableKey(family: t.family, name: t.name) }
                return nil
            })
        var entries: [Document.Entry] = []
        for key in keys where existing.contains(key) {
            entries += try backend.list(table: key.family, name: key.name).items.map { .item($0) }
        }
        return Document(entries)
    }

    /// A failure after the commit: restore the snapshot now. If that fails too, a `--confirm`
    /// timer is still armed and will try again at the deadline; otherwise say how to restore.
    static func rollBackNow(
        after error: Error, snapshot: StateStore.Snapshot, store: StateStore, backend: Backend,
        deadline: Double?, armed: Bool = true, netns: String? = nil, declared: DeclaredElements? = nil
    ) -> Error {
        do {
            try Rollback.restore(snapshot, backend: backend, declaredBefore: { declared })
            if armed { store.clearPending() }
            return AfterCommitFailure(
                cause: error, outcome: "rolled back at once to the state before this apply (snapshot \(snapshot.id))")
        } catch let rollbackError {
            guard armed else {
                let ns = netns.map { " --netns \($0)" } ?? ""
                return AfterCommitFailure(
                    cause: error,
                    outcome:
                        "the immediate rollback failed too (\(rollbackError)); `nftctl rollback\(ns)` restores the state before this apply (snapshot \(snapshot.id))"
                )
            }
            let when = deadline.map { " at \(Date(timeIntervalSince1970: $0))" } ?? ""
            return AfterCommitFailure(
                cause: error,
                outcome:
                    "the immediate rollback failed too (\(rollbackError)); the rollback timer is still armed and restores snapshot \(snapshot.id)\(when) unless `nftctl confirm` runs first"
            )
        }
    }
}

/// Something failed after the commit, and what was done about it.
public struct AfterCommitFailure: Sendable, OptionMessage {
    /// Kept typed, so that a cause naming options is spelled by the front end.
    public var cause: any Error
    public var outcome: String
    public func message(spelling spell: @escaping @Sendable (UserOption) -> String) -> String {
        let text = (cause as? any OptionMessage)?.message(spelling: spell) ?? "\(cause)"
        return "\(text)\n\(outcome)"
    }
}

/// An earlier `apply --confirm` is waiting: an apply now would be undone by its timer.
public struct PendingConfirmation: Sendable, OptionMessage {
    public var pending: StateStore.Pending
    public var netns: String?
    public func message(spelling spell: @escaping @Sendable (UserOption) -> String) -> String {
        let ns = netns.map { " \(spell(.netns)) \($0)" } ?? ""
        let left = pending.deadline - Date().timeIntervalSince1970
        let when = left > 0 ? "in \(Int(left.rounded(.up))) s" : "now (its timer appears to have stopped)"
        return "an earlier `nftctl apply \(spell(.confirm))` is waiting for confirmation; its rollback to snapshot \(pending.snapshot) "
            + "happens \(when) and would undo this apply too. Nothing was changed. First run `nftctl confirm\(ns)` to keep "
            + "that apply, or `nftctl rollback\(ns)` to undo it, then apply again"
    }
}

/// Someone else committed to the ruleset between our listing and our commit.
public struct StalePlan: Sendable, DiagnosticError {
    public var expected: UInt32
    public var found: UInt32
    public var diagnostics: [Diagnostic] {
        [
            .error(
                "the ruleset changed while the plan was being made (generation \(expected) -> \(found)): another program wrote to it. Nothing was applied; run again to plan against the new state."
            )
        ]
    }
}
