import NFTAnalysis

/// How a batch reaches libnftables: as nft syntax (`TextBatch`) whenever it can be written
/// safely, since 1.0.6's JSON input loses what its text input keeps; as JSON otherwise (a
/// name that is not an identifier, a string with a quote). Either way one call, one
/// transaction. A refusal names the user's `file:line` of the command libnftables points at.
/// What nft's parser refuses is refused, not sent as JSON instead: 1.0.6's JSON parser takes
/// an unknown word or an out-of-range number without a word and drops or truncates it.
public enum Transport {
    public enum Path: String, Sendable { case text, json }

    /// Commits (or dry-runs) `batch`; returns the path it took.
    @discardableResult
    public static func send(
        _ batch: Document, locations: [SourceLocation?], sets: [NamedSet] = [],
        backend: Backend, dryRun: Bool = false
    ) throws -> Path {
        try deliver(batch, locations: locations, sets: sets, backend: backend, dryRun: dryRun, echo: false).path
    }

    /// Commits `batch` with the kernel's echo of what it added and replaced (see
    /// `Backend.applyTextEchoed`); nil when the backend or the path taken gives none.
    public static func sendEchoed(
        _ batch: Document, locations: [SourceLocation?], sets: [NamedSet] = [], backend: Backend
    ) throws -> Document? {
        try deliver(batch, locations: locations, sets: sets, backend: backend, dryRun: false, echo: true).echo
    }

    private static func deliver(
        _ batch: Document, locations: [SourceLocation?], sets: [NamedSet], backend: Backend, dryRun: Bool, echo: Bool
    ) throws -> (path: Path, echo: Document?) {
        // The in-memory fake keeps the model itself: nothing to lose.
        if backend.keepsModel {
            if echo { return (.json, try backend.applyEchoed(batch)) }
            try backend.apply(batch, dryRun: dryRun)
            return (.json, nil)
        }
        if let refusal = AnonymousChainPlacement.refusal(batch, locations: locations) { throw refusal }
        let text: TextBatch
        do { text = try TextBatch.render(batch, sets: sets) } catch {
            try refuseLosses(batch, locations: locations, because: error)
            try backend.apply(batch, dryRun: dryRun)
            return (.json, nil)
        }
        do {
            if echo { return (.text, try backend.applyTextEchoed(text.text)) }
            try backend.applyText(text.text, dryRun: dryRun)
        } catch let error as BackendError {
            var message = error.description
            if case .nftables(_, let t) = error,
                let i = text.entry(forError: t), i < locations.count, let loc = locations[i]
            {
                message = "\(loc): \(message)"
            }
            throw TransportRefusal(message: message, underlying: error)
        }
        return (.text, nil)
    }
}

extension Transport {
    /// Throws when `batch` cannot go as nft syntax and holds something 1.0.6's JSON input
    /// would drop or change: it is refused whole, before the kernel is touched.
    public static func check(_ batch: Document, locations: [SourceLocation?], sets: [NamedSet] = []) throws {
        do { _ = try TextBatch.render(batch, sets: sets) } catch {
            try refuseLosses(batch, locations: locations, because: error)
        }
    }

    static func refuseLosses(_ batch: Document, locations: [SourceLocation?], because error: TextBatch.Unsafe) throws {
        let losses = JSONLoss.find(batch)
        guard !losses.isEmpty else { return }
        // The location of what keeps the batch from going as text.
        let loc = error.entry < locations.count ? locations[error.entry] : nil
        let list = losses.prefix(8).map { "  " + $0.what }.joined(separator: "\n")
        throw TransportRefusal(
            message: (loc.map { "\($0): " } ?? "") + """
                this ruleset cannot be sent as nft syntax (\(error.reason)), and libnftables' JSON \
                input would drop or change:
                \(list)
                Nothing was applied.
                """, underlying: .unsupported(error.reason))
    }
}

/// What 1.0.6's JSON input drops or changes (measured against the kernel; the constructs are
/// in Tests/NFTCtlKitTests/Fixtures/fidelity.nft), per batch entry.
enum JSONLoss {
    struct Loss { var entry: Int; var what: String }

