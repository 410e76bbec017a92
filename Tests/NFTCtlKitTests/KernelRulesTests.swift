import Foundation
import Testing

@testable import NFTCtlKit

/// How a NEWRULE message of a dump becomes a digest (`KernelRules.rule`), on hand-built messages.
struct KernelRulesTests {
    static func attribute(_ type: UInt16, _ value: [UInt8], nested: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        withUnsafeBytes(of: UInt16(4 + value.count)) { out += $0 }
        withUnsafeBytes(of: type | (nested ? 0x8000 : 0)) { out += $0 }
        out += value
        while out.count % 4 != 0 { out.append(0) }
        return out
    }
    static func string(_ s: String) -> [UInt8] { Array(s.utf8) + [0] }
    static func be64(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.bigEndian) { Array($0) } }
    static func be32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.bigEndian) { Array($0) } }
    static func expression(_ name: String, _ data: [UInt8]) -> [UInt8] {
        attribute(1, attribute(1, string(name)) + attribute(2, data, nested: true), nested: true)
    }
    static func counter(packets: UInt64, bytes: UInt64) -> [UInt8] {
        expression("counter", attribute(1, be64(bytes)) + attribute(2, be64(packets)))
    }
    /// `immediate` with a verdict: bytes that stand for any stateless expression.
    static let accept = expression("immediate", attribute(1, [0, 0, 0, 0]) + attribute(2, attribute(1, [0, 0, 0, 1]), nested: true))
    static func lookup(_ set: String) -> [UInt8] { expression("lookup", attribute(1, string(set))) }

    static func body(chain: String = "input", handle: UInt64 = 7, _ expressions: [[UInt8]], userdata: [UInt8]? = nil) -> [UInt8] {
        var b: [UInt8] = [1, 0, 0, 0]  // nfgenmsg: inet
        b += attribute(1, string("t")) + attribute(2, string(chain)) + attribute(3, be64(handle))
        b += attribute(4, expressions.flatMap { $0 }, nested: true)
        b += attribute(6, be64(3))  // NFTA_RULE_POSITION: where it sits, not what it is
        if let userdata { b += attribute(7, userdata) }
        return b
    }

    static func rule(_ b: [UInt8]) throws -> KernelRule { try #require(KernelRules.rule(b[...])) }

    @Test func counterValuesAreReadAndLeftOutOfTheDigest() throws {
        let a = try Self.rule(Self.body([Self.counter(packets: 3, bytes: 180), Self.accept]))
        let b = try Self.rule(Self.body(handle: 9, [Self.counter(packets: 0, bytes: 0), Self.accept]))
        #expect(a.bytes == b.bytes)
        #expect(a.counters == [KernelRule.Count(packets: 3, bytes: 180)])
        #expect(b.counters == [KernelRule.Count(packets: 0, bytes: 0)])
        #expect(a.chain == "input" && a.handle == 7 && b.handle == 9)
        #expect(a.stable)
    }

    @Test func whatTheRuleIsChangesTheDigest() throws {
        let base = try Self.rule(Self.body([Self.counter(packets: 0, bytes: 0), Self.accept]))
        // Another expression, another order, no counter, a comment: each a different rule.
        let others = [
            Self.body([Self.counter(packets: 0, bytes: 0), Self.lookup("allowed"), Self.accept]),
            Self.body([Self.accept, Self.counter(packets: 0, bytes: 0)]),
            Self.body([Self.accept]),
            Self.body([Self.counter(packets: 0, bytes: 0), Self.accept], userdata: [0, 4] + Self.string("ssh"))
        ]
        for o in others { #expect(try Self.rule(o).bytes != base.bytes) }
        // The position is where the rule sits, not what it is.
        var moved = Self.body([Self.counter(packets: 0, bytes: 0), Self.accept])
        moved.replaceSubrange(moved.count - 8..<moved.count, with: Self.be64(99))
        #expect(try Self.rule(moved).bytes == base.bytes)
    }

    /// Compat data and user data count, each delimited: the same bytes moved from one part
    /// to the other are another rule.
    @Test func compatAndUserDataCountEachOnItsOwn() throws {
        var withCompat = Self.body([Self.accept])
        withCompat += Self.attribute(5, Self.attribute(1, [0, 0, 0, 6]), nested: true)
        let plain = try Self.rule(Self.body([Self.accept]))
        #expect(try Self.rule(withCompat).bytes != plain.bytes)
        // A user-data record that looks like an expression element, and the element itself.
        let asUserdata = try Self.rule(Self.body([], userdata: Self.accept))
        let asExpression = try Self.rule(Self.body([Self.accept]))
        #expect(asUserdata.bytes != asExpression.bytes)
    }

    @Test func shortOrGarbledMessagesAreNoRuleAndNoCrash() {
        #expect(KernelRules.rule([][...]) == nil)
        #expect(KernelRules.rule([1, 0][...]) == nil)
        // An attribute claiming more bytes than the message has.
        #expect(KernelRules.rule(([1, 0, 0, 0] + [0xff, 0x00, 0x02, 0x00, 0x41])[...]) == nil)
    }

    @Test func bytesThatSayNothingLastingAreMarked() throws {
        #expect(try Self.rule(Self.body([Self.lookup("allowed"), Self.accept])).stable)
        #expect(!(try Self.rule(Self.body([Self.lookup("__set0"), Self.accept])).stable))
        #expect(!(try Self.rule(Self.body([Self.expression("quota", Self.attribute(1, Self.be64(100))), Self.accept])).stable))
        #expect(!(try Self.rule(Self.body([Self.expression("last", []), Self.accept])).stable))
        // What libnftables looked up on the host: an interface's index, a user, the time zone,
        // a cgroup's inode. `meta l4proto` and `socket transparent` are the rule alone.
        func meta(_ key: UInt32) -> [UInt8] {
            Self.expression("meta", Self.attribute(1, Self.be32(1)) + Self.attribute(2, Self.be32(key)))
        }
        func socket(_ key: UInt32) -> [UInt8] {
            Self.expression("socket", Self.attribute(1, Self.be32(key)) + Self.attribute(2, Self.be32(1)))
        }
        for key: UInt32 in [4, 5, 10, 11, 30, 31, 32] {
            #expect(!(try Self.rule(Self.body([meta(key), Self.accept])).stable), "meta key \(key)")
        }
        #expect(try Self.rule(Self.body([meta(16), Self.accept])).stable)
        #expect(!(try Self.rule(Self.body([socket(3), Self.accept])).stable))
        #expect(try Self.rule(Self.body([socket(0), Self.accept])).stable)
        #expect(!(try Self.rule(Self.body([Self.expression("dup", Self.attribute(1, Self.be32(1))), Self.accept])).stable))
        #expect(!(try Self.rule(Self.body([Self.expression("fwd", Self.attribute(1, Self.be32(1)))])).stable))
    }

    @Test func aMessageWithoutChainOrHandleIsNoRule() {
        var b: [UInt8] = [1, 0, 0, 0]
        b += Self.attribute(1, Self.string("t")) + Self.attribute(2, Self.string("input"))
        #expect(KernelRules.rule(b[...]) == nil)
        // A handle of the wrong size.
        #expect(KernelRules.rule((b + Self.attribute(3, [0, 1]))[...]) == nil)
    }

    /// A rule's bytes are what a NEWRULE of it carries: the expressions first, then compat
    /// and user data, nothing else (a dump's handle and position are where it sits).
    @Test func aRulesBytesAreWhatANewRuleCarries() throws {
        let r = try Self.rule(Self.body([Self.counter(packets: 3, bytes: 180), Self.accept], userdata: [0, 4] + Self.string("ssh")))
        #expect(KernelRules.isRuleBytes(r.bytes))
        #expect(
            r.bytes == Self.attribute(4, [Self.counter(packets: 0, bytes: 0), Self.accept].flatMap { $0 }, nested: true)
                + Self.attribute(7, [0, 4] + Self.string("ssh")))
        #expect(!KernelRules.isRuleBytes([]))
        #expect(!KernelRules.isRuleBytes(Self.attribute(7, [1])))  // no expressions
        #expect(!KernelRules.isRuleBytes(Self.attribute(4, []) + Self.attribute(3, Self.be64(1))))  // a handle
        #expect(!KernelRules.isRuleBytes(Self.attribute(4, []) + Self.attribute(7, []) + Self.attribute(5, [])))  // out of order
        #expect(!KernelRules.isRuleBytes(Self.attribute(4, []) + [0, 0]))  // a tail
        // An anonymous name is found anywhere in the expressions, at their very end too.
        #expect(!(try Self.rule(Self.body([Self.accept, Self.lookup("__map7")])).stable))
    }

    /// The cache keeps rule bytes in base64: decoded as Foundation encodes them, anything
    /// else is no bytes.
    @Test func keptBytesDecodeAsTheyWereEncoded() {
        for n in [0, 1, 2, 3, 4, 5, 100, 301] {
            let bytes = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
            let text = Array(Data(bytes).base64EncodedData())
            #expect(NormalFormRecords.base64(text[...]) == bytes)
        }
        for bad in ["abc", "ab=c", "a===", "ab!d", "=abc", "ab==ab=="] {
            #expect(NormalFormRecords.base64(Array(bad.utf8)[...]) == nil, "\(bad)")
        }
    }
}
