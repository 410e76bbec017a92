import NFTAnalysis
import NFTables

/// One statement of a rule as a DSL rule piece: the typed spelling when the DSL has one that
/// gives back exactly this statement (checked by building it with the DSL itself),
/// `statement(<model literal>)` otherwise.
struct StatementSpeller {
    let names: TableNames
    var fields: FieldResolver { FieldResolver(names: names) }
    typealias S = SwiftLiteral

    func spell(_ s: Statement) -> String {
        typed(s) ?? raw(s)
    }

    func raw(_ s: Statement) -> String { "statement(\(ModelLiteral.statement(s)))" }

    /// Whether the DSL item stands for exactly `s` (as compared for intent).
    static func same(_ item: RuleItem, _ s: Statement) -> Bool {
        item.statements.map { $0.normalizedForComparison() } == [s.normalizedForComparison()]
    }

    func checked(_ text: String, _ item: RuleItem, _ s: Statement) -> String? { Self.same(item, s) ? text : nil }

    func typed(_ s: Statement) -> String? {
        switch s {
        case .verdict(let v): return fields.verdict(v)
        case .match(let l, let op, let r): return match(l, op, r)
        case .counter: return "counter"
        case .namedCounter(.string(let n)):
            if let o = names.objects[.counter]?[n] { return "counter(\(o))" }
            return "counter(named: \(S.string(n)))"
        case .namedQuota(.string(let n)):
            if let o = names.objects[.quota]?[n] { return "quota(\(o))" }
            return "quota(named: \(S.string(n)))"
        case .namedLimit(.string(let n)):
            if let o = names.objects[.limit]?[n] { return "limit(\(o))" }
            return "limit(named: \(S.string(n)))"
        case .namedSynproxy(.string(let n)):
            if let o = names.objects[.synproxy]?[n] { return "synproxy(\(o))" }
            return nil
        case .secmark(.string(let n)):
            if let o = names.objects[.secmark]?[n] { return "secmark(\(o))" }
            return "secmark(named: \(S.string(n)))"
        case .ctHelper(.string(let n)): return "ct.helper.set(\(S.string(n)))"
        case .ctTimeout(.string(let n)): return "ct.timeout.set(\(S.string(n)))"
        case .ctExpectation(.string(let n)): return "ct.expectation.set(\(S.string(n)))"
        case .notrack: return "notrack"
        case .mangle(let k, let v): return mangle(k, v)
        case .quota(let q): return quota(q, s)
        case .limit(let l): return limit(l, s)
        case .log(let l): return log(l, s)
        case .nat(let n): return nat(n, s)
        case .reject(let t, let e): return reject(t, e, s)
        case .queue(let num, let flags): return queue(num, flags, s)
        case .vmap(let k, let d): return vmap(k, d)
        case .ctCount(let v, let inv):
            return checked("ctCount(\(v)\(inv == true ? ", over: true" : ""))", ctCount(Int(v), over: inv == true), s)
        case .tproxy(let fam, let addr, let port): return tproxy(fam, addr, port, s)
        case .synproxy(nil): return "synproxy"
        case .synproxy(let p?): return synproxy(p, s)
        case .dup(let addr, let dev): return dup(addr, dev, s)
        case .fwd(let dev?, let fam, let addr): return fwd(dev, fam, addr, s)
        case .flow("add", let ft):
            if let ref = SetReference(reference: ft), let f = names.flowtables[ref.name] { return "flowOffload(\(f))" }
            return nil
        case .set(let u): return setUpdate(u)
        case .map(let u): return mapUpdate(u)
        default: return nil
        }
    }

    // MARK: matches

