import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// A table created whole whose rules' kernel bytes are known is verified from its
/// declarations and its rules' bytes (`KernelRuleBytes`); a set of plain addresses or ports
/// in it is verified from the keys of the kernel's own dump, not decoded by libnftables. The
/// kernel is the oracle: the keys must be the declared ones, and the namespace lists as
/// `nft -f` of the same file makes it.
@Suite struct SetKeysVerificationKernelTests {
    static func text(_ addresses: [String], ports: [Int] = [22, 443]) -> String {
        """
        table inet sk {
        \tset bad {
        \t\ttype ipv4_addr
        \t\telements = { \(addresses.joined(separator: ", ")) }
        \t}
        \tset open {
        \t\ttype inet_service
        \t\telements = { \(ports.map(String.init).joined(separator: ", ")) }
        \t}
        \tchain input {
        \t\ttype filter hook input priority filter; policy accept;
        \t\tip saddr @bad counter drop
        \t\ttcp dport @open accept
        \t}
        }

        """
    }

    static let many = (0..<3000).map { "10.3.\($0 / 250).\($0 % 250 + 1)" }

    @Test(.needsRoot) func aNewTablesSetIsVerifiedFromTheKernelsKeys() throws {
        guard let k = AgainstNft("set keys verification") else { return }
        let text = Self.text(Self.many)
        // The first apply learns the rules' bytes; the second, into a namespace without the
        // table, is verified from them and the sets' keys.
        try k.expectAppliesAsNft(text)
        #expect(k.ns.exec(["nft", "delete", "table", "inet", "sk"]).status == 0)
        try text.write(toFile: k.path, atomically: true, encoding: .utf8)
        let again = ApplySafety.nftctl(["apply", "--yes", "--netns", k.ns.name, k.path], k.dir + "/state", ["NFTCTL_TIMING": "1"])
        #expect(again.status == 0 && again.stdout.contains("verified"), "\(again.stdout)\(again.stderr)")
        #expect(
            again.stderr.contains("elements of 2 sets read in the kernel's dump")
                && again.stderr.contains("verification (declarations + rule bytes + plan)"), "\(again.stderr)")
        try k.expectSameAsNft(text)
        let noop = try k.apply(text)
        #expect(noop.status == 0 && noop.stdout.contains("nothing to do"), "\(noop.stdout)\(noop.stderr)")
    }

    /// The check itself: keys the kernel holds that the declaration does not (or the other
    /// way round) are no verification, and the caller lists the table instead.
    @Test(.needsRoot) func keysOtherThanTheDeclaredOnesAreNoVerification() throws {
        guard let ns = TestNamespace.make("set keys differ") else { return }
        let held = ["10.0.0.1", "10.0.0.2"]
        try #require(ns.nftLoad(Self.text(held)).status == 0)
        let backend = try LibNFTablesBackend(netns: ns.name)
        for (declared, verified) in [
            (held, true), (["10.0.0.1", "10.0.0.3"], false), (["10.0.0.1"], false), (held + ["10.0.0.3"], false)
        ] {
            let (state, _) = try KernelBatchTests.state(Self.text(declared), file: "set-keys-\(declared.count).nft")
            var table = try #require(state.tables.first)
            table.rules = []  // the rules are another check's: only the declarations here
            var stale = false
            let kernel = try #require(try backend.contents(family: "inet", table: "sk"))
            let listed = try KernelRuleBytes.listing(
                of: table, bytes: [], contents: KernelTableContents(rules: [], sets: kernel.sets, objects: 0, flowtables: 0),
                backend: backend, stale: &stale)
            #expect((listed != nil) == verified, "\(declared)")
            if let listed {
                let bad = listed.compactMap { e -> NamedSet? in
                    if case .item(.set(let s)) = e, s.name == "bad" { return s }
                    return nil
                }
                #expect(bad.first?.elements.map { $0.json.serialized() } == held.map { "\"\($0)\"" })
            }
        }
    }
}
