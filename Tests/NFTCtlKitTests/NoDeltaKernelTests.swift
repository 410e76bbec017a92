import Foundation
import Testing

@testable import NFTCtlKit

/// Changes the kernel or libnftables 1.0.6 takes no delta for: the table is replaced whole,
/// in one transaction, and holds what the file declares. Each pair was refused or rolled
/// back before (found by a sweep of generated transitions on real-world rulesets).
@Suite struct NoDeltaKernelTests {
    static let pairs: [(what: String, before: String, after: String)] = [
        (
            // `add chain` with another comment is taken and ignored: verification failed.
            "a chain's comment",
            "table ip t {\n\tchain c { type filter hook input priority 0; comment \"x\"; counter; }\n}\n",
            "table ip t {\n\tchain c { type filter hook input priority 0; comment \"y\"; counter; }\n}\n"
        ),
        (
            // A constant set's elements: EBUSY.
            "a constant set's elements",
            "table ip t {\n\tset s { type ipv4_addr; flags constant; elements = { 10.0.0.1 } }\n\tchain c { ip saddr @s drop; }\n}\n",
            "table ip t {\n\tset s { type ipv4_addr; flags constant; elements = { 10.0.0.1, 10.0.0.2 } }\n\tchain c { ip saddr @s drop; }\n}\n"
        ),
        (
            // 1.0.6 cannot delete a wildcard element ("element does not exist").
            "a wildcard element removed",
            "table inet t {\n\tset s { type ifname; flags interval; elements = { \"eth0\", \"wg*\" } }\n\tchain c { iifname @s accept; }\n}\n",
            "table inet t {\n\tset s { type ifname; flags interval; elements = { \"eth0\" } }\n\tchain c { iifname @s accept; }\n}\n"
        ),
        (
            // 1.0.6 refuses any element added to a set of wildcard and exact names ("interval
            // overlaps with an existing one"), a wildcard or a name (found by a sweep of real
            // rulesets: `{ "veth*", "wg*", "eth0.100" }` and `"tun*"`).
            "a wildcard added to wildcards and names",
            "table inet t {\n\tset s { type ifname; flags interval; elements = { \"c*\", \"a\" } }\n\tchain c { iifname @s accept; }\n}\n",
            "table inet t {\n\tset s { type ifname; flags interval; elements = { \"c*\", \"a\", \"b*\" } }\n\tchain c { iifname @s accept; }\n}\n"
        ),
        (
            // 1.0.6 cannot delete an interval of a concatenation with a value in host byte
            // order ("No such file or directory"; found by a sweep of transitions).
            "an element of an address . mark interval set removed",
            "table inet t {\n\tset s { type ipv4_addr . mark; flags interval; elements = { 10.0.0.1 . 0x1, 10.0.0.2 . 0x2 } }\n\tchain c { ip saddr . meta mark @s accept; }\n}\n",
            "table inet t {\n\tset s { type ipv4_addr . mark; flags interval; elements = { 10.0.0.1 . 0x1 } }\n\tchain c { ip saddr . meta mark @s accept; }\n}\n"
        ),
        (
            "a wildcard added to wildcards",
            "table inet t {\n\tset s { type ifname; flags interval; elements = { \"veth*\", \"wg*\" } }\n\tchain c { iifname @s accept; }\n}\n",
            "table inet t {\n\tset s { type ifname; flags interval; elements = { \"veth*\", \"wg*\", \"tun*\" } }\n\tchain c { iifname @s accept; }\n}\n"
        ),
        (
            "a name added to wildcards and names",
            "table inet t {\n\tset s { type ifname; flags interval; elements = { \"veth*\", \"eth0.100\" } }\n\tchain c { iifname @s accept; }\n}\n",
            "table inet t {\n\tset s { type ifname; flags interval; elements = { \"veth*\", \"eth0.100\", \"tun0\" } }\n\tchain c { iifname @s accept; }\n}\n"
        )
    ]

    @Test(.needsRoot, arguments: 0..<pairs.count) func theTableIsReplacedWhole(_ k: Int) throws {
        let (what, before, after) = Self.pairs[k]
        guard let k = AgainstNft("no delta: \(what)") else { return }
        for (n, text) in [before, after].enumerated() {
            let a = try k.apply(text)
            #expect(a.status == 0 && a.stdout.contains("verified"), "\(what): \(a.stdout)\(a.stderr)")
            if n == 1 { #expect(a.stdout.contains("replaced whole"), "\(what): \(a.stdout)") }
        }
        try k.expectSameAsNft(after, "\(what)")
        let again = try k.apply(after)
        #expect(again.status == 0 && again.stdout.contains("nothing to do"), "\(what): \(again.stdout)\(again.stderr)")
    }
}