    func match(_ l: Expression, _ op: MatchOperator, _ r: Expression) -> String? {
        if case .ct(let k, nil, nil) = l, ["helper", "timeout", "expectation"].contains(k), op == .eq, case .string(let n) = r {
            return "ct.\(k) == \(S.string(n))"
        }
        let f = fields.field(l)
        let lt = f.text
        let lm = SwiftLiteral.parenthesized(lt)
        // Named set membership.
        if case .string(let ref) = r, let set = names.setLet(ref), op == .eq || op == .ne {
            return "\(lt) \(op.rawValue) \(set)"
        }
        switch op {
        case .eq where r == .bool(true): return "\(lm).exists"
        case .eq where r == .bool(false): return "\(lm).missing"
        case .eq, .ne:
            if f.kind.intRanges, case .range(.number(let a), .number(let b)) = r, a <= b { return "\(lt) \(op.rawValue) \(a)...\(b)" }
            if let v = ValueSpelling.literal(r, f.kind) { return "\(lt) \(op.rawValue) \(v)" }
            return "\(lt) \(op.rawValue) \(f.kind.typeName)(\(ModelLiteral.expression(r)))"
        case .lt, .gt, .le, .ge:
            if f.kind.ordered {
                return "\(lt) \(op.rawValue) \(ValueSpelling.spell(r, f.kind))"
            }
        case .in, .not:
            if f.kind.bitTests {
                let parts: [Expression]
                if case .list(let l) = r { parts = l } else { parts = [r] }
                var out: [String] = []
                for p in parts {
                    guard let t = ValueSpelling.literal(p, f.kind), !t.hasPrefix("[") else { out = []; break }
                    out.append(t)
                }
                if !out.isEmpty { return "\(lm).\(op == .in ? "has" : "hasNone")(\(out.joined(separator: ", ")))" }
            }
        }
        return "match(\(lt), .\(ModelLiteral.matchOp(op)), \(ValueSpelling.anyValue(r)))"
    }

    func mangle(_ k: Expression, _ v: Expression) -> String? {
        let f = fields.field(k)
        if FieldSpelling.table[v] != nil || fields.typed(v) != nil, !isLiteralLike(v) {
            return "\(paren(f.text)).set(from: \(fields.field(v).text))"
        }
        return "\(paren(f.text)).set(\(ValueSpelling.spell(v, f.kind)))"
    }

    func paren(_ t: String) -> String { SwiftLiteral.parenthesized(t) }

    func isLiteralLike(_ e: Expression) -> Bool {
        switch e {
        case .string, .number, .unsigned, .bool, .set, .prefix, .range, .list: return true
        case .concat(let l): return l.allSatisfy(isLiteralLike)
        default: return false
        }
    }

    // MARK: statements with arguments

    static func byteUnit(_ u: String?) -> ByteUnit?? {
        guard let u else { return .some(nil) }
        guard let b = ByteUnit(rawValue: u) else { return nil }
        return .some(b)
    }

    func quota(_ q: Quota, _ s: Statement) -> String? {
        guard let unit = ByteUnit(rawValue: q.valUnit ?? "bytes") else { return nil }
        let over = q.inv == true
        var t = "quota(\(q.val)"
        if unit != .bytes { t += ", .\(unit.rawValue)" }
        if over { t += ", over: true" }
        return checked(t + ")", NFTables.quota(Int(q.val), unit, over: over), s)
    }

    func limit(_ l: Limit, _ s: Statement) -> String? {
        var l = l
        if l.hasDefaultBurst { l.burst = nil; l.burstUnit = nil }  // import only what was declared
        guard let per = TimeUnit(rawValue: l.per ?? "second"), let ru = Self.byteUnit(l.rateUnit),
            let bu = Self.byteUnit(l.burstUnit)
        else { return nil }
        let burst = l.burst.map(Int.init)
        let item = NFTables.limit(rate: Int(l.rate), ru, per: per, burst: burst, burstUnit: bu, over: l.inv == true)
        var args = ["rate: \(l.rate)"]
        if let ru { args.append(".\(ru.rawValue)") }
        if per != .second { args.append("per: .\(per.rawValue)") }
        if let b = l.burst { args.append("burst: \(b)") }
        if let bu, bu != ru { args.append("burstUnit: .\(bu.rawValue)") }
        if l.inv == true { args.append("over: true") }
        if let t = checked("limit(\(args.joined(separator: ", ")))", item, s) { return t }
        // The burst unit spelled out even when it equals the rate unit.
        if let bu, bu == ru, l.burst != nil {
            args.insert("burstUnit: .\(bu.rawValue)", at: args.firstIndex { $0.hasPrefix("burst:") }! + 1)
            return checked("limit(\(args.joined(separator: ", ")))", item, s)
        }
        return nil
    }

