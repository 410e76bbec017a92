import NFTAnalysis

/// Loads a JSON batch into a scratch namespace, in several libnftables calls when it must.
///
/// In a user namespace libnftables 1.0.6 cannot enlarge its netlink send buffer, and batches
/// over about 208 KiB fail with "Message too long" (fixed in 1.0.8). A scratch load need not
/// be atomic, so a big batch is cut into pieces. When the batch only adds things, its entries
/// are first ordered so that every piece finds what it refers to: tables, then chains and
/// named objects, then sets and maps (verdict maps may jump to chains), then elements, then
/// rules (which use all of these); order within a phase is kept, so rule order is kept. A
/// batch that also deletes, flushes, renames or replaces keeps its own order. A large set is
/// cut into its definition plus several element commands. A piece that still fails with
/// "Message too long" is halved and retried (a failed call changes nothing).
///
/// The dependency order is applied to additive batches even when they fit in one call:
/// libnftables 1.0.6 refuses its own listings as input because the dump puts maps before
/// the chains they jump to. So a scratch load accepts a batch whose only fault is its
/// order, which a real apply of the same batch would refuse; a real apply must send
/// definitions before their users itself.
enum ScratchLoader {
    /// Serialised JSON size of one piece. libnftables' netlink messages can be bigger than
    /// the JSON (set elements), hence the margin below 208 KiB.
    static let pieceBudget = 64 * 1024
    /// Below this size a batch is loaded in one call even in a user namespace.
    static let splitThreshold = 160 * 1024

    /// The batch goes as nft syntax when it can be written safely (`TextBatch`), like a
    /// real apply, so the scratch normal form holds what the JSON input would drop.
    static func load(_ document: Document, into context: NFTContext, inUserNamespace: Bool) throws(BackendError) {
        let entries = ordered(document.entries)
        let sets = entries.compactMap { (e: Document.Entry) -> NamedSet? in
            if case .command(let c) = e, case .set(let s) = c.item { return s }
            if case .item(.set(let s)) = e { return s }
            return nil
        }
        let text = Document(entries).json.serialized()
        if !inUserNamespace || text.utf8.count <= splitThreshold {
            do {
                try run(entries[...], sets: sets, into: context)
                return
            } catch {
                guard error.isMessageTooLong else { throw error }
            }
        }
        for piece in pieces(entries) {
            try loadPiece(piece[...], sets: sets, into: context)
        }
    }

    /// One libnftables call: nft syntax if every entry can be written so, else JSON.
    private static func run(_ entries: ArraySlice<Document.Entry>, sets: [NamedSet], into context: NFTContext) throws(BackendError) {
        let commands = Document(
            entries.map { e -> Document.Entry in
                if case .item(let i) = e { return .command(Command(.add, i)) }
                return e
            })
        if let text = try? TextBatch.render(commands, sets: sets) {
            // As a real apply does: what nft's parser refuses is refused, not sent as JSON.
            _ = try StandInInterfaces.retrying(source: text.text) { () throws(BackendError) in
                try context.run(text: text.text, dryRun: false)
            }
        } else {
            _ = try context.run(json: Document(Array(entries)).json.serialized(), dryRun: false)
        }
    }

    private static func loadPiece(_ entries: ArraySlice<Document.Entry>, sets: [NamedSet], into context: NFTContext) throws(BackendError) {
        do {
            try run(entries, sets: sets, into: context)
        } catch {
            guard error.isMessageTooLong, entries.count > 1 else { throw error }
            let mid = entries.startIndex + entries.count / 2
            try loadPiece(entries[..<mid], sets: sets, into: context)
            try loadPiece(entries[mid...], sets: sets, into: context)
        }
    }

    /// Consecutive runs of entries whose JSON stays within `pieceBudget` (one entry may exceed it).
    static func pieces(_ entries: [Document.Entry]) -> [[Document.Entry]] {
        var out: [[Document.Entry]] = [], current: [Document.Entry] = [], size = 0
        for e in entries {
            let s = e.json.serialized().utf8.count + 1
            if !current.isEmpty && size + s > pieceBudget {
                out.append(current); current = []; size = 0
            }
            current.append(e); size += s
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// Dependency order for additive batches; the batch unchanged otherwise.
    static func ordered(_ entries: [Document.Entry]) -> [Document.Entry] {
        guard entries.allSatisfy(isAdditive) else { return entries }
        var phases = [[Document.Entry]](repeating: [], count: 5)
        for e in entries {
            for (phase, piece) in split(e) { phases[phase].append(piece) }
        }
        return phases.flatMap { $0 }
    }

    static func isAdditive(_ e: Document.Entry) -> Bool {
        switch e {
        case .item: return true
        case .command(let c): return c.verb == .add || c.verb == .create || c.verb == .insert
        case .raw: return false
        }
    }

    /// An entry with its phase; big sets and element commands become several entries.
    static func split(_ e: Document.Entry) -> [(Int, Document.Entry)] {
        let verb: Verb?, item: RulesetItem
        switch e {
        case .item(let i): verb = nil; item = i
        case .command(let c): verb = c.verb; item = c.item
        case .raw: return [(0, e)]
        }
        func wrap(_ i: RulesetItem, _ v: Verb? = nil) -> Document.Entry {
            if let v = v ?? verb { return .command(Command(v, i)) }
            return .item(i)
        }
        switch item {
        case .metainfo: return []
        case .table, .selector, .raw: return [(0, e)]
        case .chain, .object, .flowtable: return [(1, e)]
        case .rule: return [(4, e)]
        case .element(let el):
            return elementChunks(list(el.elem)).map { chunk in
                var c = el
                c.elem = .list(chunk)
                return (3, wrap(.element(c)))
            }
        case .set(var s):
            let elems = s.elements
            guard !elems.isEmpty, JSON.array(elems.map(\.json)).serialized().utf8.count > pieceBudget / 2 else {
                return [(2, e)]
            }
            s.elem = nil
            var out: [(Int, Document.Entry)] = [(2, wrap(.set(s)))]
            for chunk in elementChunks(elems) {
                out.append(
                    (
                        3,
                        wrap(
                            .element(
                                ElementCommand(
                                    family: s.family, table: s.table, name: s.name,
                                    elem: .list(chunk))), .add)
                    ))
            }
            return out
        }
    }

    private static func list(_ e: Expression) -> [Expression] {
        if case .list(let l) = e { return l }
        if case .set(let l, _) = e { return l }
        return [e]
    }

    /// Elements cut so that each chunk's JSON stays within half a piece.
    static func elementChunks(_ elems: [Expression]) -> [[Expression]] {
        var out: [[Expression]] = [], current: [Expression] = [], size = 0
        for x in elems {
            let s = x.json.serialized().utf8.count + 1
            if !current.isEmpty && size + s > pieceBudget / 2 {
                out.append(current); current = []; size = 0
            }
            current.append(x); size += s
        }
        if !current.isEmpty { out.append(current) }
        return out
    }
}
