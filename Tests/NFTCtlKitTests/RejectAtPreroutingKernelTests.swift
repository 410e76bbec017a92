import Foundation
import Testing

@testable import NFTCtlKit

/// `reject` reached from prerouting: newer kernels take it (the nftables test suite probes
/// `prerouting_reject`), older ones refuse it. nftctl leaves it to the kernel: it applies
/// what `nft -f` loads, and refuses, changing nothing, what the kernel refuses.
@Suite struct RejectAtPreroutingKernelTests {
    @Test(.needsRoot) func theKernelDecides() throws {
        guard let k = AgainstNft("reject at prerouting") else { return }
        let text =
            "table ip t {\n\tchain pre {\n\t\ttype filter hook prerouting priority 0; policy accept;\n\t\ttcp dport 8080 reject\n\t}\n}\n"
        let nftTakesIt = k.oracle.nftLoad(text).status == 0
        let r = try k.apply(text)
        #expect((r.status == 0) == nftTakesIt, "\(r.stdout)\(r.stderr)")
        if nftTakesIt { try k.expectSameAsNft(text) } else { #expect(!k.ns.nftList().contains("table ip t")) }
    }
}