    func log(_ l: Log, _ s: Statement) -> String? {
        if l.isEmpty { return "log" }
        guard let level = l.level.map({ LogLevel(rawValue: $0) }) ?? .some(nil) else { return nil }
        var flags: [LogFlag] = []
        for f in l.flags?.values ?? [] {
            guard let lf = LogFlag(rawValue: f) else { return nil }
            flags.append(lf)
        }
        let item = NFTables.log(
            prefix: l.prefix, level: level, group: l.group.map(Int.init), snaplen: l.snaplen.map(Int.init),
            queueThreshold: l.queueThreshold.map(Int.init), flags: flags)
        var args: [String] = []
        if let p = l.prefix { args.append("prefix: \(S.string(p))") }
        if let level { args.append("level: .\(level.rawValue)") }
        if let g = l.group { args.append("group: \(g)") }
        if let n = l.snaplen { args.append("snaplen: \(n)") }
        if let q = l.queueThreshold { args.append("queueThreshold: \(q)") }
        if !flags.isEmpty { args.append("flags: [" + flags.map { "." + Self.logFlagName($0) }.joined(separator: ", ") + "]") }
        return checked("log(\(args.joined(separator: ", ")))", item, s)
    }

    static func logFlagName(_ f: LogFlag) -> String {
        switch f {
        case .tcpSequence: return "tcpSequence"
        case .tcpOptions: return "tcpOptions"
        case .ipOptions: return "ipOptions"
        case .skuid: return "skuid"
        case .ether: return "ether"
        case .all: return "all"
        }
    }

    static func natFlags(_ f: FlagList?) -> ([NATFlag], String)? {
        var out: [NATFlag] = []
        for v in f?.values ?? [] {
            guard let n = NATFlag(rawValue: v) else { return nil }
            out.append(n)
        }
        let text = "[" + out.map { $0 == .fullyRandom ? ".fullyRandom" : ".\($0.rawValue)" }.joined(separator: ", ") + "]"
        return (out, text)
    }

    func nat(_ n: NAT, _ s: Statement) -> String? {
        guard n.typeFlags == nil, let (flags, flagText) = Self.natFlags(n.flags) else { return nil }
        let family = n.family.flatMap(Family.init(rawValue:))
        if n.family != nil && family == nil { return nil }
        var extra: [String] = []
        if let family { extra.append("family: .\(family.rawValue)") }
        if !flags.isEmpty { extra.append("flags: \(flagText)") }
        let port = n.port.map { Number($0) }
        let portText = n.port.map { "port: \(ValueSpelling.spell($0, .number))" }
        func join(_ head: [String?], _ tail: [String]) -> String { (head.compactMap { $0 } + tail).joined(separator: ", ") }
        switch n.kind {
        case .snat, .dnat:
            let fn = n.kind == .snat ? "snat" : "dnat"
            if let addr = n.addr {
                let a = Addr(addr)
                let item =
                    n.kind == .snat
                    ? snat(to: a, port: port, family: family, flags: flags)
                    : dnat(to: a, port: port, family: family, flags: flags)
                let at = addrText(addr)
                return checked("\(fn)(\(join(["to: \(at)", portText], extra)))", item, s)
            }
            guard n.kind == .dnat, let port, family == nil else { return nil }
            return checked("dnat(\(join([portText], extra)))", dnat(port: port, flags: flags), s)
        case .masquerade:
            guard n.addr == nil, family == nil else { return nil }
            if port == nil && flags.isEmpty { return checked("masquerade", NFTables.masquerade, s) }
            return checked("masquerade(\(join([portText], extra)))", masquerade(port: port, flags: flags), s)
        case .redirect:
            guard n.addr == nil, family == nil else { return nil }
            guard let port else { return flags.isEmpty ? checked("redirect", NFTables.redirect, s) : nil }
            return checked(
                "redirect(\(join(["to: " + ValueSpelling.spell(n.port!, .number)], extra)))",
                redirect(to: port, flags: flags), s)
        }
    }

