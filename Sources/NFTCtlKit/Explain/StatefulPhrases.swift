import NFTAnalysis

/// Statements that keep state (quota, limit, log settings, dynamic sets and maps) and
/// references to named stateful objects.
extension Phraser {
    func quota(_ q: Quota) -> String {
        let amount = "\(q.val) \(q.valUnit ?? "bytes")"
        let used = q.used.map { $0 > 0 ? "\($0) \(q.usedUnit ?? "bytes") used; " : "" } ?? ""
        return q.inv == true
            ? "more than \(amount) have already passed this point (\(used)quota over)"
            : "fewer than \(amount) have passed this point so far (\(used)once the quota is used up, the rule stops matching)"
    }

    func limit(_ l: Limit) -> String {
        let unit = l.rateUnit.map { $0 == "packets" ? "packets" : $0 } ?? "packets"
        let rate = "\(l.rate) \(unit) per \(l.per ?? "second")"
        var burst = ""
        if let b = l.burst, b > 0 { burst = ", with bursts of up to \(b) \(l.burstUnit ?? unit) allowed" }
        return l.inv == true
            ? "the traffic reaching this point exceeds \(rate)\(burst) (limit rate over: only the excess matches)"
            : "the traffic reaching this point stays within \(rate)\(burst) (a token bucket: the excess does not match)"
    }

    func log(_ l: Log) -> String {
        var out: String
        if let g = l.group {
            out = "log the packet to netlink log group \(g) (read by a userspace logger such as ulogd)"
        } else if l.level == "audit" {
            out = "write an audit record for the packet"
        } else {
            out = "log the packet to the kernel log at level \(l.level ?? "warn")"
        }
        if let p = l.prefix { out += ", prefixed \"\(p)\"" }
        if let s = l.snaplen { out += ", copying at most \(s) bytes of it" }
        if let q = l.queueThreshold { out += ", sending packets to userspace in batches of \(q)" }
        var extras: [String] = []
        for f in l.flags?.values ?? [] {
            switch f {
            case "tcp sequence": extras.append("TCP sequence numbers")
            case "tcp options": extras.append("TCP options")
            case "ip options": extras.append("IP options")
            case "skuid": extras.append("the socket's user ID")
            case "ether": extras.append("the link-layer (MAC) header")
            case "all": extras.append("TCP sequence numbers and options, IP options, the socket's user ID and the link-layer header")
            default: extras.append(gap("log flag \(f)", f))
            }
        }
        if !extras.isEmpty { out += ", including " + extras.joined(separator: ", ") }
        return out
    }

    /// `add|update|delete @set { elem [stmts] }` and the map form with `: data`.
    func setUpdate(op: String, elem: Expression, data: Expression?, name: String, stmts: [Statement]) -> (
        kind: RuleExplanation.Step.Kind, text: String
    ) {
        let ref = SetReference(lenient: name).description
        let what = (data == nil ? "the set " : "the map ") + ref
        var item = value(elem)
        if let data { item += " → " + value(data) }
        var out: String
        switch op {
        case "add": out = "add \(item) to \(what) (nothing changes if it is already there)"
        case "update": out = "add \(item) to \(what), or refresh its timeout if it is already there"
        case "delete": out = "remove \(item) from \(what)"
        default: out = gap("set operation \(op)", "\(op) \(item) in \(what)")
        }
        var kind = RuleExplanation.Step.Kind.action
        for s in stmts {
            let p = statement(s, perKey: true)
            if p.kind == .condition { kind = .condition }
            out += "; for that element: " + p.text
        }
        return (kind, out)
    }

    /// Statements nft 1.0.6 lists as text only: dynamic map updates with concatenations.
    func textStatement(_ t: String) -> (kind: RuleExplanation.Step.Kind, text: String) {
        let words = t.split(separator: " ", maxSplits: 2).map(String.init)
        if words.count == 3, ["add", "update", "delete"].contains(words[0]), words[1].hasPrefix("@"),
            words[2].hasPrefix("{ "), words[2].hasSuffix(" }")
        {
            let body = words[2].dropFirst(2).dropLast(2)
            let verb = ["add": "add", "update": "add or refresh", "delete": "remove"][words[0]]!
            let prep = words[0] == "delete" ? "from" : "to"
            return (
                .action,
                "\(verb) the element `\(body)` (nft syntax: key : value, evaluated for this packet) \(prep) \(words[1]) (nft 1.0.6 lists this update only as text)"
            )
        }
        return (.action, gap("statement text \(t)", "the statement `\(t)`"))
    }

    /// A named object (`counter name "x"`), or one chosen by a map lookup.
    func objectReference(_ e: Expression, kind: ObjectKind) -> String {
        switch e {
        case .string(let name):
            guard let o = table?.objects.first(where: { $0.value.name == name && $0.value.body.kind == kind })?.value else {
                return "the \(kind.rawValue) object \"\(name)\" (not declared in this ruleset)"
            }
            return "the \(kind.rawValue) object \"\(name)\" (\(objectSummary(o.body)))"
        case .map(let key, let data):
            return "the \(kind.rawValue) object that " + mapName(data, key: key) + " names for " + subject(key)
        default: return "the \(kind.rawValue) object " + value(e)
        }
    }

    func objectSummary(_ body: ObjectBody) -> String {
        switch body {
        case .counter(let p, let b): return "\(p ?? 0) packets, \(b ?? 0) bytes counted so far"
        case .quota(let bytes, let used, let inv):
            return (inv == true ? "matches once more than " : "matches until ") + "\(bytes ?? 0) bytes have passed; \(used ?? 0) used"
        case .limit(let rate, let per, let burst, let unit, let inv, let rateUnit, _):
            let u = rateUnit ?? unit ?? "packets"
            return (inv == true ? "matches traffic above " : "matches traffic within ") + "\(rate ?? 0) \(u) per \(per ?? "second")"
                + (burst.map { $0 > 0 ? ", bursts of \($0)" : "" } ?? "")
        case .ctHelper(let type, let proto, let l3):
            return "the \(type ?? "?") helper for \(proto ?? "?") over \(l3 ?? family)"
        case .ctTimeout(let proto, let l3, let policy):
            let p =
                policy.map { $0.map { k, v in "\(k) \(v.intValue.map { Self.duration($0) } ?? v.serialized())" }.joined(separator: ", ") }
                ?? ""
            return "timeouts for \(proto ?? "?") over \(l3 ?? family)" + (p.isEmpty ? "" : ": " + p)
        case .ctExpectation(let l3, let proto, let dport, let timeout, let size):
            return
                "expect a \(proto ?? "?") connection over \(l3 ?? family) to port \(dport ?? 0) within \(Self.millis(timeout ?? 0)), at most \(size ?? 0) at a time"
        case .synproxy(let mss, let wscale, let flags):
            var parts = ["MSS \(mss ?? 0)", "window scale \(wscale ?? 0)"]
            parts += flags?.values ?? []
            return parts.joined(separator: ", ")
        case .secmark(let context): return "SELinux context \"\(context ?? "")\""
        }
    }
}
