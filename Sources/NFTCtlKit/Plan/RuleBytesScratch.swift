import NFTAnalysis

/// The kernel bytes of the few rules of a table created whole whose bytes the normal-form
/// cache does not keep yet (an edited rule), made before the commit, so that the table can
/// go in nftctl's own batch (`KernelBatch`) rather than through libnftables' commit and a
/// verifying listing of every rule.
///
/// They are made as the commit itself would make them: by libnftables in this process, from
/// the same nft-syntax rendering (`TextBatch`), with the table's declarations, into a
/// private network namespace of this process's own (`NetworkNamespace.makePrivate`), where
/// they are dumped (`KernelRules`) and listed. Not in the sandboxed scratch namespace: bytes
/// are sent as root, and a sandbox is there because what runs in it is not trusted. A rule
/// gets its bytes only when the private listing shows it in the very normal form the plan
/// has for it (so bytes and normal form were seen together, as when they are learnt after a
/// verified listing), and the bytes say something lasting (no interface index, user, time
/// zone or cgroup looked up on the host, no anonymous set). Anything short of that leaves
/// the table as it was: libnftables commits it.
enum RuleBytesScratch {
    /// At most one in `maximumShare` of a table's rules, of `minimumRules` or more: beyond,
    /// or for fewer, making them costs what libnftables' commit and the listing cost.
    static let maximumShare = 8
    static let minimumRules = 1000

    /// True when `unknown` of a table's `rules` are few enough to be made here.
    static func takes(rules: Int, unknown: Int) -> Bool {
        unknown > 0 && rules >= minimumRules && unknown * maximumShare <= rules
    }

    /// A table the own batch could send, whose rules can be made and listed here.
    static func encodable(_ table: TableContents) -> Bool {
        table.sets.isEmpty && table.objects.isEmpty && table.flowtables.isEmpty && table.chains.allSatisfy { $0.value.dev == nil }
            && TextBatch.isListableName(table.key.name)
    }

    /// `desired` with the missing kernel bytes of `tables`' rules made, and what was made (to
    /// be kept once the commit is verified).
    static func complete(_ desired: DesiredState, tables: [TableKey]) -> (DesiredState, LearntRuleBytes) {
        var out = desired
        var made = LearntRuleBytes()
        for key in tables where !desired.learning.contains(key) {
            guard let written = desired.written[key]?.table, let normal = desired.state.table(key),
                let kept = desired.kernelRuleBytes[key], kept.count == normal.rules.count, normal.rules.count == written.rules.count,
                encodable(written), !kept.holdsUnstable
            else { continue }
            var bytes = kept.each()
            let missing = bytes.indices.filter { bytes[$0] == nil }
            guard takes(rules: written.rules.count, unknown: missing.count),
                let new = try? make(written, normal: normal, rules: missing)
            else { continue }
            for (i, b) in new { bytes[i] = b }
            out.kernelRuleBytes[key] = KeptRuleBytes(bytes)
            made.tables[key] = new.map { (index: $0.key, bytes: Optional($0.value)) }
        }
        return (out, made)
    }

    /// The bytes of `written`'s rules at `rules`, by index; nil unless every one is made and
    /// listed in its normal form (`normal`'s rule at the same index).
    static func make(_ written: TableContents, normal: TableContents, rules: [Int]) throws -> [Int: [UInt8]]? {
        var table = written
        table.rules = rules.map { written.rules[$0] }
        guard let made = try makeNew(table), made.count == rules.count else { return nil }
        var out: [Int: [UInt8]] = [:]
        for (i, m) in zip(rules, made) {
            guard RulesetItem.rule(m.normal).normalizedForComparison() == RulesetItem.rule(normal.rules[i].value).normalizedForComparison()
            else { return nil }
            out[i] = m.bytes
        }
        return out
    }
}

extension RuleBytesScratch {
    /// The normal form and kernel bytes of each rule of `table` (its declarations and a few
    /// rules), made as `make` makes bytes, for rules the cache has never seen (`EntryPatch`):
    /// the private listing is the rules' normal form, as the scratch namespace's listing is
    /// in the ordinary apply, and the declarations it lists must hold what they declare
    /// (`Verify.differences`). Nil unless every rule is listed in the user's order with
    /// lasting bytes, nothing counted.
    static func makeNew(_ table: TableContents) throws -> [(normal: Rule, bytes: [UInt8])]? {
        let key = table.key
        var state = RulesetState()
        state.tables = [table]
        // Sets, maps and objects load with the declarations; devices may not exist there.
        guard table.flowtables.isEmpty, table.chains.allSatisfy({ $0.value.dev == nil }), TextBatch.isListableName(key.name),
            let text = try? TextBatch.render(state.creationBatch().document)
        else { return nil }
        let namespace = try NetworkNamespace.makePrivate()
        let context = try NFTContext(outputFlags: [.json], namespace: namespace)
        _ = try context.run(text: text.text)
        let listing = try ListingRepair.list("table \(key.family) \(key.name)", context: context)
        let live = try RulesetState(listing: listing, tables: [key])
        guard let listed = live.table(key),
            let dumped = try namespace.perform({ () throws(BackendError) in try KernelRules.read(family: key.family, table: key.name) }),
            listed.rules.count == table.rules.count, dumped.rules.count == table.rules.count,
            Verify.differences(declared: state, live: live).isEmpty
        else { return nil }
        let byHandle = Dictionary(dumped.rules.map { ($0.handle, $0) }, uniquingKeysWith: { a, _ in a })
        // Loaded in the user's order, so each chain lists its rules in that order.
        var queues: [String: [Int]] = [:]
        for (i, r) in table.rules.enumerated() { queues[r.value.chain, default: []].append(i) }
        var out = [(normal: Rule, bytes: [UInt8])?](repeating: nil, count: table.rules.count)
        var next: [String: Int] = [:]
        for r in listed.rules {
            let chain = r.value.chain
            let n = next[chain, default: 0]
            next[chain] = n + 1
            guard let q = queues[chain], n < q.count, let h = r.value.handle, let k = byHandle[h], k.chain == chain, k.stable,
                k.countedNothing
            else { return nil }
            var normal = r.value
            normal.handle = nil
            out[q[n]] = (normal, k.bytes)
        }
        let made = out.compactMap { $0 }
        return made.count == table.rules.count ? made : nil
    }
}