    /// An address argument: a literal, or a field/map lookup as `Addr(field)`.
    func addrText(_ e: Expression) -> String {
        if let l = ValueSpelling.literal(e, .addr) { return l }
        if let f = fields.typed(e) { return "Addr(\(f.text))" }
        return "Addr(\(ModelLiteral.expression(e)))"
    }

    func reject(_ type: String?, _ expr: Expression?, _ s: Statement) -> String? {
        guard let type else { return expr == nil ? "reject" : nil }
        if type == "tcp reset" { return checked("reject(with: .tcpReset)", NFTables.reject(with: .tcpReset), s) }
        guard ["icmp", "icmpv6", "icmpx"].contains(type), case .string(let code)? = expr else { return nil }
        let known: [String: String] = [
            "port-unreachable": "portUnreachable", "host-unreachable": "hostUnreachable", "net-unreachable": "netUnreachable",
            "prot-unreachable": "protUnreachable", "admin-prohibited": "adminProhibited", "net-prohibited": "netProhibited",
            "host-prohibited": "hostProhibited", "no-route": "noRoute", "addr-unreachable": "addrUnreachable"
        ]
        let c = ICMPCode(code)
        let reason: RejectReason = type == "icmp" ? .icmp(c) : type == "icmpv6" ? .icmpv6(c) : .icmpx(c)
        let codeText = known[code].map { "." + $0 } ?? S.string(code)
        return checked("reject(with: .\(type)(\(codeText)))", NFTables.reject(with: reason), s)
    }

    func queue(_ num: Expression?, _ flags: FlagList?, _ s: Statement) -> String? {
        var qf: [QueueFlag] = []
        for f in flags?.values ?? [] {
            guard let q = QueueFlag(rawValue: f) else { return nil }
            qf.append(q)
        }
        var args: [String] = []
        if let num { args.append("num: \(ValueSpelling.spell(num, .number))") }
        if !qf.isEmpty { args.append("flags: [" + qf.map { ".\($0.rawValue)" }.joined(separator: ", ") + "]") }
        return checked("queue(\(args.joined(separator: ", ")))", NFTables.queue(num: num.map { Number($0) }, flags: qf), s)
    }

    func vmap(_ k: Expression, _ d: Expression) -> String? {
        let f = fields.field(k)
        let kt = SwiftLiteral.parenthesized(f.text)
        if case .string(let ref) = d, let m = names.mapLet(ref) { return "\(kt).vmap(\(m))" }
        if case .set(let entries, _) = d, let es = fields.mapEntries(entries) { return "\(kt).vmap(\(es))" }
        return nil
    }

    func tproxy(_ fam: String?, _ addr: Expression?, _ port: Expression?, _ s: Statement) -> String? {
        let family = fam.flatMap(Family.init(rawValue:))
        if fam != nil && family == nil { return nil }
        var args: [String] = []
        if let addr { args.append("to: \(addrText(addr))") }
        if let port { args.append("port: \(ValueSpelling.spell(port, .number))") }
        if let family { args.append("family: .\(family.rawValue)") }
        let item = NFTables.tproxy(to: addr.map { Addr($0) }, port: port.map { Number($0) }, family: family)
        return checked("tproxy(\(args.joined(separator: ", ")))", item, s)
    }

