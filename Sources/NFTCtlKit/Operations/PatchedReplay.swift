import Foundation
import NFTAnalysis

/// An edited JSON file applied where none of its tables exists (after a reboot, or a table
/// deleted), made from the `ReplayRecord` of the file it was edited from: the file applied
/// last in this namespace (`AppliedBase`, its bytes and entries), whose record is in the
/// cache. When the edit is one `EntryPatch` sends (rule entries of one chain), the new file's
/// record is that record with those rules exchanged: in the batch (the old rules' messages
/// out, the new ones' in), in the listing's template and in the plan's text. The new rules
/// are validated and their normal forms and kernel bytes found or made as `EntryPatch` does
/// (`RuleExchange.make`); the other rules are not read again. Then `Replay` applies the new
/// record and verifies it as it verifies any record (the kernel's echo against the batch,
/// the declarations against the recorded ones), and falls back to loading the file and
/// verifying by listing when that evidence breaks.
///
/// The old rules' normal forms come from the record's template (what the recorded apply's
/// verifying listing showed). A chain's rules are in the file's order in the batch, the
/// template and the plan alike, so the n-th rule of a chain in the file is the n-th in
/// each of them; anything that does not line up (a count, a plan coloured for a terminal,
/// lines of the file that would not move alike) leaves this path before anything is sent.
public enum PatchedReplay {
    /// A record made from another, and what was made for it.
    public struct Patched: Sendable {
        public var record: ReplayRecord
        var exchange: EntryPatch.RuleExchange

        /// Keeps the record and the rules made for it, once `Replay` verified the apply by
        /// the record's own evidence: the next apply of the same file is a plain replay.
        public func keep() {
            record.save()
            exchange.rememberMade()
        }
    }

    /// The record of the file `bytes` under `key`, made from the record of the file it was
    /// edited from; nil when there is none to make (see the type). Throws the validator's
    /// findings, with the file's lines, when a new rule is wrong.
    public static func record(_ key: ReplayRecord.Key, bytes: [UInt8], store: StateStore, backend: Backend) throws -> Patched? {
        var timer = PhaseTimer()
        // Cheap refusals first (an apply with its tables in place comes this way too): the
        // base's tables, from its index's first line, against the kernel's.
        guard !key.color, let tables = store.baseTables(), try backend.tableKeys().isDisjoint(with: tables),
            let (base, old) = store.appliedFile(), base.tables == tables, UpToDate.digest(old) == base.digest, old != bytes,
            let record = ReplayRecord.read(
                ReplayRecord.Key(
                    fingerprint: UpToDate.fingerprint(digest: base.digest), path: base.path, replace: key.replace, color: false)),
            record.tables == base.tables, let edit = EntryPatch.edit(base: base, old: old, new: bytes)
        else { return nil }
        timer.mark("patched replay: the file applied last and its record read, the edit found")
        guard let templateRules = record.templateRules() else { return nil }
        // The n-th rule of a chain in the file is its n-th in the template and the batch:
        // `ordinal(k, c)` of them come before entry `k`.
        func ordinal(_ k: Int, _ c: Int) -> Int { base.entries[..<k].reduce(0) { $0 + ($1.chain == c ? 1 : 0) } }
        func chainKey(_ c: Int) -> ChainKey { ChainKey(table: base.chains[c].table, name: base.chains[c].name) }
        // With the base's own handle in its hole: `make` checks the handle it is given (the
        // remembered listing's must be the base's); here the template's are of no apply.
        let listed: (Int) -> Rule? = { k in
            let e = base.entries[k]
            guard e.isRule, let rules = templateRules[chainKey(e.chain)], case let n = ordinal(k, e.chain), n < rules.count else {
                return nil
            }
            return record.rule(at: rules[n], handle: e.handle)
        }
        guard let change = try EntryPatch.RuleExchange.make(edit, base: base, old: old, new: bytes, listed: listed, path: key.path),
            !(change.deletes.isEmpty && change.adds.isEmpty)
        else { return nil }
        timer.mark("patched replay: the changed rules checked, normal forms and kernel bytes in hand")
        let c = change.chain
        let first = ordinal(change.oldRange.lowerBound, c), count = ordinal(base.entries.count, c)
        let removed = first..<first + change.deletes.count
        let messages = record.rules.filter { $0.table == change.table && $0.chain == change.chainName }.map(\.message)
        guard let rules = templateRules[chainKey(c)], rules.count == count, messages.count == count, removed.upperBound <= count,
            let cut = exchanged(removed, in: messages),
            let batch = record.batch.exchanging(cut, with: change.adds.map { ($0.bytes, $0.rule) }, of: change.key),
            let (template, holes) = record.template(exchanging: removed, of: rules, with: change.adds.map(\.normal)),
            let planText = planText(
                record.planText, base: base, old: old, new: bytes, change: change, removed: removed, of: count, path: key.path)
        else { return nil }
        var patched = ReplayRecord(
            key: key, tables: record.tables, commands: record.commands - change.deletes.count + change.adds.count, batch: batch,
            declarations: record.declarations, template: template, holes: holes, names: record.names, planText: planText)
        guard let batchRules = patched.batchRules() else { return nil }
        patched.rules = batchRules
        timer.mark("patched replay: the batch, listing and plan exchanged")
        return Patched(record: patched, exchange: change)
    }