    static func find(_ batch: Document) -> [Loss] {
        var out: [Loss] = []
        for (i, e) in batch.entries.enumerated() {
            let item: RulesetItem
            switch e {
            case .command(let c): item = c.item
            case .item(let it): item = it
            default: continue
            }
            func lose(_ s: String) { out.append(Loss(entry: i, what: s)) }
            if let raw = TextBatch.rawPart(item) { lose("\(item.kindName): \(SafeText.quoted(raw)) (not understood)") }
            if hasMilliseconds(item) { lose("\(item.kindName): a time value with milliseconds (1.0.6 takes whole seconds)") }
            switch item {
            case .table(let t):
                if let f = t.flags, !f.values.isEmpty { lose("table \(t.family) \(t.name): flags \(f.values.joined(separator: ","))") }
                if t.comment != nil { lose("table \(t.family) \(t.name): its comment") }
            case .chain(let c):
                if c.comment != nil { lose("chain \(c.family) \(c.table) \(c.name): its comment") }
            case .set(let s):
                let what = "\(s.isMap ? "map" : "set") \(s.family) \(s.table) \(s.name)"
                if case .typeof? = s.type { lose("\(what): typeof (becomes a bare datatype)") }
                if s.flags?.values.contains("dynamic") == true { lose("\(what): flags dynamic") }
                if s.autoMerge == true { lose("\(what): auto-merge") }
                if !(s.stmt ?? []).isEmpty, !s.elements.isEmpty { lose("\(what): per-element statements (counters)") }
            case .rule(let r):
                for st in r.statements {
                    if case .text(let t) = st {
                        lose("rule in \(r.family) \(r.table) \(r.chain): `\(SafeText.quoted(t))` (listed only as text)")
                    }
                }
            default: break
            }
        }
        return out
    }

    /// A timeout, gc-interval or expiry that is not a whole number of seconds.
    static func hasMilliseconds(_ item: RulesetItem) -> Bool {
        func fine(_ t: TimeSpan?) -> Bool { t.map { $0.wholeSeconds == nil } ?? false }
        var found = false
        func visit(_ e: NFTModel.Expression) {
            e.forEach { if case .elem(let el) = $0, fine(el.timeout) || fine(el.expires) { found = true } }
        }
        switch item {
        case .set(let s):
            if fine(s.timeout) || fine(s.gcInterval) { return true }
            s.elem.map(visit)
        case .element(let c): visit(c.elem)
        case .rule(let r): for st in r.statements { st.forEachExpression(visit) }
        default: break
        }
        return found
    }
}

/// libnftables refused a batch sent as text; the message starts with the user's location
/// when the failing command has one.
public struct TransportRefusal: Sendable, DiagnosticError {
    public var message: String
    public var underlying: BackendError
    public var diagnostics: [Diagnostic] { [.error(message)] }
}

/// libnftables 1.0.6 dies (SIGSEGV) on a batch that places a rule by position or index and
/// also holds a rule with an anonymous chain (`jump { … }`): placing a rule makes it add
/// each rule it evaluates to its cache (`NFT_CACHE_UPDATE`), and for a rule of the
/// anonymous chain it looks up a chain with no name (`rule_cache_update`). Such a batch is
/// refused before it is sent, naming the rule, rather than taking nftctl down mid-apply.
enum AnonymousChainPlacement {
    static func refusal(_ batch: Document, locations: [SourceLocation?]) -> TransportRefusal? {
        var placed = false
        var anonymous: Int?
        for (i, e) in batch.entries.enumerated() {
            guard case .command(let c) = e, case .rule(let r) = c.item else { continue }
            if (c.verb == .add || c.verb == .insert) && (r.handle != nil || r.index != nil) { placed = true }
            if anonymous == nil, c.verb != .delete, r.statements.contains(where: holdsAnonymousChain) { anonymous = i }
        }
        guard placed, let i = anonymous else { return nil }
        let loc = i < locations.count ? locations[i] : nil
        return TransportRefusal(
            message: (loc.map { "\($0): " } ?? "")
                + "this change places rules by position in a chain and adds a rule with an anonymous chain "
                + "(`jump { … }`), which libnftables 1.0.6 cannot take in one batch (it crashes); nothing was applied. "
                + "Apply the table whole with `--replace` (its counters start again), or give the anonymous chain a name.",
            underlying: .unsupported("a positioned rule beside an anonymous chain"))
    }

    static func holdsAnonymousChain(_ s: Statement) -> Bool {
        if case .text(let t) = s { return t.contains("jump {") || t.contains("goto {") }
        return false
    }
}
