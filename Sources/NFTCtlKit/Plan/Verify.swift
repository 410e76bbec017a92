import NFTAnalysis

/// The stage after the commit: the kernel against what the user declared (the loaded
/// model), not only against a scratch listing, which would share any loss of the path both
/// went through. Two parts: the plan between the kernel-normalised declaration and the live
/// listing must be empty (rules, elements, everything the kernel rewrites), and every
/// declared attribute the kernel keeps as given (table flags and comment, chain comments
/// and devices, set key types including `typeof`, flags, `auto-merge`, timeouts, sizes,
/// comments) must be in the live listing as declared.
public enum Verify {
    /// What verification read: the listing it checked, and the generation id it was taken
    /// at (nil when something committed while it was listed, so it may not be remembered).
    public struct Outcome: Sendable {
        public var listing: Document
        public var generation: UInt32?
        /// The tables the listing covers (present or absent); nil: the whole ruleset.
        public var scope: [TableKey]?
        /// For a listing derived from the echo (`EchoedListing`), not listed: the entry of
        /// the evidence's listing each of its entries is a copy of (nil: from the echo).
        var origins: [Int?]? = nil
        /// The normal form of the desired state's learning tables, read from the listing
        /// (`LearnedNormalForm`); nil when there were none or the scratch namespace decided.
        var learned: RulesetState? = nil
        /// For learning the rules' kernel bytes (`KernelRuleBytes.learn`): the listing's live
        /// state, and the tables' contents dumped at the same generation, when bytes were wanted
        /// (some unknown, or the kernel's rules did not carry those kept for them).
        var live: RulesetState? = nil
        var kernel: [TableKey: KernelTableContents]? = nil
        /// Where the listing came from.
        public var source: Source = .listed

        public enum Source: String, Sendable {
            /// libnftables listed the tables.
            case listed = "re-list + plan"
            /// Derived from the echo and the listing before the commit (`EchoedListing`).
            case echo = "echo + generation id + plan"
            /// The same where sets' elements changed: their keys read in the kernel's dump (no
            /// echo is asked for them, nor for rules only deleted).
            case elements = "generation id + element keys + plan"
            /// The same, the elements sent in nftctl's own batch (`KernelBatch.elements`): each
            /// add exclusive, each delete of a key held, so the batch going in settles the sets
            /// as the listing at G held them (nftctl's own verified listing, or a fresh one).
            case ownElements = "generation id + own element batch + plan"
            /// The declarations listed, each rule known by its kernel bytes, dumped (`KernelRuleBytes`).
            case bytes = "declarations + rule bytes + plan"
            /// The same, the rules' bytes from the echo of nftctl's own commit (`KernelBatch`).
            case ownEcho = "declarations + own echo + plan"
        }
    }

    /// What the commit itself showed: the listing the plan was made from, the generation id
    /// it was taken at (read again just before the commit), the batch, and the kernel's echo.
    public struct Evidence: Sendable {
        public var listing: Document
        public var generation: UInt32
        public var batch: Document
        /// nil: the batch needs none (`EchoedListing.needsEcho`).
        public var echo: Document?
    }

