import NFTAnalysis

/// Puts expressions and statements into words for one table, and remembers every part it
/// could not explain (`gaps`) and every chain a statement can hand the packet to (`edges`).
/// One phraser per rule (or set); it is not shared between threads.
final class Phraser {
    let family: String
    let table: TableContents?
    private(set) var gaps: [String] = []
    private(set) var edges: [ChainEdge] = []
    /// What the values being written are compared with or assigned to (the left side of a
    /// match, a mangle key, a map key): it decides how numbers and names read.
    private var context: Expression?
    /// The key of the map whose entries are being written.
    private var mapKey: Expression?

    init(family: String, table: TableContents?) {
        self.family = family
        self.table = table
    }

    /// Records an unexplained part and returns `fallback`, which still names it.
    func gap(_ what: String, _ fallback: String) -> String {
        gaps.append(what)
        return fallback
    }

    func edge(_ v: Verdict, key: String? = nil) {
        switch v {
        case .jump(let t): edges.append(ChainEdge(kind: .jump, target: t, mapKey: key))
        case .goto(let t): edges.append(ChainEdge(kind: .goto, target: t, mapKey: key))
        default: break
        }
    }

    // MARK: what an expression reads

    /// A noun phrase for what an expression reads from the packet, its metadata or state
    /// ("the TCP destination port"); literals fall through to `value`.
    func subject(_ e: Expression) -> String {
        switch e {
        case .payload(let p): return payload(p)
        case .exthdr(let name, let field, let offset): return exthdr(name, field, offset)
        case .tcpOption(let o): return tcpOption(o)
        case .ipOption(let name, let field): return ipOption(name, field)
        case .sctpChunk(let name, let field): return sctpChunk(name, field)
        case .dccpOption(let type): return "DCCP option type \(type)"
        case .meta(let key): return meta(key)
        case .rt(let key, let family): return rt(key, family)
        case .ct(let key, let family, let dir): return ct(key, family, dir)
        case .numgen(let mode, let mod, let offset): return numgen(mode, mod, offset)
        case .jhash(let mod, let offset, let expr, let seed):
            var s = "a Jenkins hash of \(subject(expr)), modulo \(mod)" + range(mod, offset)
            if let seed { s += ", seed " + Self.hex(UInt64(bitPattern: seed)) }
            return s
        case .symhash(let mod, let offset):
            return "a symmetric hash of the packet's addresses and ports (the same value in both directions of a flow), modulo \(mod)"
                + range(mod, offset)
        case .fib(let result, let flags): return fib(result, flags?.values ?? [])
        case .socket(let key, let level): return socket(key, level)
        case .osf(let key, let ttl): return osf(key, ttl)
        case .ipsec(let key, let dir, let spnum, let family): return ipsec(key, dir, spnum, family)
        case .tunnel(let key): return "the tunnel metadata field \(key) attached to the packet by a tunnel device"
        case .binop(let op, let operands): return binop(op, operands)
        case .concat(let parts): return "the combination (" + parts.map(subject).joined(separator: " . ") + ")"
        case .map(let key, let data): return "the value " + mapName(data, key: key) + " gives for " + subject(key)
        case .raw(let j): return gap("expression \(j.serialized())", "the expression \(j.serialized())")
        default: return value(e)
        }
    }

    /// `(values offset to offset+mod-1)` when an offset shifts the result.
    private func range(_ mod: Int64, _ offset: Int64?) -> String {
        guard let offset, offset != 0 else { return " (0 to \(mod - 1))" }
        return " plus \(offset) (\(offset) to \(offset + mod - 1))"
    }

    private func numgen(_ mode: String, _ mod: Int64, _ offset: Int64?) -> String {
        switch mode {
        case "inc": return "a counter that goes up by one per packet, modulo \(mod)" + range(mod, offset)
        case "random": return "a random number, modulo \(mod)" + range(mod, offset)
        default: return gap("numgen mode \(mode)", "a number generated in mode \(mode), modulo \(mod)")
        }
    }

    // MARK: values

    /// Runs `body` with `e` as the thing values belong to.
    func with<T>(context e: Expression?, _ body: () -> T) -> T {
        let saved = context
        context = e
        defer { context = saved }
        return body()
    }

    /// A literal (or looked-up) value as nft would write it, with set references explained.
    func value(_ e: Expression) -> String {
        switch e {
        case .string(let s):
            if SetReference(reference: s) != nil { return setReference(s) }
            if let c = context, case .ct(let key, _, _) = c, key == "state" || key == "status" { return Self.ctValueGlossary[s] ?? s }
            return s
        case .number(let n): return n < 0 ? String(n) : number(UInt64(n))
        case .unsigned(let n): return number(n)
        case .bool(let b): return b ? "exists" : "missing"
        case .list(let l):
            if l.count == 2, case .verdict = l[1] { return element(e) }
            return l.map(value).joined(separator: ", ")
        case .set(let items, _): return items.count == 1 ? value(items[0]) : "{ " + items.map(element).joined(separator: ", ") + " }"
        case .prefix(let a, let len): return value(a) + "/\(len)"
        case .range(let a, let b): return value(a) + "-" + value(b)
        case .concat(let parts):
            guard parts.allSatisfy(\.isLiteral) else { return subject(e) }
            if case .concat(let lefts)? = context, lefts.count == parts.count {
                return zip(lefts, parts).map { l, p in with(context: l) { value(p) } }.joined(separator: " . ")
            }
            return parts.map(value).joined(separator: " . ")
        case .elem(let el): return element(.elem(el))
        case .verdict(let v):
            edge(v)
            return Self.verdictShort(v)
        default: return subject(e)
        }
    }

