import Foundation
import NFTAnalysis

extension EntryPatch {
    /// The rules one edit exchanges in one chain, checked and ready to send (`make`), and
    /// what the state becomes once the kernel has taken them (`apply`).
    struct RuleExchange {
        var edit: Edit
        /// Entries at both ends of the edit that are the same bytes as before: kept as they are.
        var lead: Int
        var trail: Int
        var table: Int
        var chain: Int
        var key: TableKey
        var chainName: String
        var deletes: [(handle: Int64, rule: Located<Rule>)]
        var adds: [(bytes: [UInt8], rule: Located<Rule>, normal: Rule)]
        var position: KernelBatch.Position?
        var batch: KernelBatch
        var plan: Plan
        /// What the remembered listing loses (from its listing's first byte) and whether the
        /// new entries go after a comma (true) or before one (false) in the gap.
        var cut: Range<Int>
        var commaFirst: Bool
        /// Cache records of rules made here, kept once the kernel took them (`rememberMade`).
        var made: (url: URL, lines: [UInt8])?

        /// The old entries the edit exchanges (indices of the base's entries).
        var oldRange: Range<Int> { edit.old.lowerBound + lead..<edit.old.upperBound - trail }
        /// The new entries it puts in their place (indices of `edit.new`).
        var newRange: Range<Int> { lead..<edit.new.count - trail }

