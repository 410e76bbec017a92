/// Stateful named objects and flowtables inside a table listing, as nft 1.0.6's
/// `obj_print_data` and `flowtable_print_declaration` lay them out.
extension ListingPrinter {
    func object(_ kind: ObjectKind, _ o: NamedObject) -> String {
        var out = "\t" + kind.rawValue + " " + SafeText.name(o.name) + " {" + handle(o.handle)
        if let c = o.comment { out += "\n\t\tcomment " + ValueFormat.quote(c) }
        switch o.body {
        case .counter(let packets, let bytes):
            out += context.stateless ? "\n" : "\n\t\tpackets \(packets ?? 0) bytes \(bytes ?? 0)\n"
        case .quota(let bytes, let used, let inv):
            out += "\n\t\t" + (inv == true ? "over " : "") + Self.byteAmount(bytes ?? 0)
            if !context.stateless, let used, used > 0 { out += " used " + Self.byteAmount(used) }
            out += "\n"
        case .secmark(let ctx): out += "\n\t\t" + ValueFormat.quote(ctx ?? "") + "\n"
        case .ctHelper(let type, let proto, let l3proto):
            out += "\n\t\ttype " + ValueFormat.quote(type ?? "") + " protocol " + (proto ?? "") + "\n"
            out += "\t\tl3proto " + (l3proto ?? family) + "\n"
        case .ctTimeout(let proto, let l3proto, let policy):
            out += "\n\t\tprotocol " + (proto ?? "") + "\n\t\tl3proto " + (l3proto ?? family) + "\n"
            if let policy, !policy.isEmpty {
                let entries = policy.map { k, v in k + " : " + (v.intValue.map(String.init) ?? v.serialized(.spaced)) }
                out += "\t\tpolicy = { " + entries.joined(separator: ", ") + " }\n"
            }
        case .ctExpectation(let l3proto, let proto, let dport, let timeout, let size):
            out += "\n\t\tprotocol " + (proto ?? "") + "\n\t\tdport \(dport ?? 0)\n"
            out += "\t\ttimeout " + ValueFormat.duration(milliseconds: UInt64(max(0, timeout ?? 0))) + "\n"
            out += "\t\tsize \(size ?? 0)\n\t\tl3proto " + (l3proto ?? family) + "\n"
        case .limit(let rate, let per, let burst, let unit, let inv, let rateUnit, let burstUnit):
            let l = Limit(rate: rate ?? 0, per: per, rateUnit: rateUnit ?? unit, burst: burst, burstUnit: burstUnit ?? unit, inv: inv)
            out += "\n\t\t" + String(StatementPrinter(context: context).limit(l).dropFirst("limit ".count)) + "\n"
        case .synproxy(let mss, let wscale, let flags):
            if let mss { out += "\n\t\tmss \(mss)" }
            if let wscale { out += "\n\t\twscale \(wscale)" }
            let f = flags?.values ?? []
            if !f.isEmpty {
                out += "\n\t\t" + Synproxy.knownFlags.map { f.contains($0) ? $0 : "" }.joined(separator: " ")
            }
            out += "\n"
        }
        return out + "\t}\n"
    }

    func flowtable(_ f: Flowtable) -> String {
        var out = "\tflowtable " + SafeText.name(f.name) + " {" + handle(f.handle) + "\n"
        if let prio = f.prio {
            out +=
                "\t\thook " + (f.hook ?? "ingress") + " priority "
                + ChainPriority.text(prio, family: "netdev", hook: f.hook) + "\n"
        }
        if let devs = f.dev?.values, !devs.isEmpty {
            out += "\t\tdevices = { " + devs.map(ValueFormat.quote).joined(separator: ", ") + " }\n"
        }
        let flags = f.flags?.values ?? []
        if flags.contains("offload") { out += "\t\tflags offload\n" }
        if flags.contains("counter") { out += "\t\tcounter\n" }
        return out + "\t}\n"
    }

    /// nft's `get_rate`: the largest of bytes/kbytes/mbytes that divides the amount.
    static func byteAmount(_ bytes: UInt64) -> String {
        var n = bytes
        for unit in ["bytes", "kbytes"] {
            if n % 1024 != 0 || n == 0 { return "\(n) \(unit)" }
            n /= 1024
        }
        return "\(n) mbytes"
    }
}
