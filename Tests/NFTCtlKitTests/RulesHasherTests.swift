import Testing

@testable import NFTCtlKit

/// Cache and fingerprint keys are SHA-256 over length-delimited parts: a rules file is
/// untrusted, and a forgeable key (the FNV lanes used before) would let a crafted file take
/// another's cached program, normal forms or "already up to date". The expected digests
/// are Python's hashlib over the same bytes (the part's length as 8 bytes little-endian, then
/// the part).
@Suite struct RulesHasherTests {
    @Test func aKeyIsTheSHA256OfItsLengthDelimitedParts() {
        var one = RulesHasher()
        one.combine("abc")
        #expect(one.hex == "ce91dc5eec0139adf091900d225971d6ad246a845bad791b5693a9d0d55dd391")
        var two = RulesHasher()
        two.combine("ab")
        two.combine("c")
        #expect(two.hex == "43ee655579de01ca739b3f95c1c2d3f46d353b2c0df818064ea594506cdb2617")
        var bytes = RulesHasher()
        bytes.combine(Array("abc".utf8))
        #expect(bytes.hex == one.hex)
    }
}