        /// Nil when the edit is not one this path sends (see `EntryPatch`); throws the
        /// validator's findings, with the file's lines, when a new rule is wrong. `listed`:
        /// the base's rule entry `k` as the kernel listed it (normal form, handle, counters).
        static func make(
            _ edit: Edit, base: AppliedBase, old: [UInt8], new: [UInt8], listed entry: (Int) -> Rule?, path: String
        ) throws -> RuleExchange? {
            let entries = base.entries
            let mid = edit.new
            let (lead, trail) = keptEnds(edit, entries: entries, old: old, new: new)
            let oldRange = edit.old.lowerBound + lead..<edit.old.upperBound - trail
            let newRange = lead..<mid.count - trail
            let empty = RuleExchange(
                edit: edit, lead: lead, trail: trail, table: -1, chain: -1, key: TableKey(family: "", name: ""), chainName: "",
                deletes: [], adds: [], position: nil, batch: KernelBatch(), plan: Plan(tables: []), cut: 0..<0, commaFirst: true)
            if oldRange.isEmpty && newRange.isEmpty { return empty }

            // One chain: the old entries' and the new ones'.
            var chain: Int?
            for k in oldRange {
                guard entries[k].isRule, chain == nil || chain == entries[k].chain else { return nil }
                chain = entries[k].chain
            }
            var written: [Rule] = []
            for j in newRange {
                guard case .rule(let r) = AppliedBase.kind(mid[j].entry),
                    let c = base.chain(TableKey(family: r.family, name: r.table), r.chain),
                    chain == nil || chain == c, !outOfReach(r), !KernelBatch.presetCounter(r)
                else { return nil }
                chain = c
                written.append(r)
            }
            guard let c = chain else { return nil }
            let ti = base.chains[c].table
            let key = base.tables[ti]
            let chainName = base.chains[c].name
            // A rule comes after its table's and chain's declarations, as the whole file is read.
            let firstNew = edit.old.lowerBound + newRange.lowerBound
            let declared = [base.tableDeclared[ti], base.chains[c].declared].map { remap($0, edit: edit, lead: lead) }
            if !newRange.isEmpty, declared.contains(where: { $0 >= firstNew }) { return nil }

            // The rules that stay on either side, in the chain's order.
            let before = (0..<oldRange.lowerBound).reversed().first { entries[$0].chain == c }
            let after = (oldRange.upperBound..<entries.count).first { entries[$0].chain == c }
            let position: KernelBatch.Position
            if let p = before {
                position = .after(entries[p].handle)
            } else if let f = after {
                position = .before(entries[f].handle)
            } else {
                return nil  // the chain keeps no rule to put the new ones beside
            }

            // The old rules as listed (normal form, handle, counters).
            func listed(_ k: Int) -> Rule? {
                guard let r = entry(k), r.handle == entries[k].handle, r.chain == chainName,
                    TableKey(family: r.family, name: r.table) == key
                else { return nil }
                return r
            }
            var deletes: [(handle: Int64, rule: Located<Rule>)] = []
            for k in oldRange {
                guard let r = listed(k), !outOfReach(r) else { return nil }
                deletes.append((entries[k].handle, Located(r)))
            }
            // Their entries lie side by side in the listing (a chain's rules are listed in
            // order), so one cut takes them out; new rules alone go beside a kept one.
            let cut: Range<Int>
            var commaFirst = true
            if let first = oldRange.first, let last = oldRange.last {
                for k in oldRange.dropFirst() where entries[k].listing.lowerBound != entries[k - 1].listing.upperBound + 1 { return nil }
                let lower = entries[first].listing.lowerBound, upper = entries[last].listing.upperBound
                guard lower > 0 else { return nil }
                cut = newRange.isEmpty ? lower - 1..<upper : lower..<upper
            } else if let p = before {
                cut = entries[p].listing.upperBound..<entries[p].listing.upperBound
            } else {
                let f = entries[after!].listing.lowerBound
                cut = f..<f
                commaFirst = false
            }

            // Each new entry's line in the file.
            var locations: [SourceLocation?] = []
            var line = 1, counted = 0
            for j in newRange {
                let start = mid[j].span.lowerBound
                line += new[counted..<start].reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
                counted = start
                locations.append(SourceLocation(file: path, line: line))
            }
            // The table's declarations, from the new bytes, and the new rules: validated as
            // the whole file would be, with the hooks the chains are reached from.
            func newSpan(_ k: Int) -> Range<Int> { Self.newSpan(k, edit: edit, lead: lead, entries: entries) }
            var document: [Document.Entry] = []
            var documentLocations: [SourceLocation?] = []
            for k in entries.indices where entries[k].table == ti && !entries[k].isRule {
                var slice = Array(new[newSpan(k)])
                guard let j = try? JSON.parse(bytes: &slice) else { return nil }
                document.append(Document.Entry(json: j))
                documentLocations.append(nil)
            }
            document += newRange.map { mid[$0].entry }
            documentLocations += locations
            let unsupported = Validator.unsupportedParts(Document(document), locations: documentLocations, origin: path)
            if !unsupported.isEmpty { throw Problem(diagnostics: unsupported) }
            let state: RulesetState
            do { state = try RulesetState(document: Document(document), locations: documentLocations) } catch {
                throw error.placed(in: path)
            }
            guard state.tables.count == 1, let declared = state.table(key), declared.rules.count == written.count else { return nil }
            var hooks: [String: [HookUse]] = [:]
            for info in base.chains where info.table == ti { hooks[info.name] = info.hooks }
            let ordinal = entries[..<oldRange.lowerBound].reduce(1) { $0 + ($1.chain == c ? 1 : 0) }
            let diagnostics = TableValidator(table: declared, hooks: hooks, firstOrdinal: [chainName: ordinal]).run()
            if diagnostics.hasErrors { throw ValidationFailure(diagnostics: diagnostics) }

            // Normal forms and kernel bytes: the cache's, by the entries' bytes, or made here.
            let cache = NormalizationCache()
            try cache.prepare()
            let url = cache.file(for: declared)
            let keys = newRange.map { NormalFormKey.rawEntry(new[mid[$0].span]) }
            // The new rules' records alone: a table of 50k rules has 100k of them.
            let records = cache.load(url, only: Set(keys + keys.map(\.kernelBytesKey)))
            var normals: [Rule?] = []
            var bytes: [[UInt8]?] = []
            for (i, k) in keys.enumerated() {
                let r = written[i]
                var normal: Rule?
                if records.isAsWritten(k) {
                    normal = NormalizationCache.asWritten(r)
                } else if let v = records.value(k), case .rule(let n) = RulesetItem(json: v), n.family == r.family, n.table == r.table,
                    n.chain == r.chain
                {
                    normal = n
                }
                normals.append(normal)
                if case .some(.some(let b)) = records.kernelBytes(k), normal != nil { bytes.append(b) } else { bytes.append(nil) }
            }
            var made: (url: URL, lines: [UInt8])?
            let missing = bytes.indices.filter { bytes[$0] == nil }
            if !missing.isEmpty {
                guard missing.count <= maximumMade else { return nil }
                var table = declared
                table.rules = missing.map { declared.rules[$0] }
                guard let new = try? RuleBytesScratch.makeNew(table) else { return nil }
                var lines: [UInt8] = []
                for (m, i) in missing.enumerated() {
                    normals[i] = new[m].normal
                    bytes[i] = new[m].bytes
                    if let value = NormalizationCache.record(written: written[i], normal: new[m].normal) {
                        lines += NormalFormRecords.line(keys[i], value)
                        lines += NormalFormRecords.line(keys[i].kernelBytesKey, NormalFormRecords.kernelBytesValue(new[m].bytes))
                    }
                }
                made = (url, (records.endsMidLine ? [0x0A] : []) + lines)
            }
            var adds: [(bytes: [UInt8], rule: Located<Rule>, normal: Rule)] = []
            for i in written.indices {
                guard let b = bytes[i], let n = normals[i] else { return nil }
                adds.append((b, Located(written[i], locations[i]), n))
            }
            // A rule that stays but for its spelling (or moves within the edit) keeps its counters
            // in the ordinary apply, whose plan aligns rules by normal form: left to it.
            let gone = deletes.map { ComparedRule($0.rule.value) }
            if adds.contains(where: { a in gone.contains(ComparedRule(a.normal)) }) { return nil }
            guard
                let batch = KernelBatch.patch(
                    table: key, chain: chainName, deletes: deletes, adds: adds.map { ($0.bytes, $0.rule) }, position: position)
            else { return nil }

            // The plan as the ordinary apply shows it: a rule exchanged is changed, the rest added or deleted.
            var changes: [Change] = []
            for i in 0..<max(deletes.count, adds.count) {
                let o = i < deletes.count ? deletes[i].rule.value : nil
                let n = i < adds.count ? adds[i].normal : nil
                changes.append(
                    Change(
                        sign: o == nil ? .add : n == nil ? .delete : .change, subject: .rule(chain: chainName, old: o, new: n, before: nil),
                        location: n == nil ? nil : adds[i].rule.location, send: n == nil ? nil : adds[i].rule.value))
            }
            var live = declared
            live.rules = []
            var desired = live
            if let p = before, let r = listed(p) { desired.rules.append(Located(r)) }
            desired.rules += adds.map { Located($0.normal, $0.rule.location) }
            let plan = Plan(tables: [TablePlan(key: key, mode: .update, changes: changes, desired: desired, live: live)])
            return RuleExchange(
                edit: edit, lead: lead, trail: trail, table: ti, chain: c, key: key, chainName: chainName, deletes: deletes,
                adds: adds, position: position, batch: batch, plan: plan, cut: cut, commaFirst: commaFirst, made: made)
        }

