import NFTAnalysis

/// What one rule did to the packet.
enum RuleOutcome {
    /// Not matched, or matched without a verdict: on to the next rule.
    case next
    case verdict(Verdict)
    case final(ChainOutcome)
    case undetermined(String)
}

extension TraceRun {
    /// Evaluates a rule's statements in order, as the kernel does: a failing match stops
    /// the rule; statements act when reached. Records one step.
    func runRule(_ rule: Located<Rule>, table: TableContents, chain: String, index: Int) -> RuleOutcome {
        var done: [String] = []
        var pending: String?
        var pendingEffect = false
        func step(_ r: TraceStep.Result, _ last: String?) {
            var d = done
            if let last { d.append(last) }
            record(table, chain, rule, index: index, r, d.joined(separator: "; "))
        }
        for st in rule.value.statements {
            if pending != nil {
                // Something could not be evaluated: only a later definite mismatch decides.
                if case .match(let l, let op, let r) = st, case (.value(false), let why) = match(l, op, r, table: table) {
                    step(.noMatch, "\(why) (so the rule does not match whatever \(pending!))")
                    return .next
                }
                if st.changesOutcome { pendingEffect = true }
                continue
            }
            switch st {
            case .match(let l, let op, let r):
                let (k, why) = match(l, op, r, table: table)
                switch k {
                case .value(true): done.append(why)
                case .value(false), .absent:
                    step(.noMatch, why)
                    return .next
                case .unknown: pending = why
                }
            case .verdict(let v):
                step(.matched, verdictText(v))
                return .verdict(v)
            case .vmap(let key, let data):
                let (k, why) = mapLookup(key: key, data: data, table: table)
                switch k {
                case .value(nil), .absent:
                    step(.noMatch, why)
                    return .next
                case .value(.verdict(let v)?):
                    step(.matched, "\(why): \(verdictText(v))")
                    return .verdict(v)
                case .value(let other?):
                    pending = "verdict map value \(other.nftText()) is not a verdict"; pendingEffect = true
                case .unknown:
                    pending = why; pendingEffect = true
                }
            case .reject:
                step(.matched, "\(st.nftText()): the packet is dropped and an error sent back")
                return .final(.reject)
            case .queue:
                step(.matched, "\(st.nftText()): the packet goes to a userspace program, which decides")
                return .final(.queue)
            case .counter, .namedCounter: done.append("counted")
            case .log: done.append("logged")
            case .last, .reset, .ctHelper, .ctTimeout, .ctExpectation, .secmark, .dup, .fwd, .flow:
                done.append("\(st.nftText()) (does not change the verdict)")
            case .limit(let l):
                if !assumeRate("limit \(l.rate)/\(l.per ?? "second")", over: l.inv == true, &done) {
                    step(.noMatch, nil); return .next
                }
            case .namedLimit(let e):
                if !assumeRate("limit \(e.nftText())", over: false, &done) { step(.noMatch, nil); return .next }
            case .quota(let q):
                if !assumeRate("quota \(q.val) \(q.valUnit ?? "bytes")", over: q.inv == true, &done) {
                    step(.noMatch, nil); return .next
                }
            case .namedQuota(let e):
                if !assumeRate("quota \(e.nftText())", over: false, &done) { step(.noMatch, nil); return .next }
            case .meter(_, _, let inner, _):
                if case .limit(let l) = inner {
                    if !assumeRate("meter limit \(l.rate)/\(l.per ?? "second")", over: l.inv == true, &done) {
                        step(.noMatch, nil); return .next
                    }
                } else {
                    done.append("\(st.nftText()) (per-key state is not modelled)")
                }
            case .set, .map:
                done.append("\(st.nftText()) (set contents added at run time are not modelled)")
            case .notrack:
                packet.state = .untracked
                done.append("notrack: the packet is not tracked, later `ct state` reads untracked")
            case .mangle(let key, let value):
                switch mangle(key, value, table: table) {
                case .value(let what): done.append(what)
                case .absent(let why): step(.noMatch, why); return .next
                case .unknown(let why): pending = why; pendingEffect = true
                }
            case .nat(let n):
                switch nat(n, table: table) {
                case .value(let what?):
                    step(.matched, "\(what); a nat statement ends the nat chain (accept)")
                    return .verdict(.accept)
                case .value(nil): done.append("\(st.nftText()) does not apply to an IPv\(packet.spec.version) packet")
                case .absent(let why):
                    step(.noMatch, why); return .next
                case .unknown(let why):
                    pending = why; pendingEffect = true
                }
            default:
                pending = "\(st.nftText()) cannot be evaluated offline"
                pendingEffect = true
            }
        }
        if let pending {
            if pendingEffect {
                step(.undetermined, pending)
                return .undetermined(pending)
            }
            step(.undetermined, "\(pending) (the rule only counts or logs: the verdict does not depend on it)")
            return .next
        }
        step(.matched, done.isEmpty ? "no condition: matches every packet" : nil)
        return .next
    }

    func verdictText(_ v: Verdict) -> String {
        switch v {
        case .accept: return "accept: this base chain lets the packet through (later base chains still see it)"
        case .drop: return "drop"
        case .continue: return "continue"
        case .return: return "return"
        case .jump(let t): return "jump \(t)"
        case .goto(let t): return "goto \(t)"
        }
    }

    /// `limit`/`quota`: taken to be within bounds, recorded as an assumption. Returns
    /// whether the statement matches under that assumption.
    func assumeRate(_ what: String, over: Bool, _ done: inout [String]) -> Bool {
        let a =
            over
            ? "\(what) over: depends on the traffic rate; taken as not exceeded, so it does not match"
            : "\(what): depends on the traffic rate; taken as within its rate, so it matches"
        assumptions.append(a)
        done.append(a)
        return !over
    }

    /// `meta mark set`, `ct mark set`; anything else makes later matches on that field
    /// undetermined.
    func mangle(_ key: Expression, _ value: Expression, table: TableContents) -> Known<String> {
        var n = Literal.number(value, kind: .integer)
        if case .map(let k, let d) = value {
            // A map miss ends the rule, as in the kernel.
            let (r, why) = mapLookup(key: k, data: d, table: table)
            switch r {
            case .value(let v?): n = Literal.number(v, kind: .integer)
            case .value(nil), .absent: return .absent(why)
            case .unknown(let u): return .unknown(u)
            }
        } else if n == nil, case .value(let f) = evalFields(value), f.count == 1, f[0].kind != .ifname {
            n = f[0].number
        }
        switch (key, n) {
        case (.meta("mark"), let v?):
            packet.mark = v
            return .value("meta mark set to \(v)")
        case (.ct("mark", _, _), let v?):
            packet.ctMark = v
            return .value("ct mark set to \(v)")
        default:
            packet.clobbered[key.nftText()] = "\(key.nftText()) was set by an earlier rule to a value the evaluator does not follow"
            return .value("\(key.nftText()) set (not followed: later matches on it cannot be evaluated)")
        }
    }
}

extension Statement {
    /// Whether reaching this statement can change the verdict or what later rules see.
    var changesOutcome: Bool {
        switch self {
        case .counter, .namedCounter, .log, .limit, .namedLimit, .quota, .namedQuota, .last, .reset, .set, .map,
            .dup, .meter, .ctHelper, .ctTimeout, .ctExpectation, .secmark, .flow:
            return false
        case .match: return false
        default: return true
        }
    }
}