    /// Lists the kernel after a commit and checks it against `desired` (the declaration in
    /// the kernel's normal form) and `declared` (the declaration as loaded). Only the
    /// declared tables are listed, each on its own; with `prune` the whole ruleset, so that
    /// the pruned tables are seen to be gone.
    ///
    /// Where every rule's kernel bytes are known (`KernelRuleBytes`), only the declarations are
    /// listed; with `ownEcho` (nftctl's own commit, `KernelBatch`), the rules are not dumped either.
    ///
    /// With `evidence`, the kernel is not listed when the chain of evidence holds: our
    /// commit is G+1 and nobody committed since, and the listing at G with the batch applied
    /// as the echo shows it passes both checks. Elements: as the batch says, each set's dump
    /// holding as many elements, the added keys and not the deleted ones; with `ownElements`
    /// (they went in nftctl's own batch, whose success shows that each added key was not in
    /// the set and each deleted one was) no dump: the set is then the listing's, taken to be
    /// exact at G, with those keys put in and taken out. Anything
    /// short of that (another commit, a batch the derivation does not follow, an echo that
    /// does not line up or does not match) lists the kernel as before, and the listing decides.
    ///
    /// `desired`'s learning tables take their normal form from the listing when it shows our
    /// commit alone: `committed` is the generation id the commit was made at, and the
    /// listing is taken at the next one with nobody committing while it is read. Otherwise
    /// `normalForms` (the scratch namespace) gives the whole desired state.
    public static func afterCommit(
        desired: DesiredState, declared: RulesetState, prune: [TableKey] = [],
        backend: Backend, evidence: Evidence? = nil, ownEcho: KernelBatch.Echo? = nil, ownElements: Bool = false,
        committed: UInt32? = nil, normalForms: () throws -> DesiredState = { throw Problem("no normal form for the new tables") }
    ) throws -> Outcome {
        if desired.learning.isEmpty, let evidence, prune.isEmpty,
            let outcome = fromEcho(evidence, desired: desired, declared: declared, backend: backend, ownElements: ownElements)
        {
            return outcome
        }
        var known = KernelRuleBytes.Check()
        var timer = PhaseTimer()
        if desired.learning.isEmpty, prune.isEmpty,
            let outcome = KernelRuleBytes.verify(
                desired: desired, declared: declared, backend: backend, check: &known, echoed: ownEcho)
        {
            return outcome
        }
        if known.read { timer.mark("  rule bytes read, not conclusive (the tables are listed)") }
        let generation = try backend.generationID()
        let scope: [TableKey]? = prune.isEmpty ? declared.keys : nil
        // The rules' bytes, dumped beside the listing when they are to be learnt.
        let keys = declared.keys
        let dump =
            known.stale || !desired.kernelRuleBytesMissing.isEmpty
            ? Concurrently { [backend] in
                try keys.reduce(into: [TableKey: KernelTableContents]()) { out, key in
                    out[key] = try backend.contents(family: key.family, table: key.name)
                }
            } : nil
        let listing: Document
        if let scope {
            var entries: [Document.Entry] = []
            for key in scope { entries += try backend.list(table: key.family, name: key.name).entries }
            listing = Document(entries)
        } else {
            listing = try backend.list()
        }
        let kernel = try? dump?.wait()
        let unchanged = try backend.generationID() == generation
        let live = try PlanOperation.plannableLiveState(listing, tables: desired.keys + prune)
        var desired = desired
        var learned: RulesetState?
        if !desired.learning.isEmpty {
            if unchanged, let committed, generation == committed &+ 1, let d = LearnedNormalForm.desired(desired, live: live) {
                var tables = RulesetState()
                tables.tables = d.state.tables.filter { desired.learning.contains($0.key) }
                learned = tables
                desired = d
            } else {
                desired = try normalForms()
            }
        }
        let after = Planner.plan(desired: desired.state, written: desired.written, live: live, prune: prune)
        if !after.isEmpty { throw VerificationFailure(plan: after) }
        let declaredLive = try liveState(listing, of: declared, planned: live, plannedKeys: desired.keys + prune)
        let mismatches = differences(declared: declared, live: declaredLive)
        if !mismatches.isEmpty { throw DeclarationMismatch(differences: mismatches) }
        return Outcome(
            listing: listing, generation: unchanged ? generation : nil, scope: scope, learned: learned, live: live,
            kernel: unchanged ? kernel : nil)
    }

    /// The outcome derived from `evidence`, or nil when it does not settle what the kernel holds.
    static func fromEcho(
        _ evidence: Evidence, desired: DesiredState, declared: RulesetState, backend: Backend, ownElements: Bool = false
    ) -> Outcome? {
        let after = evidence.generation &+ 1
        guard (try? backend.generationID()) == after else { return nil }
        guard
            let derived = EchoedListing.derive(
                before: evidence.listing, scope: Set(declared.keys), batch: evidence.batch, echo: evidence.echo),
            ownElements
                || derived.sets.allSatisfy({ c in
                    guard let keys = try? backend.elementKeys(family: c.set.family, table: c.set.table, set: c.set.name) else {
                        return false
                    }
                    return c.matches(keys)
                }),
            (try? backend.generationID()) == after,
            let planned = try? PlanOperation.plannableLiveState(derived.document, tables: desired.keys),
            Planner.plan(desired: desired.state, written: desired.written, live: planned).isEmpty,
            let live = try? liveState(derived.document, of: declared, planned: planned, plannedKeys: desired.keys),
            differences(declared: declared, live: live).isEmpty
        else { return nil }
        return Outcome(
            listing: derived.document, generation: after, scope: declared.keys, origins: derived.origins,
            source: derived.sets.isEmpty ? .echo : ownElements ? .ownElements : .elements)
    }

    /// `PlanOperation.liveState(listing, tables: declared.keys)`: `planned` (the same
    /// listing's live state for the tables `plannedKeys`) when those are the same tables,
    /// rather than reading the listing a second time.
    static func liveState(
        _ listing: Document, of declared: RulesetState, planned: RulesetState, plannedKeys: [TableKey]
    ) throws -> RulesetState {
        if Set(plannedKeys) == Set(declared.keys) { return planned }
        return try PlanOperation.liveState(listing, tables: declared.keys)
    }

    /// One attribute that differs, worded for a person.
    public struct Difference: Sendable, Hashable, CustomStringConvertible {
        public var object: String
        public var what: String
        public var declared: String
        public var kernel: String
        public var location: SourceLocation?
        public var description: String {
            (location.map { "\($0): " } ?? "") + "\(object): \(what) declared \(declared), the kernel has \(kernel)"
        }
    }