    /// A chain's rule messages `removed` (by their numbers `messages`), side by side, or where
    /// new rules go when none is: after the rule before, or before the chain's first.
    static func exchanged(_ removed: Range<Int>, in messages: [Int]) -> Range<Int>? {
        if let first = removed.first, let last = removed.last {
            guard messages[last] - messages[first] == last - first else { return nil }
            return messages[first]..<messages[last] + 1
        }
        if removed.lowerBound > 0 { return messages[removed.lowerBound - 1] + 1..<messages[removed.lowerBound - 1] + 1 }
        return messages.first.map { $0..<$0 }
    }

    /// The recorded plan's text with the chain's rule lines `removed` (in the chain's order, of `count`)
    /// exchanged for the new rules' and every other line's place in the file moved as the edit
    /// moved it (and named by `path`, the edited file's, which may have been copied elsewhere);
    /// nil when the text is not laid out as the plain renderer lays out a new table.
    static func planText(
        _ text: String, base: AppliedBase, old: [UInt8], new: [UInt8], change: EntryPatch.RuleExchange, removed: Range<Int>,
        of count: Int, path: String
    ) -> String? {
        let renderer = PlanRenderer(color: false)
        // Each kept entry's line, in the old file and in the new one: a location moves with its entry.
        let oldLines = lineNumbers(old, at: base.entries.map(\.span.lowerBound))
        var newStarts: [Int] = []
        var kept: [Int] = []
        for k in base.entries.indices where !change.oldRange.contains(k) {
            kept.append(k)
            newStarts.append(EntryPatch.RuleExchange.newSpan(k, edit: change.edit, lead: change.lead, entries: base.entries).lowerBound)
        }
        let newLines = lineNumbers(new, at: newStarts)
        var moved: [Int: Int] = [:]
        for (i, k) in kept.enumerated() {
            let o = oldLines[k]
            if let seen = moved[o], seen != newLines[i] { return nil }
            moved[o] = newLines[i]
        }
        // Read as bytes, line by line: ten thousand lines are not searched as Strings.
        let bytes = Array(text.utf8)
        var lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false)
        guard let summaryLine = lines.popLast(), let summary = String(validating: summaryLine, as: UTF8.self) else { return nil }
        let marker = Array(SafeText.escape("  # \(base.path):").utf8), newMarker = Array(SafeText.escape("  # \(path):").utf8)
        // The chain's part of its table's: its rule lines, in order (its declaration is not one).
        let header = Array(renderer.tableHeader(change.key, mode: .create).utf8)
        let chainHeader = Array(renderer.chainHeader(change.chainName).utf8)
        let declaration = Array("    + chain \(SafeText.name(change.chainName)) ".utf8)
        let chainPrefix = Array("  chain ".utf8), rulePrefix = Array("    + ".utf8)
        var inTable = false, inChain = false
        var ruleLines: [Int] = []
        var out: [[UInt8]] = []
        out.reserveCapacity(lines.count + change.adds.count)
        for (i, line) in lines.enumerated() {
            if line.first != 0x20 {
                inTable = line.elementsEqual(header)
                inChain = false
            } else if line.starts(with: chainPrefix) {
                inChain = inTable && line.elementsEqual(chainHeader)
            } else if inChain, line.starts(with: rulePrefix), !line.starts(with: declaration) {
                ruleLines.append(i)
            }
            // Where the line's entry is in the new file: its location is the marker and digits that end it.
            var d = line.endIndex
            while d > line.startIndex, (0x30...0x39).contains(line[d - 1]) { d -= 1 }
            guard d < line.endIndex, d - line.startIndex >= marker.count, line[(d - marker.count)..<d].elementsEqual(marker),
                let n = Int(String(decoding: line[d...], as: UTF8.self))
            else {
                out.append(Array(line))
                continue
            }
            guard let to = moved[n] else {
                if ruleLines.last == i {  // an exchanged rule's: it goes
                    out.append(Array(line))
                    continue
                }
                return nil
            }
            out.append(Array(line[..<(d - marker.count)]) + newMarker + Array(String(to).utf8))
        }
        guard ruleLines.count == count else { return nil }
        let added = change.adds.map { Array(renderer.addedRule($0.normal, location: $0.rule.location).utf8) }
        let at: Int
        if let f = removed.first {
            at = ruleLines[f]
        } else if removed.lowerBound > 0 {
            at = ruleLines[removed.lowerBound - 1] + 1
        } else {
            at = ruleLines[0]
        }
        // The exchanged rules' lines are side by side in their chain's part.
        let gone = removed.map { ruleLines[$0] }
        if let f = gone.first, let l = gone.last, l - f != gone.count - 1 { return nil }
        out.replaceSubrange(gone.first.map { $0..<$0 + gone.count } ?? at..<at, with: added)
        // A new table's plan adds everything and changes nothing.
        let words = summary.split(separator: " ", maxSplits: 1)
        guard words.count == 2, let n = Int(words[0]), summary == Plan.summary(additions: n, modifications: 0, deletions: 0) else {
            return nil
        }
        out.append(Array(Plan.summary(additions: n - change.deletes.count + change.adds.count, modifications: 0, deletions: 0).utf8))
        var joined: [UInt8] = []
        joined.reserveCapacity(bytes.count + added.reduce(0) { $0 + $1.count + 1 })
        for (i, l) in out.enumerated() {
            if i > 0 { joined.append(0x0A) }
            joined += l
        }
        return String(decoding: joined, as: UTF8.self)
    }

    /// The line (from 1) of each offset of `bytes`, the offsets ascending.
    static func lineNumbers(_ bytes: [UInt8], at offsets: [Int]) -> [Int] {
        var out: [Int] = []
        out.reserveCapacity(offsets.count)
        var line = 1, at = 0
        bytes.withUnsafeBufferPointer { b in
            guard let start = b.baseAddress else { return }
            for o in offsets {
                let end = min(o, b.count)
                while at < end, let q = memchr(start + at, 0x0A, end - at) {
                    line += 1
                    at = UnsafeRawPointer(q) - UnsafeRawPointer(start) + 1
                }
                at = max(at, end)
                out.append(line)
            }
        }
        return out
    }
}

