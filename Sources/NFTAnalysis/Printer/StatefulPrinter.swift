/// Counter, quota, limit and log: statements whose listing carries state or defaults
/// that nft leaves out (`burst 5 packets`, counter values in stateless mode).
extension StatementPrinter {
    func counter(_ packets: UInt64?, _ bytes: UInt64?) -> String {
        guard !context.stateless, packets != nil || bytes != nil else { return "counter" }
        return "counter packets \(packets ?? 0) bytes \(bytes ?? 0)"
    }

    func quota(_ q: Quota) -> String {
        var out = "quota " + (q.inv == true ? "over " : "") + "\(q.val) " + (q.valUnit ?? "bytes")
        if !context.stateless, let used = q.used, used != 0 { out += " used \(used) " + (q.usedUnit ?? "bytes") }
        return out
    }

    func limit(_ l: Limit) -> String {
        let over = l.inv == true ? "over " : ""
        let per = l.per ?? "second"
        if let unit = l.rateUnit, unit != "packets" {
            var out = "limit rate \(over)\(l.rate) \(unit)/\(per)"
            if let burst = l.burst, burst != 0 { out += " burst \(burst) " + (l.burstUnit ?? "bytes") }
            return out
        }
        var out = "limit rate \(over)\(l.rate)/\(per)"
        if let burst = l.burst, burst != 0, burst != 5 { out += " burst \(burst) packets" }
        return out
    }

    /// Attributes in nft's order; TCP log flags group as `flags tcp sequence,options`.
    func log(_ l: Log) -> String {
        var out = "log"
        if let p = l.prefix { out += " prefix " + ValueFormat.quote(p) }
        if let g = l.group { out += " group \(g)" }
        if let s = l.snaplen { out += " snaplen \(s)" }
        if let q = l.queueThreshold { out += " queue-threshold \(q)" }
        if let level = l.level { out += " level " + level }
        let flags = l.flags?.values ?? []
        if flags.contains("all") { return out + " flags all" }
        let tcp = flags.filter { $0.hasPrefix("tcp ") }.map { String($0.dropFirst(4)) }
        if !tcp.isEmpty { out += " flags tcp " + tcp.joined(separator: ",") }
        for f in flags where !f.hasPrefix("tcp ") { out += " flags " + f }
        return out
    }
}