        /// How many entries at the start and at the end of `edit` are the same bytes as the
        /// base's (`entries` in `old`) they replace: kept as they are.
        static func keptEnds(_ edit: Edit, entries: [AppliedBase.Entry], old: [UInt8], new: [UInt8]) -> (lead: Int, trail: Int) {
            let mid = edit.new
            var lead = 0
            while lead < min(edit.old.count, mid.count), old[entries[edit.old.lowerBound + lead].span] == new[mid[lead].span] {
                lead += 1
            }
            var trail = 0
            while trail < min(edit.old.count, mid.count) - lead,
                old[entries[edit.old.upperBound - 1 - trail].span] == new[mid[mid.count - 1 - trail].span]
            {
                trail += 1
            }
            return (lead, trail)
        }

        /// Where the base's entry `k`, one `edit` keeps (`lead` of them kept at its start), is in the new file.
        static func remap(_ k: Int, edit: Edit, lead: Int) -> Int {
            if k < edit.old.lowerBound { return k }
            if k >= edit.old.upperBound { return k + edit.new.count - edit.old.count }
            return k < edit.old.lowerBound + lead ? k : edit.old.lowerBound + edit.new.count - (edit.old.upperBound - k)
        }

        func remapped(_ k: Int) -> Int { Self.remap(k, edit: edit, lead: lead) }

        /// Where the base's entry `k` (of `entries`), one `edit` keeps (`lead` of them kept at
        /// its start) or exchanges, is in the new file.
        static func newSpan(_ k: Int, edit: Edit, lead: Int, entries: [AppliedBase.Entry]) -> Range<Int> {
            let mid = edit.new
            if k < edit.old.lowerBound { return entries[k].span }
            if k >= edit.old.upperBound { return entries[k].span.lowerBound + edit.delta..<entries[k].span.upperBound + edit.delta }
            return k < edit.old.lowerBound + lead ? mid[k - edit.old.lowerBound].span : mid[mid.count - (edit.old.upperBound - k)].span
        }

        /// At most this many rules are made in a private namespace: beyond, the ordinary
        /// apply's scratch namespace costs no more.
        static let maximumMade = 64

        /// The new rules' handles, in order, when the kernel's answer is this change at the
        /// generation after `generation`: each new rule with the bytes sent and nothing
        /// counted, each old rule deleted. Nil otherwise.
        func verify(_ echo: KernelBatch.Echo, generation: UInt32) -> [Int64]? {
            guard echo.generation == generation &+ 1 else { return nil }
            var echoed = echo.contents[key]?.rules ?? []
            guard echoed.count == adds.count, echo.contents.count == 1 else { return nil }
            if case .after = position { echoed.reverse() }
            // In place: each after the one before it (the first after the anchor, or first in its
            // chain), where the notification says (kernels from 5.15 give the rule before, but not
            // for the chain's first or last rule; older ones never).
            var previous: Int64?
            switch position {
            case .after(let h)?: previous = h
            default: previous = nil
            }
            for (r, a) in zip(echoed, adds) {
                guard r.chain == chainName, r.table == key.name, r.countedNothing, r.bytes == a.bytes else { return nil }
                if let p = r.position { guard p == previous else { return nil } }
                previous = r.handle
            }
            let gone = echo.deleted.map(\.handle)
            guard gone.count == deletes.count, Set(gone) == Set(deletes.map(\.handle)),
                echo.deleted.allSatisfy({ $0.chain == chainName && $0.table == key.name })
            else { return nil }
            return echoed.map(\.handle)
        }

