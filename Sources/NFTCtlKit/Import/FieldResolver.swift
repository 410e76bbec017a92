import NFTAnalysis
import NFTables

/// The names a table's rules can refer to: its sets, maps, objects and flowtables, by the
/// `let` the generated file declares for each.
struct TableNames: Sendable {
    var family: Family?
    var sets: [String: String] = [:]
    var maps: [String: String] = [:]
    var objects: [ObjectKind: [String: String]] = [:]
    var flowtables: [String: String] = [:]
    var chains: [String: String] = [:]

    func setLet(_ ref: String) -> String? { SetReference(reference: ref).flatMap { sets[$0.name] } }
    func mapLet(_ ref: String) -> String? { SetReference(reference: ref).flatMap { maps[$0.name] } }
}

/// Left-hand sides: the DSL spelling of a field expression and the kind of value it takes.
struct FieldResolver {
    let names: TableNames
    typealias S = SwiftLiteral

    /// The typed spelling of `e` as a field, or `AnyField(<model>)`.
    func field(_ e: Expression) -> FieldSpelling {
        typed(e) ?? FieldSpelling(text: "AnyField(\(ModelLiteral.expression(e)))", expression: e, kind: .any)
    }

    func typed(_ e: Expression) -> FieldSpelling? {
        if let f = FieldSpelling.table[e] { return f }
        switch e {
        case .payload(.field(let p, let f)) where ["sctp", "dccp", "ah", "esp", "comp", "igmp"].contains(p):
            return FieldSpelling(text: "\(p)[\(S.string(f))]", expression: e, kind: .any)
        case .payload(.raw(let base, let off, let len)):
            guard let b = PayloadBase(rawValue: base) else { return nil }
            let name: String
            switch b {
            case .link: name = "link"
            case .network: name = "network"
            case .transport: name = "transport"
            case .inner: name = "inner"
            }
            return FieldSpelling(text: "payload(.\(name), offset: \(off), length: \(len))", expression: e, kind: .any)
        case .meta(let k):
            return FieldSpelling(text: "meta[\(S.string(k))]", expression: e, kind: .any)
        case .ct(let k, nil, let dir) where dir == nil || dir == "original" || dir == "reply":
            let prefix = dir.map { "ct.\($0)" } ?? "ct"
            return FieldSpelling(text: "\(prefix)[\(S.string(k))]", expression: e, kind: .any)
        case .exthdr(let n, let f?, nil):
            return FieldSpelling(text: "exthdr[\(S.string(n)), \(S.string(f))]", expression: e, kind: .any)
        case .tcpOption(.named(let n, let f)):
            return FieldSpelling(
                text: "tcp.option(\(S.string(n))\(f.map { ", field: \(S.string($0))" } ?? ""))",
                expression: e, kind: .number)
        case .ipOption(let n, let f):
            return FieldSpelling(
                text: "ip.option(\(S.string(n))\(f.map { ", field: \(S.string($0))" } ?? ""))",
                expression: e, kind: .number)
        case .socket("cgroupv2", let level?):
            return FieldSpelling(text: "socket.cgroupv2(level: \(level))", expression: e, kind: .name)
        case .osf("name", let ttl?):
            return FieldSpelling(text: "osf.name(ttl: \(S.string(ttl)))", expression: e, kind: .name)
        case .fib(let result, let flags):
            let fl = flags?.values ?? []
            guard fl.allSatisfy({ FibFlag(rawValue: $0) != nil }) else { return nil }
            let head = "fib(" + fl.map { "." + $0 }.joined(separator: ", ") + ")"
            switch result {
            case "type": return FieldSpelling(text: head + ".type", expression: e, kind: .addressType)
            case "oif": return FieldSpelling(text: head + ".oif", expression: e, kind: .name)
            case "oifname": return FieldSpelling(text: head + ".oifname", expression: e, kind: .name)
            default: return nil
            }
        case .numgen(let mode, let mod, let off):
            guard NumgenMode(rawValue: mode) != nil else { return nil }
            return FieldSpelling(
                text: "numgen(.\(mode), mod: \(mod)\(off.map { ", offset: \($0)" } ?? ""))",
                expression: e, kind: .number)
        case .jhash(let mod, let off, let key, let seed):
            let k = field(key)
            return FieldSpelling(
                text: "jhash(\(k.text), mod: \(mod)\(off.map { ", offset: \($0)" } ?? "")"
                    + "\(seed.map { ", seed: \($0)" } ?? ""))", expression: e, kind: .number)
        case .symhash(let mod, let off):
            return FieldSpelling(text: "symhash(mod: \(mod)\(off.map { ", offset: \($0)" } ?? ""))", expression: e, kind: .number)
        case .concat(let parts) where parts.count > 1:
            return FieldSpelling(
                text: "concat(" + parts.map { field($0).text }.joined(separator: ", ") + ")",
                expression: e, kind: .any)
        case .binop(let op, let l) where l.count == 2:
            let left = field(l[0])
            let lt = SwiftLiteral.parenthesized(left.text)
            switch op {
            case .lshift, .rshift:
                guard left.kind.shifts, case .number(let n) = l[1] else { return nil }
                return FieldSpelling(text: "\(lt) \(op.rawValue) \(n)", expression: e, kind: left.kind)
            case .and, .or, .xor:
                guard left.kind.bitwise, let r = ValueSpelling.literal(l[1], left.kind) else { return nil }
                let rt = SwiftLiteral.parenthesized(r)
                return FieldSpelling(text: "\(lt) \(op.rawValue) \(rt)", expression: e, kind: left.kind)
            }
        case .map(let key, let data):
            let k = field(key)
            let kt = SwiftLiteral.parenthesized(k.text)
            if case .string(let ref) = data, let m = names.mapLet(ref) {
                return FieldSpelling(text: "\(kt).map(\(m))", expression: e, kind: .any)
            }
            if case .set(let entries, _) = data, let es = mapEntries(entries) {
                return FieldSpelling(text: "\(kt).map(\(es))", expression: e, kind: .any)
            }
            return nil
        default:
            return nil
        }
    }

    /// `[k => v, ...]` for anonymous map entries (each a `[key, data]` pair), or nil.
    func mapEntries(_ entries: [Expression]) -> String? {
        var out: [String] = []
        for en in entries {
            guard case .list(let kv) = en, kv.count == 2 else { return nil }
            out.append(mapEntry(kv[0], kv[1]))
        }
        return "[" + out.joined(separator: ", ") + "]"
    }

    /// `key => data`; verdicts as `accept`, `jump("x")`.
    func mapEntry(_ key: Expression, _ data: Expression) -> String {
        var k = ValueSpelling.anyValue(key)
        if k.hasPrefix("[") { k = "Value(\(ModelLiteral.expression(key)))" }
        if case .verdict(let v) = data { return "\(k) => \(verdict(v))" }
        return "\(k) => \(ValueSpelling.anyValue(data))"
    }

    /// A verdict naming a chain of this table by its `let` (`jump(docker)`), as one writes it.
    func verdict(_ v: Verdict) -> String {
        switch v {
        case .jump(let t): if let id = names.chains[t] { return "jump(\(id))" }
        case .goto(let t): if let id = names.chains[t] { return "goto(\(id))" }
        default: break
        }
        return Self.verdict(v)
    }

    static func verdict(_ v: Verdict) -> String {
        switch v {
        case .accept: return "accept"
        case .drop: return "drop"
        case .continue: return ".continue"
        case .return: return ".return"
        case .jump(let t): return "jump(\(SwiftLiteral.string(t)))"
        case .goto(let t): return "goto(\(SwiftLiteral.string(t)))"
        }
    }
}