/// A chain of a record's or a base's tables (by index).
struct ChainKey: Hashable {
    var table: Int
    var name: String
}

extension ReplayRecord {
    /// One rule of the template: its entry's bytes and its handle's hole.
    struct TemplateRule {
        var span: Range<Int>
        var hole: Int
    }

    /// Each chain's rules in the template, in the chain's order; nil when a rule's hole is
    /// not inside one entry of the listing.
    func templateRules() -> [ChainKey: [TemplateRule]]? {
        guard let spans = template.withUnsafeBufferPointer({ JSON.topLevelEntrySpans($0) }) else { return nil }
        var out: [ChainKey: [TemplateRule]] = [:]
        var s = 0
        for (i, h) in holes.enumerated() where h.kind == .rule {
            while s < spans.count, spans[s].upperBound <= h.offset { s += 1 }
            guard s < spans.count, spans[s].contains(h.offset) else { return nil }
            out[ChainKey(table: h.table, name: names[h.name]), default: []].append(TemplateRule(span: spans[s], hole: i))
        }
        return out
    }

    /// The rule of the template's entry `r`, with `handle` in its hole.
    func rule(at r: TemplateRule, handle: Int64) -> Rule? {
        let o = holes[r.hole].offset
        var bytes = Array(template[r.span.lowerBound..<o]) + Array(String(handle).utf8) + template[o..<r.span.upperBound]
        guard let j = try? JSON.parse(bytes: &bytes), case .item(.rule(let rule)) = Document.Entry(json: j) else { return nil }
        return rule
    }

