import NFTAnalysis
import NFTables

/// Which program a table looks like it belongs to, from the names those programs use. An
/// import of the live ruleset says so in a comment: managing Docker's or kube-proxy's
/// table from a rules file fights that program.
enum TableOwners {
    static func owner(_ t: TableContents) -> String? {
        let name = t.table.value.name
        let chains = t.chains.map(\.value.name)
        func anyChain(_ prefixes: String...) -> Bool { chains.contains { c in prefixes.contains { c.hasPrefix($0) } } }
        if name == "firewalld" { return "firewalld" }
        if name == "kube-proxy" || anyChain("KUBE-") { return "kube-proxy" }
        if name.hasPrefix("f2b-") || name == "fail2ban" || anyChain("f2b-") { return "fail2ban" }
        if anyChain("DOCKER") { return "Docker" }
        if name == "libvirt_network" || anyChain("LIBVIRT_") { return "libvirt" }
        if anyChain("ts-") || name == "ts-filter" { return "Tailscale" }
        return nil
    }
}

extension RulesetState {
    /// Only the tables named in `only` (all when empty), less those in `excluding`;
    /// each a (family, name) pair.
    public func selecting(only: [(String, String)], excluding: [(String, String)]) -> RulesetState {
        var s = self
        func matches(_ t: TableContents, _ list: [(String, String)]) -> Bool {
            list.contains { $0.0 == t.table.value.family && $0.1 == t.table.value.name }
        }
        s.tables = tables.filter { (only.isEmpty || matches($0, only)) && !matches($0, excluding) }
        return s
    }
}