        /// The deleted rules with the counts the kernel gave as it deleted them, for the
        /// snapshot (`SnapshotCounts`); nil when none of them counts.
        func counts(_ echo: KernelBatch.Echo) -> Document? {
            let byHandle = Dictionary(echo.deleted.map { ($0.handle, $0) }, uniquingKeysWith: { a, _ in a })
            var out: [Document.Entry] = []
            for d in deletes where SnapshotSource.holdsState(d.rule.value) {
                guard let k = byHandle[d.handle], let r = KernelRuleBytes.counted(d.rule.value, k.counters) else { continue }
                out.append(.command(Command(.delete, .rule(r))))
            }
            return out.isEmpty ? nil : Document(out)
        }

        /// The remembered listing (its `{"nftables":…}` part) and the base once the kernel has
        /// taken this change, the new rules with `handles`, at `generation`.
        func apply(
            handles: [Int64], to file: [UInt8], listingStart: Int, base: AppliedBase, generation: UInt32, digest: String
        ) -> (listing: [UInt8], base: AppliedBase) {
            let listing = Array(file[listingStart..<file.count - 1])
            var texts: [[UInt8]] = []
            for (a, h) in zip(adds, handles) {
                var rule = KernelRuleBytes.zeroed(a.normal)
                rule.handle = h
                texts.append(Document.Entry.item(.rule(rule)).json.serializedBytes(.compact))
            }
            var replacement: [UInt8] = []
            var spans: [Range<Int>] = []
            var at = cut.lowerBound
            if !texts.isEmpty && commaFirst && deletes.isEmpty {
                replacement.append(UInt8(ascii: ","))
                at += 1
            }
            for (i, t) in texts.enumerated() {
                if i > 0 {
                    replacement.append(UInt8(ascii: ","))
                    at += 1
                }
                spans.append(at..<at + t.count)
                replacement += t
                at += t.count
            }
            if !texts.isEmpty && !commaFirst { replacement.append(UInt8(ascii: ",")) }
            let out = Array(listing[..<cut.lowerBound]) + replacement + listing[cut.upperBound...]
            let shift = replacement.count - cut.count
            // A rule listed from the cut's end on moves by what the cut changed in length.
            func moved(_ e: AppliedBase.Entry, span: Range<Int>) -> AppliedBase.Entry {
                var e = e
                e.span = span
                if e.isRule, e.listing.lowerBound >= cut.upperBound {
                    e.listing = e.listing.lowerBound + shift..<e.listing.upperBound + shift
                }
                return e
            }
            let entries = base.entries
            var next: [AppliedBase.Entry] = []
            next.reserveCapacity(entries.count + edit.new.count - edit.old.count)
            for k in 0..<edit.old.lowerBound { next.append(moved(entries[k], span: entries[k].span)) }
            for j in edit.new.indices {
                let span = edit.new[j].span
                if j < lead {
                    next.append(moved(entries[edit.old.lowerBound + j], span: span))
                } else if j >= edit.new.count - trail {
                    next.append(moved(entries[edit.old.upperBound - (edit.new.count - j)], span: span))
                } else {
                    let i = j - lead
                    next.append(AppliedBase.Entry(span: span, table: table, chain: chain, handle: handles[i], listing: spans[i]))
                }
            }
            for k in edit.old.upperBound..<entries.count {
                let s = entries[k].span
                next.append(moved(entries[k], span: s.lowerBound + edit.delta..<s.upperBound + edit.delta))
            }
            var b = base
            b.entries = next
            b.tableDeclared = base.tableDeclared.map(remapped)
            for i in b.chains.indices { b.chains[i].declared = remapped(base.chains[i].declared) }
            b.digest = digest
            b.generation = generation
            if let bounds = AppliedBase.arrayBounds(next.map(\.span)) {
                b.arrayStart = bounds.lowerBound
                b.arrayEnd = bounds.upperBound
            }
            return (out, b)
        }

        /// The base after an edit that changed no entry (only the bytes between them).
        func base(after base: AppliedBase, generation: UInt32, digest: String) -> AppliedBase {
            apply(handles: [], to: [0], listingStart: 0, base: base, generation: generation, digest: digest).base
        }

        /// Keeps the normal forms and kernel bytes made for this change in the cache.
        func rememberMade() {
            guard let made, !made.lines.isEmpty else { return }
            _ = PrivatePath.append(made.lines, to: made.url.path)
        }
    }
}