    /// A set element or map entry: `key`, `key → data`, with its timeout, comment and statements.
    func element(_ e: Expression) -> String {
        switch e {
        case .list(let pair) where pair.count == 2:
            let key = with(context: mapKey ?? context) { element(pair[0]) }
            if case .verdict(let v) = pair[1] {
                edge(v, key: key)
                return key + " → " + Self.verdictShort(v)
            }
            return key + " → " + value(pair[1])
        case .elem(let el):
            var out = value(el.val)
            var attrs: [String] = []
            if let t = el.timeout { attrs.append("expires \(Self.duration(t)) after it is added or refreshed") }
            if let x = el.expires { attrs.append("\(Self.duration(x)) left") }
            if let c = el.comment { attrs.append("comment \"\(c)\"") }
            for s in el.statements { attrs.append(statement(s).text) }
            if !attrs.isEmpty { out += " (" + attrs.joined(separator: "; ") + ")" }
            return out
        default: return value(e)
        }
    }

    /// `@name`: the named set or map, with what it holds when the table declares it.
    func setReference(_ ref: String) -> String {
        let name = SetReference(lenient: ref).name
        guard let s = table?.set(name)?.value else { return "the named set @\(name) (not declared in this ruleset)" }
        let n = s.elements.count
        let what = s.isMap ? "map" : "set"
        guard n > 0 else {
            return "the \(what) @\(name) (empty when loaded\(s.flags?.values.contains("dynamic") == true ? "; filled by rules" : ""))"
        }
        let shown = s.elements.prefix(6).map(element)
        let more = n > 6 ? ", and \(n - 6) more" : ""
        return "the \(what) @\(name) (\(n) element\(n == 1 ? "" : "s"): " + shown.joined(separator: ", ") + more + ")"
    }

    /// An anonymous map (`{ k : v, ... }`) or a named one, as the thing that is looked up
    /// with `key`; its data reads in the current context.
    func mapName(_ data: Expression, key: Expression? = nil) -> String {
        let saved = mapKey
        mapKey = key
        defer { mapKey = saved }
        switch data {
        case .set(let items, _): return "the map { " + items.map(element).joined(separator: ", ") + " }"
        case .string(let s) where SetReference(reference: s) != nil: return setReference(s)
        default: return value(data)
        }
    }

    /// A number as the context wants it: marks and raw bits in hex, protocols with their
    /// name, durations in time units.
    func number(_ n: UInt64) -> String {
        switch context {
        case .meta("mark")?, .ct("mark", _, _)?, .socket("mark", _)?, .payload(.raw)?, .binop?, .tcpOption(.raw)?:
            return n < 10 ? Self.hex(n) : "\(Self.hex(n)) (\(n))"
        case .meta("l4proto")?, .payload(.field(_, "protocol"))?, .payload(.field(_, "nexthdr"))?, .ct("protocol", _, _)?,
            .exthdr(_, "nexthdr"?, _)?:
            if case .payload(.field("gre", _))? = context { return String(n) }
            return Self.protocols[n].map { "\(n) (\($0))" } ?? String(n)
        case .ct("expiration", _, _)?: return Self.duration(Int64(clamping: n))
        default: return String(n)
        }
    }

    static let protocols: [UInt64: String] = [
        0: "IPv6 hop-by-hop options", 1: "icmp", 2: "igmp", 4: "ipip", 6: "tcp", 17: "udp", 33: "dccp", 41: "ipv6",
        43: "IPv6 routing header", 44: "IPv6 fragment header", 47: "gre", 50: "esp", 51: "ah", 58: "icmpv6",
        59: "no next header", 60: "IPv6 destination options", 108: "comp", 132: "sctp", 135: "IPv6 mobility header",
        136: "udplite", 143: "ethernet"
    ]

    // MARK: bits

    static func hex(_ n: UInt64) -> String { "0x" + String(n, radix: 16) }

    /// The set bits of a mask as ranges, bit 0 being the least significant: `bits 0-7 and 16`.
    static func bits(_ n: UInt64) -> String {
        if n == 0 { return "no bits" }
        var ranges: [String] = [], i = 0
        while i < 64 {
            if n >> UInt64(i) & 1 == 1 {
                var j = i
                while j + 1 < 64 && n >> UInt64(j + 1) & 1 == 1 { j += 1 }
                ranges.append(i == j ? "\(i)" : "\(i)-\(j)")
                i = j + 1
            } else {
                i += 1
            }
        }
        let word = ranges.count == 1 && !ranges[0].contains("-") ? "bit " : "bits "
        return word + (ranges.count == 1 ? ranges[0] : ranges.dropLast().joined(separator: ", ") + " and " + ranges.last!)
    }

    /// nft's `time_print`: `1d2h3m4s`.
    static func duration(_ t: TimeSpan) -> String { t.description }

    static func duration(_ seconds: Int64) -> String { TimeSpan(milliseconds: seconds &* 1000).description }

    static func verdictShort(_ v: Verdict) -> String {
        switch v {
        case .jump(let t): return "jump to chain \(t)"
        case .goto(let t): return "go to chain \(t)"
        default: return v.keyword
        }
    }
}

extension Expression {
    /// True for values written in the rule, as opposed to things read from the packet.
    var isLiteral: Bool {
        switch self {
        case .string, .number, .unsigned, .bool, .prefix, .range, .elem, .verdict: return true
        case .list(let l), .set(let l, _), .concat(let l): return l.allSatisfy(\.isLiteral)
        default: return false
        }
    }

    /// A number in the expression, if it is one.
    var numberValue: UInt64? {
        switch self {
        case .number(let n): return n >= 0 ? UInt64(n) : UInt64(bitPattern: n)
        case .unsigned(let n): return n
        default: return nil
        }
    }
}