    func synproxy(_ p: Synproxy, _ s: Statement) -> String? {
        var fl: [SynproxyFlag] = []
        for f in p.flags?.values ?? [] {
            guard let x = SynproxyFlag(rawValue: f) else { return nil }
            fl.append(x)
        }
        var args: [String] = []
        if let m = p.mss { args.append("mss: \(m)") }
        if let w = p.wscale { args.append("wscale: \(w)") }
        if !fl.isEmpty { args.append("flags: [" + fl.map { $0 == .sackPerm ? ".sackPerm" : ".timestamp" }.joined(separator: ", ") + "]") }
        let item = NFTables.synproxy(mss: p.mss.map(Int.init), wscale: p.wscale.map(Int.init), flags: fl)
        return checked("synproxy(\(args.joined(separator: ", ")))", item, s)
    }

    func dup(_ addr: Expression?, _ dev: Expression?, _ s: Statement) -> String? {
        var args: [String] = []
        if let addr { args.append("to: \(addrText(addr))") }
        if let dev { args.append("device: \(ValueSpelling.spell(dev, .name))") }
        return checked("dup(\(args.joined(separator: ", ")))", NFTables.dup(to: addr.map { Addr($0) }, device: dev.map { Name($0) }), s)
    }

    func fwd(_ dev: Expression, _ fam: String?, _ addr: Expression?, _ s: Statement) -> String? {
        let family = fam.flatMap(Family.init(rawValue:))
        if fam != nil && family == nil { return nil }
        var args = ["to: \(ValueSpelling.spell(dev, .name))"]
        if let family { args.append("family: .\(family.rawValue)") }
        if let addr { args.append("addr: \(addrText(addr))") }
        return checked("fwd(\(args.joined(separator: ", ")))", NFTables.fwd(to: Name(dev), family: family, addr: addr.map { Addr($0) }), s)
    }

    /// `add(ip.saddr, to: blocklist, timeout: 60, counter)`.
    func setUpdate(_ u: SetUpdate) -> String? {
        guard let set = names.setLet(u.set), ["add", "update", "delete"].contains(u.op) else { return nil }
        var key = u.elem, timeout: TimeSpan?
        if case .elem(let el) = u.elem {
            guard el.expires == nil, el.comment == nil, el.statements.isEmpty else { return nil }
            key = el.val; timeout = el.timeout
        }
        guard let f = fields.typed(key) else { return nil }
        var stmts: [String] = []
        for st in u.stmt ?? [] {
            guard let t = typed(st) else { return nil }
            stmts.append(t)
        }
        let rest = (timeout.map { ["timeout: \(S.time($0))"] } ?? []) + stmts
        let tail = rest.isEmpty ? "" : ", " + rest.joined(separator: ", ")
        switch u.op {
        case "add": return "add(\(f.text), to: \(set)\(tail))"
        case "update": return "update(\(f.text), in: \(set)\(tail))"
        default: return rest.isEmpty ? "delete(\(f.text), from: \(set))" : nil
        }
    }

    func mapUpdate(_ u: MapUpdate) -> String? {
        guard let map = names.mapLet(u.map), u.stmt == nil, u.op == "add" || u.op == "update" else { return nil }
        var key = u.elem, timeout: TimeSpan?
        if case .elem(let el) = u.elem {
            guard el.expires == nil, el.comment == nil, el.statements.isEmpty else { return nil }
            key = el.val; timeout = el.timeout
        }
        guard let f = fields.typed(key) else { return nil }
        let data: String
        if let d = fields.typed(u.data), !isLiteralLike(u.data) { data = "Value(\(d.text))" } else { data = ValueSpelling.anyValue(u.data) }
        let tail = timeout.map { ", timeout: \(S.time($0))" } ?? ""
        return u.op == "add" ? "add(\(f.text), \(data), to: \(map)\(tail))" : "update(\(f.text), \(data), in: \(map)\(tail))"
    }
}
