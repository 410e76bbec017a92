import NFTAnalysis

/// Values nft has no word for, and numbers outside what the kernel's attribute holds. nft
/// 1.0.6 takes many of them without a word: its parsers drop an unknown flag, read a word
/// they do not know as `none`, and cut a number to the attribute's width (`log group 70000`
/// becomes 4464, a set size of 2^32 none at all). The kernel would then hold something else
/// than the file says while reading back as libnftables' account of it, so these are refused
/// here, before anything is sent, with the file and line.
extension TableValidator {
    static let u8: ClosedRange<Int64> = 0...255
    static let u16: ClosedRange<Int64> = 0...65535
    static let u32: ClosedRange<Int64> = 0...Int64(UInt32.max)
    static let s32: ClosedRange<Int64> = Int64(Int32.min)...Int64(Int32.max)

    func checkValues() -> [Diagnostic] {
        var out: [Diagnostic] = []
        func range(_ what: String, _ v: Int64?, _ r: ClosedRange<Int64>, _ err: (String) -> Void) {
            if let v, !r.contains(v) { err("\(what) \(v) is out of range (\(r.lowerBound) to \(r.upperBound))") }
        }
        func known(_ what: String, _ values: [String]?, _ list: [String], _ err: (String) -> Void) {
            for v in values ?? [] where !list.contains(v) { err("unknown \(what) \(SafeText.quoted(v)) (\(list.joined(separator: ", ")))") }
        }
        func time(_ what: String, _ t: TimeSpan?, _ err: (String) -> Void, max: Int64 = .max) {
            if let t, t.milliseconds < 0 { err("\(what) \(t.milliseconds) ms is negative") }
            if let t, t.milliseconds > max { err("\(what) \(t.milliseconds) ms is out of range (0 to \(max) ms)") }
        }
        func elements(_ e: Expression, _ err: (String) -> Void) {
            e.forEach { sub in
                switch sub {
                case .elem(let el):
                    time("element timeout", el.timeout, err)
                    time("element expiry", el.expires, err)
                case .set(let list, _) where list.contains(.string("")):
                    err("an empty element")
                default: break
                }
            }
        }
        func statement(_ s: Statement, _ err: (String) -> Void) {
            switch s {
            case .nat(let n):
                known("\(n.kind.rawValue) flag", n.flags?.values, NAT.knownFlags, err)
                known("\(n.kind.rawValue) type flag", n.typeFlags?.values, NAT.knownTypeFlags, err)
                if case .string("")? = n.addr { err("\(n.kind.rawValue) to an empty address") }
            case .synproxy(let p?):
                synproxy(p.mss, p.wscale, p.flags, err)
            case .log(let l):
                range("log group", l.group, Self.u16, err)
                range("log snaplen", l.snaplen, Self.u32, err)
                range("log queue-threshold", l.queueThreshold, Self.u16, err)
            case .limit(let l):
                range("limit rate", l.rate, 0...Int64.max, err)
                range("limit burst", l.burst, Self.u32, err)
                known("limit rate unit", l.rateUnit.map { [$0] }, Limit.knownUnits, err)
                known("limit burst unit", l.burstUnit.map { [$0] }, Limit.knownUnits, err)
            case .ctCount(let val, _):
                range("ct count", val, Self.u32, err)
            case .fwd(let dev, _, _):
                if case .string("")? = dev { err("an empty device name") }
            case .dup(let addr, let dev):
                if case .string("")? = dev { err("an empty device name") }
                if case .string("")? = addr { err("dup to an empty address") }
            case .tproxy(_, .string("")?, _):
                err("tproxy to an empty address")
            case .mangle(.meta("priority"), .string(let p)):
                if !Self.isPriority(p) { err("meta priority \(SafeText.quoted(p)) is not none, root or MAJOR:MINOR (hex)") }
            default: break
            }
            s.forEachDirectExpression { elements($0, err) }
            s.forEachNestedStatement { statement($0, err) }
        }
        func synproxy(_ mss: Int64?, _ wscale: Int64?, _ flags: FlagList?, _ err: (String) -> Void) {
            range("synproxy mss", mss, Self.u16, err)
            range("synproxy wscale", wscale, Self.u8, err)
            known("synproxy flag", flags?.values, Synproxy.knownFlags, err)
        }

        // Flags nftctl's printers write only when known (`Table.knownFlags`, …): an unknown one
        // would vanish from the text sent.
        known("table flag", table.table.value.flags?.values, Table.knownFlags) {
            out.append(Diagnostic(.error, $0, object: "table \(tableName)", at: table.table.location))
        }
        for lf in table.flowtables {
            known("flowtable flag", lf.value.flags?.values, Flowtable.knownFlags) {
                out.append(Diagnostic(.error, $0, object: "flowtable \(tableName) \(lf.value.name)", at: lf.location))
            }
        }
        for lc in table.chains {
            range("priority", lc.value.prio, Self.s32) {
                out.append(Diagnostic(.error, $0, object: chainObject(lc.value), at: lc.location))
            }
        }
        for ls in table.sets {
            let s = ls.value
            func err(_ m: String) {
                out.append(Diagnostic(.error, m, object: "\(s.isMap ? "map" : "set") \(tableName) \(s.name)", at: ls.location))
            }
            range("size", s.size, Self.u32, err)
            time("timeout", s.timeout, err)
            time("gc-interval", s.gcInterval, err, max: Self.u32.upperBound)
            known("\(s.isMap ? "map" : "set") flag", s.flags?.values, NamedSet.knownFlags, err)
            known("\(s.isMap ? "map" : "set") policy", s.policy.map { [$0] }, NamedSet.knownPolicies, err)
            if let e = s.elem { elements(e, err) }
            if s.elements.contains(.string("")) { err("an empty element") }
            for st in s.stmt ?? [] { statement(st, err) }
        }
        for lo in table.objects {
            let o = lo.value
            func err(_ m: String) {
                out.append(Diagnostic(.error, m, object: "\(o.body.kind.rawValue) \(tableName) \(o.name)", at: lo.location))
            }
            switch o.body {
            case .synproxy(let mss, let wscale, let flags): synproxy(mss, wscale, flags, err)
            case .limit(let rate, _, let burst, let unit, _, let rateUnit, let burstUnit):
                range("rate", rate, 0...Int64.max, err)
                range("burst", burst, Self.u32, err)
                for u in [unit, rateUnit, burstUnit] { known("unit", u.map { [$0] }, Limit.knownUnits, err) }
            case .ctTimeout(_, _, let policy?):
                for (state, v) in policy {
                    switch v {
                    case .int(let n): range("timeout policy \(state)", n, Self.u32, err)
                    case .uint(let n) where n > UInt32.max: err("timeout policy \(state) \(n) is out of range (0 to \(UInt32.max))")
                    default: break
                    }
                }
            default: break
            }
        }
        for (i, lr) in table.rules.enumerated() {
            for s in lr.value.statements {
                statement(s) { out.append(Diagnostic(.error, $0, object: ruleObject(i), at: lr.location)) }
            }
        }
        return out
    }

    /// `meta priority`'s words: `none`, `root`, a hexadecimal `MAJOR:MINOR` class id, or the
    /// class id as one number (decimal or `0x` hexadecimal), as both of nft's parsers take it.
    static func isPriority(_ p: String) -> Bool {
        if p == "none" || p == "root" { return true }
        if UInt32(p) != nil { return true }
        if p.hasPrefix("0x"), p.count > 2 { return UInt32(p.dropFirst(2), radix: 16) != nil }
        let parts = p.split(separator: ":", omittingEmptySubsequences: false)
        return parts.count == 2 && parts.allSatisfy { !$0.isEmpty && $0.count <= 4 && $0.allSatisfy(\.isHexDigit) }
    }
}
