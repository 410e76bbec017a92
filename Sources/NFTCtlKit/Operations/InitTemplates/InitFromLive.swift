import NFTAnalysis

/// `nftctl init DIR --from-live`: the rules file is `nftctl import --live` of the chosen
/// tables (the same RulesetImporter), and the tests file a stub to fill, since the packets a
/// live ruleset should accept are the operator's to say.
public enum InitFromLive {
    public struct Result: Sendable {
        public var rules: String
        public var tests: String
        /// What the importer could not express in the typed DSL (carried in the model's form).
        public var notes: [String]
        /// Tables left out because they look like another program's (with no --table given).
        public var skipped: [String]
    }

    /// Imports `only` (FAMILY, NAME pairs) from the live ruleset of `netns`; with none given,
    /// every table but those another program (Docker, kube-proxy, ...) appears to own, since
    /// nftctl would then replace that program's rules with a frozen copy.
    public static func importLive(netns: String?, only: [(String, String)]) throws -> Result {
        let state = try ImportSource.live(netns: netns)
        let origin = netns.map { "the live ruleset of namespace \($0)" } ?? "the live ruleset"
        for (f, n) in only where !state.tables.contains(where: { $0.table.value.family == f && $0.table.value.name == n }) {
            throw Problem("\(origin) has no table \(f) \(n)")
        }
        var skipped: [String] = []
        var selected = state.selecting(only: only, excluding: [])
        if only.isEmpty {
            selected.tables = state.tables.filter { t in
                guard let owner = TableOwners.owner(t) else { return true }
                skipped.append("\(t.table.value.family) \(t.table.value.name) (\(owner)'s)")
                return false
            }
        }
        guard !selected.tables.isEmpty else {
            throw Problem(
                "\(origin) has no table to import"
                    + (skipped.isEmpty ? "" : "; left out as another program's: \(skipped.joined(separator: ", ")) (name one with --table)")
            )
        }
        let imported = RulesetImporter().importRuleset(selected, origin: origin)
        let names = selected.tables.map { "\($0.table.value.family) \($0.table.value.name)" }.joined(separator: ", ")
        let header = TemplateText.testsHeader(
            source: "imported from \(origin): \(names)", note: "Write down what this firewall must let through and stop:")
        let tests = """
            \(header)
            # tcp 203.0.113.9 -> 10.0.0.1:22 state new => accept
            # tcp 203.0.113.9 -> 10.0.0.1:3306 state new => drop

            """
        return Result(rules: imported.source, tests: tests, notes: imported.notes, skipped: skipped)
    }
}
