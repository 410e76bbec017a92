import Foundation
import NFTAnalysis
import NFTModel

#if canImport(Glibc)
import Glibc
#endif

/// Anonymous interval sets that nft merged down to one element: `ip6 daddr { ::8/128,
/// ::9/128 }` is held as a set and listed as `{ ::8/127 }`. Given back as listed, one
/// element, libnftables 1.0.6 makes it a plain match (`expr_evaluate_set`: a one-element
/// anonymous set of a prefix, range or value is replaced by that element), another kernel
/// expression than the set `nft -f` made. Split into two adjacent parts it stays a set,
/// which nft merges again into the same element.
///
/// Only for what a listing says (an `.nft` file's scratch listing, the live ruleset): a
/// one-element set written in a JSON file or a rules program means the plain match, as it
/// does to `nft -j -f`.
enum MergedIntervalSets {
    static func split(_ document: Document) -> Document {
        Document(
            document.entries.map { entry in
                switch entry {
                case .item(.rule(let r)): return .item(.rule(split(r)))
                case .command(var c):
                    guard case .rule(let r) = c.item else { return entry }
                    c.item = .rule(split(r))
                    return .command(c)
                default: return entry
                }
            })
    }

    static func split(_ rule: Rule) -> Rule {
        var r = rule
        r.expr = rule.expr?.map { s in
            guard case .match(let left, let op, .set(let elements, single: false)) = s, elements.count == 1,
                let parts = halves(elements[0])
            else { return s }
            return .match(left: left, op: op, right: .set(parts, single: false))
        }
        return r
    }

    /// Two adjacent parts covering exactly what `element` covers, each an interval (a prefix,
    /// a range, `5-5` for one value: single values would make no interval set, and nft
    /// would not merge them); nil when it covers one value or is not a prefix of an address
    /// or a range of numbers or addresses.
    static func halves(_ element: NFTModel.Expression) -> [NFTModel.Expression]? {
        switch element {
        case .prefix(.string(let text), let len):
            guard let a = Address(text), len >= 0, len < a.bits else { return nil }
            let upper = a.adding(bit: a.bits - len - 1)
            return [.prefix(addr: .string(a.text), len: len + 1), .prefix(addr: .string(upper.text), len: len + 1)]
        case .range(.number(let lo), .number(let hi)) where lo < hi:
            return [.range(.number(lo), .number(lo)), .range(.number(lo + 1), .number(hi))]
        case .range(.unsigned(let lo), .unsigned(let hi)) where lo < hi:
            return [.range(.unsigned(lo), .unsigned(lo)), .range(.unsigned(lo + 1), .unsigned(hi))]
        case .range(.string(let l), .string(let h)):
            guard let lo = Address(l), let hi = Address(h), lo.bits == hi.bits, lo.bytes.lexicographicallyPrecedes(hi.bytes)
            else { return nil }
            return [.range(.string(lo.text), .string(lo.text)), .range(.string(lo.adding(bit: 0).text), .string(hi.text))]
        default:
            return nil
        }
    }

    /// An IPv4 or IPv6 address as its bytes, big-endian.
    struct Address {
        var bytes: [UInt8]
        var bits: Int { bytes.count * 8 }

        init?(_ text: String) {
            for (family, size) in [(AF_INET, 4), (AF_INET6, 16)] {
                var buffer = [UInt8](repeating: 0, count: size)
                if inet_pton(family, text, &buffer) == 1 {
                    bytes = buffer
                    return
                }
            }
            return nil
        }

        private init(bytes: [UInt8]) { self.bytes = bytes }

        var text: String {
            var out = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            _ = inet_ntop(bytes.count == 4 ? AF_INET : AF_INET6, bytes, &out, socklen_t(out.count))
            return String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }

        /// This address plus 2^`bit`, carrying (an overflow past the top is dropped: the
        /// callers add within a prefix or below an upper bound).
        func adding(bit: Int) -> Address {
            var b = bytes
            var i = b.count - 1 - bit / 8
            var carry = UInt16(1) << UInt16(bit % 8)
            while i >= 0, carry != 0 {
                let sum = UInt16(b[i]) + carry
                b[i] = UInt8(sum & 0xff)
                carry = sum >> 8
                i -= 1
            }
            return Address(bytes: b)
        }
    }
}
