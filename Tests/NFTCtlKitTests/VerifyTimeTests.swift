import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// Verification against the declaration compares time values at the kernel's tick: a
/// 250 Hz kernel holds `2s250ms` as `2s248ms`, which is what was declared; `3s` is not.
struct VerifyTimeTests {
    static func state(_ ms: Int64) throws -> RulesetState {
        let set = NamedSet(
            family: "ip", table: "t", name: "s", type: .named("ipv4_addr"), flags: FlagList(["timeout"]),
            timeout: TimeSpan(milliseconds: ms), gcInterval: TimeSpan(milliseconds: ms))
        return try RulesetState(document: Document([.item(.table(Table(family: "ip", name: "t"))), .item(.set(set))]))
    }

    @Test func timesAreComparedAtTheKernelTick() throws {
        #expect(Verify.differences(declared: try Self.state(2250), live: try Self.state(2248)).isEmpty)
        let d = Verify.differences(declared: try Self.state(2250), live: try Self.state(3000))
        #expect(d.map(\.what).sorted() == ["gc-interval", "timeout"], "\(d)")
    }
}