    /// The template with the chain's rules `removed` (in the chain's order, `rules`)
    /// exchanged for `adds` (their normal forms, listed as a listing shows a new rule:
    /// counters at zero, a hole for the handle); nil when they are not side by side.
    func template(exchanging removed: Range<Int>, of rules: [TemplateRule], with adds: [Rule]) -> ([UInt8], [Hole])? {
        guard let any = rules.first else { return nil }
        let comma = UInt8(ascii: ",")
        // The new entries, each with its hole.
        var inserted: [UInt8] = []
        var newHoles: [Int] = []
        for (i, a) in adds.enumerated() {
            var rule = KernelRuleBytes.zeroed(a)
            rule.handle = 0
            let text = Document.Entry.item(.rule(rule)).json.serializedBytes(.compact)
            let key = Array(#""handle":0"#.utf8)
            guard let h = text.firstRange(of: key) else { return nil }
            if i > 0 { inserted.append(comma) }
            newHoles.append(inserted.count + h.upperBound - 1)
            inserted += text[..<(h.upperBound - 1)]
            inserted += text[h.upperBound...]
        }
        var cut: Range<Int>
        if let f = removed.first, let l = removed.last {
            guard rules[l].hole - rules[f].hole == l - f else { return nil }
            cut = rules[f].span.lowerBound..<rules[l].span.upperBound
            if adds.isEmpty {
                guard cut.lowerBound > 0, template[cut.lowerBound - 1] == comma else { return nil }
                cut = cut.lowerBound - 1..<cut.upperBound
            }
        } else if removed.lowerBound > 0 {
            let end = rules[removed.lowerBound - 1].span.upperBound
            cut = end..<end
            inserted.insert(comma, at: 0)
            newHoles = newHoles.map { $0 + 1 }
        } else {
            cut = any.span.lowerBound..<any.span.lowerBound
            inserted.append(comma)
        }
        let out = Array(template[..<cut.lowerBound]) + inserted + template[cut.upperBound...]
        let shift = inserted.count - cut.count
        let table = holes[any.hole].table, name = holes[any.hole].name
        var outHoles: [Hole] = []
        outHoles.reserveCapacity(holes.count + adds.count)
        var placed = false
        for h in holes {
            if h.offset >= cut.lowerBound && !placed {
                outHoles += newHoles.map { Hole(offset: cut.lowerBound + $0, kind: .rule, table: table, name: name) }
                placed = true
            }
            if h.offset < cut.lowerBound {
                outHoles.append(h)
            } else if h.offset >= cut.upperBound {
                outHoles.append(Hole(offset: h.offset + shift, kind: h.kind, table: h.table, name: h.name))
            }
        }
        if !placed { outHoles += newHoles.map { Hole(offset: cut.lowerBound + $0, kind: .rule, table: table, name: name) } }
        return (out, outHoles)
    }
}
