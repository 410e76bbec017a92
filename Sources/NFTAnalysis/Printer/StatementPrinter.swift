extension Statement {
    /// This statement in nft syntax, as `nft list` prints it inside a rule.
    public func nftText(context: PrintContext = .init()) -> String {
        StatementPrinter(context: context).text(self)
    }
}

/// Prints statements; the stateful ones (counter, quota, limit, log) and NAT live in
/// their own files.
struct StatementPrinter {
    let context: PrintContext
    var expr: ExpressionPrinter { ExpressionPrinter(context: context) }

    /// Words nft lists as values after `set` but reads there as keywords, refusing the line
    /// (`ct event set new,mark`, `icmp type set redirect`): quoted, they are values.
    static let keywordValues: Set<Substring> = ["mark", "helper", "secmark", "redirect"]

    /// nft lists `ip protocol set udp`, but its parser reads `udp` there as the start of a
    /// `udp` expression and refuses the line: text for loading writes the protocol's number,
    /// and quotes the other words it would read as keywords (`keywordValues`).
    private func mangleValue(_ key: Expression, _ value: Expression) -> String {
        let type = ValueType.of(key)
        guard context.forLoading else { return expr.text(value, as: type) }
        guard case .proto = type.number else {
            return expr.text(value, as: type).split(separator: ",", omittingEmptySubsequences: false)
                .map { Self.keywordValues.contains($0) ? "\"\($0)\"" : String($0) }.joined(separator: ",")
        }
        if case .string(let name) = value, let number = ValueFormat.protocolNames.first(where: { $0.value == name })?.key {
            return String(number)
        }
        var numeric = context
        numeric.numericProtocol = true
        return ExpressionPrinter(context: numeric).text(value, as: type)
    }

    func text(_ s: Statement) -> String {
        switch s {
        case .verdict(let v): return ExpressionPrinter.verdict(v)
        case .match(let left, let op, let right): return match(left, op, right)
        case .counter(let p, let b): return counter(p, b)
        case .namedCounter(let e): return "counter name " + expr.text(e, as: .quoted)
        case .mangle(let key, let value):
            return expr.text(key, as: nil) + " set " + mangleValue(key, value)
        case .quota(let q): return quota(q)
        case .namedQuota(let e): return "quota name " + expr.text(e, as: .quoted)
        case .limit(let l): return limit(l)
        case .namedLimit(let e): return "limit name " + expr.text(e, as: .quoted)
        case .fwd(let dev, let family, let addr):
            var out = "fwd"
            if let family { out += " " + family }
            out += " to"
            if let addr { out += " " + expr.text(addr, as: .plain) }
            if let dev { out += (addr == nil ? " " : " device ") + expr.text(dev, as: .quoted) }
            return out
        case .notrack: return "notrack"
        case .dup(let addr, let dev):
            var out = "dup to"
            // In netdev the target is a device, not an address.
            if let addr { out += " " + expr.text(addr, as: context.family == "netdev" && dev == nil ? .quoted : .plain) }
            if let dev { out += (addr == nil ? " " : " device ") + expr.text(dev, as: .quoted) }
            return out
        case .nat(let n): return nat(n)
        case .reject(let type, let e): return reject(type, e)
        case .set(let u):
            return u.op + " " + u.set + " { " + setElement(u.elem, u.stmt) + " }"
        case .map(let u):
            return u.op + " " + u.map + " { " + setElement(u.elem, u.stmt) + " : " + expr.text(u.data, as: nil) + " }"
        case .log(let l): return log(l)
        case .ctHelper(let e): return "ct helper set " + expr.text(e, as: .quoted)
        case .ctTimeout(let e): return "ct timeout set " + expr.text(e, as: .quoted)
        case .ctExpectation(let e): return "ct expectation set " + expr.text(e, as: .quoted)
        case .meter(let name, let key, let stmt, let size):
            var out = "meter " + name + " "
            if let size { out += "size \(size) " }
            return out + "{ " + setElement(key, nil) + " " + text(stmt) + " }"
        case .queue(let num, let flags): return queue(num, flags)
        case .vmap(let key, let data):
            return expr.text(key, as: nil) + " vmap " + expr.mapData(data, keyType: .of(key), dataType: .plain)
        case .ctCount(let val, let inv): return "ct count " + (inv == true ? "over " : "") + String(val)
        case .tproxy(let family, let addr, let port): return tproxy(family, addr, port)
        case .synproxy(let s): return synproxy(s)
        case .namedSynproxy(let e): return "synproxy name " + expr.text(e, as: .quoted)
        case .reset(let e): return "reset " + expr.text(e, as: nil)
        case .secmark(let e): return "meta secmark set " + expr.text(e, as: .quoted)
        case .xt(let type, let name): return "xt " + type + " " + ValueFormat.quote(name)
        case .flow(let op, let flowtable): return "flow " + op + " " + flowtable
        case .last(let used):
            guard let used, !context.stateless else { return context.stateless ? "last" : "last used never" }
            return "last used " + ValueFormat.duration(milliseconds: UInt64(max(0, used)))
        case .text(let t): return SafeText.escape(t)
        case .raw(let j): return j.serialized(.spaced)
        }
    }

    /// The key of a set/map update: the element expression, then per-element statements.
    private func setElement(_ e: Expression, _ stmts: [Statement]?) -> String {
        var out = expr.text(e, as: nil)
        for s in stmts ?? [] { out += " " + text(s) }
        return out
    }

    private func queue(_ num: Expression?, _ flags: FlagList?) -> String {
        var out = "queue"
        let f = flags?.values ?? []
        if !f.isEmpty { out += " flags " + f.joined(separator: ",") }
        if let num { out += " to " + expr.text(num, as: .plain) }
        return out
    }

    private func synproxy(_ s: Synproxy?) -> String {
        guard let s else { return "synproxy" }
        var out = "synproxy"
        if let mss = s.mss { out += " mss \(mss)" }
        if let ws = s.wscale { out += " wscale \(ws)" }
        for f in s.flags?.values ?? [] { out += " " + f }
        return out
    }

    private func reject(_ type: String?, _ e: Expression?) -> String {
        guard let type else { return "reject" }
        let code = e.map { expr.text($0, as: .plain) }
        if type == "tcp reset" { return "reject with tcp reset" }
        if code == "port-unreachable" && type == Self.defaultRejectType(context.family) { return "reject" }
        return "reject with " + type + (code.map { " " + $0 } ?? "")
    }

    /// What a bare `reject` means in each family: nft leaves that default out.
    static func defaultRejectType(_ family: String?) -> String {
        switch family {
        case "ip": return "icmp"
        case "ip6": return "icmpv6"
        default: return "icmpx"
        }
    }
}
