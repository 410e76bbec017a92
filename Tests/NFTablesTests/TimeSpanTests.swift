import NFTAnalysis
import Testing

@testable import NFTables

/// Time values carry milliseconds end to end (model, JSON, nft text, DSL, comparison).
@Suite struct TimeSpanTests {
    @Test func nftSpellingBothWays() {
        #expect(TimeSpan(nftText: "2m30s500ms") == .milliseconds(150_500))
        #expect(TimeSpan(nftText: "1500ms") == .milliseconds(1500))
        #expect(TimeSpan(nftText: "1d2h") == .hours(26))
        #expect(TimeSpan(nftText: "2x") == nil)
        #expect(TimeSpan(nftText: "") == nil)
        #expect(TimeSpan(nftText: "12") == nil)
        #expect(TimeSpan.milliseconds(150_500).description == "2m30s500ms")
        #expect(TimeSpan.milliseconds(250).description == "250ms")
        #expect(TimeSpan(0).description == "0s")
        #expect(TimeSpan(.milliseconds(1500)) == TimeSpan(milliseconds: 1500))
    }

    @Test func jsonWritesWholeSecondsAsIntegersAndMillisecondsAsFractions() throws {
        #expect(TimeSpan(60).json == .int(60))
        #expect(TimeSpan.milliseconds(1500).json.serialized() == "1.5")
        #expect(TimeSpan(json: .double(150.5)) == .milliseconds(150_500))
        #expect(TimeSpan(json: .int(3)) == .seconds(3))
        #expect(TimeSpan(json: .string("3")) == nil)
        let set = NamedSet(
            family: "ip", table: "t", name: "s", type: .named("ipv4_addr"), flags: FlagList(["timeout"]),
            elem: .list([.elem(SetElement(val: .string("10.0.0.1"), timeout: .milliseconds(1500)))]),
            timeout: .minutes(2) + .milliseconds(500), gcInterval: .milliseconds(1500))
        let back = try Document.parse(Document([.item(.set(set))]).json.serialized())
        guard case .item(.set(let s)) = back.entries.first else { Issue.record("not a set"); return }
        #expect(s == set)
        let text = nftListing([.table(Table(family: "ip", name: "t")), .set(set)])
        #expect(
            text.contains("timeout 2m500ms") && text.contains("gc-interval 1s500ms") && text.contains("10.0.0.1 timeout 1s500ms"), "\(text)"
        )
    }

    @Test func theDSLSpellsMilliseconds() {
        let s = set("s", type: .ipv4Addr, flags: [.timeout], timeout: .milliseconds(1500), gcInterval: .seconds(2)) {
            SetElementValue("10.0.0.1", timeout: .minutes(1) + .milliseconds(250), expires: 30, comment: "x", statements: [counter])
        }
        let (doc, _) = Ruleset { table("t", family: .ip) { s } }.compile()
        let j = doc.json["nftables"]?.arrayValue?[1]["add"]?["set"]
        #expect(j?["timeout"] == .double(1.5))
        #expect(j?["gc-interval"] == .int(2))
        #expect(
            j?["elem"] == expected(#"[{"elem": {"val": "10.0.0.1", "timeout": 60.25, "expires": 30, "comment": "x", "counter": null}}]"#))
    }

    /// The kernel keeps timeouts in ticks and truncates: a 250 Hz kernel lists `2s250ms`
    /// as `2s248ms`. At 10 ms the two compare equal; a real difference still shows.
    @Test func comparisonIsAtTheCoarsestKernelTick() {
        func item(_ ms: Int64) -> RulesetItem {
            .set(
                NamedSet(
                    family: "ip", table: "t", name: "s", type: .named("ipv4_addr"),
                    elem: .list([.elem(SetElement(val: .string("10.0.0.1"), timeout: TimeSpan(milliseconds: ms)))]),
                    timeout: TimeSpan(milliseconds: ms)))
        }
        #expect(item(2250).normalizedForComparison() == item(2248).normalizedForComparison())
        #expect(item(2250).normalizedForComparison() != item(2230).normalizedForComparison())
        #expect(item(2000).normalizedForComparison() != item(3000).normalizedForComparison())
    }
}