    /// The declared attributes of `declared`'s tables that `live` does not hold.
    public static func differences(declared: RulesetState, live: RulesetState) -> [Difference] {
        var out: [Difference] = []
        for t in declared.tables {
            let tname = "table \(t.key)"
            guard let l = live.table(t.key) else {
                out.append(Difference(object: tname, what: "the table", declared: "present", kernel: "none", location: t.table.location))
                continue
            }
            func diff(_ object: String, _ what: String, _ d: String?, _ k: String?, _ loc: SourceLocation?) {
                if d != k {
                    out.append(
                        Difference(
                            object: object, what: what, declared: d.map(quoted) ?? "none", kernel: k.map(quoted) ?? "none", location: loc))
                }
            }
            diff(tname, "flags", flagText(t.table.value.flags), flagText(l.table.value.flags), t.table.location)
            diff(tname, "comment", t.table.value.comment, l.table.value.comment, t.table.location)
            for c in t.chains {
                let name = "chain \(t.key) \(c.value.name)"
                guard let lc = l.chain(c.value.name)?.value else {
                    out.append(Difference(object: name, what: "the chain", declared: "present", kernel: "none", location: c.location))
                    continue
                }
                diff(name, "comment", c.value.comment, lc.comment, c.location)
                if c.value.dev != nil { diff(name, "devices", flagText(c.value.dev), flagText(lc.dev), c.location) }
            }
            for s in t.sets {
                let d = s.value
                let kind = d.isMap ? "map" : "set"
                let name = "\(kind) \(t.key) \(d.name)"
                guard let ls = l.set(d.name)?.value else {
                    out.append(Difference(object: name, what: "the \(kind)", declared: "present", kernel: "none", location: s.location))
                    continue
                }
                diff(name, "key", keyText(d.type, typeofOnly: ls.type), keyText(ls.type, typeofOnly: d.type), s.location)
                if d.isMap { diff(name, "data", keyText(d.map, typeofOnly: ls.map), keyText(ls.map, typeofOnly: d.map), s.location) }
                let missing = (d.flags?.values ?? []).filter { !(ls.flags?.values ?? []).contains($0) }
                if !missing.isEmpty {
                    diff(name, "flags", flagText(d.flags), flagText(ls.flags), s.location)
                }
                if d.autoMerge == true { diff(name, "auto-merge", "yes", ls.autoMerge == true ? "yes" : nil, s.location) }
                // The kernel keeps times in ticks (`TimeSpan.tickRounded`): equal at 10 ms is equal.
                func time(_ d: TimeSpan, _ k: TimeSpan?) -> String? { k.map { $0.tickRounded == d.tickRounded ? d : $0 }?.description }
                if let v = d.timeout, v > 0 { diff(name, "timeout", v.description, time(v, ls.timeout), s.location) }
                if let v = d.gcInterval, v > 0 { diff(name, "gc-interval", v.description, time(v, ls.gcInterval), s.location) }
                if let v = d.size, v > 0 { diff(name, "size", "\(v)", ls.size.map { "\($0)" }, s.location) }
                diff(name, "comment", d.comment, ls.comment, s.location)
                if !(d.stmt ?? []).isEmpty {
                    let text = { (s: [Statement]?) in
                        (s ?? []).map { $0.nftText(context: PrintContext(stateless: true)) }.joined(separator: " ")
                    }
                    diff(name, "element statements", text(d.stmt), text(ls.stmt), s.location)
                }
            }
        }
        return out
    }

    static func quoted(_ s: String) -> String { SafeText.quoted(s) }

    static func flagText(_ f: FlagList?) -> String? {
        guard let v = f?.values, !v.isEmpty else { return nil }
        return v.sorted().joined(separator: ",")
    }

    /// A declared key: `typeof EXPR` compares as printed; a named type only when the other
    /// side also gives one (the kernel lists `typeof` sets with their expressions).
    static func keyText(_ k: SetKeyType?, typeofOnly other: SetKeyType?) -> String? {
        switch k {
        case .typeof(let e)?: return "typeof " + e.nftText()
        case .named(let n)?:
            if case .typeof? = other { return "type" }
            return "type " + n
        case .concat(let l)?:
            if case .typeof? = other { return "type" }
            return "type " + l.joined(separator: " . ")
        case nil: return nil
        }
    }
}

/// After the commit, the kernel does not hold an attribute as declared.
public struct DeclarationMismatch: Sendable, DiagnosticError {
    public var differences: [Verify.Difference]
    /// False when the plan was empty and nothing was committed: the kernel's normal form of
    /// the declaration matched the listing, yet the declaration itself does not.
    public var applied = true
    public var diagnostics: [Diagnostic] {
        [
            .error(
                (applied
                    ? "applied, but the kernel does not hold what was declared:\n"
                    : "nothing to change by the plan, yet the kernel does not hold what was declared; nothing was changed:\n")
                    + differences.map { "  " + $0.description }.joined(separator: "\n"))
        ]
    }
}

/// After the commit, the kernel does not hold what was asked.
public struct VerificationFailure: Sendable, OptionMessage {
    public var plan: Plan
    public func message(spelling spell: @escaping @Sendable (UserOption) -> String) -> String {
        "applied, but the kernel does not hold what was asked; what still differs:\n"
            + PlanRenderer(color: false, spelling: spell).text(plan)
    }
}
