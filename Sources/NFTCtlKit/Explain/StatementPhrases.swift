import NFTAnalysis

/// Statements in words: each is a condition the packet must meet (matches, rate limits,
/// quotas, connection counts) or something done to it.
extension Phraser {
    /// `perKey`: the statement runs for one element of a set or meter (`ct count` then
    /// counts per key; on its own it counts every connection the rule has seen).
    func statement(_ s: Statement, perKey: Bool = false) -> (kind: RuleExplanation.Step.Kind, text: String) {
        switch s {
        case .match(let l, let op, let r): return (.condition, match(l, op, r))
        case .verdict(let v): return (.action, verdict(v))
        case .counter(let p, let b):
            var t = "count the packet and its bytes"
            if let p, let b { t += " (so far \(p) packets, \(b) bytes)" }
            return (.action, t)
        case .namedCounter(let e): return (.action, "count the packet and its bytes in " + objectReference(e, kind: .counter))
        case .quota(let q): return (.condition, quota(q))
        case .namedQuota(let e):
            return (.condition, "the byte budget of " + objectReference(e, kind: .quota) + " allows the packet")
        case .limit(let l): return (.condition, limit(l))
        case .namedLimit(let e):
            return (.condition, "the traffic rate here is allowed by " + objectReference(e, kind: .limit))
        case .ctCount(let val, let inv):
            let scope =
                perKey
                ? "for this key"
                : "by this rule, all together (not per address: to count per source, put it in a set update keyed by ip saddr)"
            return (
                .condition,
                inv == true
                    ? "more than \(val) connections are already tracked \(scope) (ct count over \(val); the count includes this one)"
                    : "at most \(val) connections are tracked \(scope) (ct count \(val); the count includes this one)"
            )
        case .mangle(let key, let value): return (.action, mangle(key, value))
        case .notrack:
            return (.action, "exempt the packet from connection tracking (its ct state becomes untracked, and it cannot be NATed)")
        case .nat(let n): return (.action, nat(n))
        case .tproxy(let family, let addr, let port): return (.action, tproxy(family, addr, port))
        case .reject(let type, let code): return (.action, reject(type, code))
        case .dup(let addr, let dev): return (.action, dup(addr, dev))
        case .fwd(let dev, let family, let addr): return (.action, fwd(dev, family, addr))
        case .queue(let num, let flags): return (.action, queue(num, flags?.values ?? []))
        case .log(let l): return (.action, log(l))
        case .set(let u): return setUpdate(op: u.op, elem: u.elem, data: nil, name: u.set, stmts: u.stmt ?? [])
        case .map(let u): return setUpdate(op: u.op, elem: u.elem, data: u.data, name: u.map, stmts: u.stmt ?? [])
        case .meter(let name, let key, let stmt, let size):
            let inner = statement(stmt, perKey: true)
            let cap = size.map { ", at most \($0) keys" } ?? ""
            return (
                inner.kind,
                "keep a separate state for each value of \(subject(key)) in the meter \(name) (a dynamic set\(cap)); for this packet's key: \(inner.text)"
            )
        case .vmap(let key, let data): return (.action, vmap(key, data))
        case .ctHelper(let e):
            return (
                .action,
                "attach " + objectReference(e, kind: .ctHelper)
                    + " to the connection (a protocol helper that follows it; set on its first packet)"
            )
        case .ctTimeout(let e): return (.action, "apply the timeouts of " + objectReference(e, kind: .ctTimeout) + " to the connection")
        case .ctExpectation(let e):
            return (
                .action,
                "create the expectation described by " + objectReference(e, kind: .ctExpectation)
                    + ": a related connection the kernel will recognise"
            )
        case .synproxy(let p): return (.action, synproxy(p))
        case .namedSynproxy(let e):
            return (
                .action,
                "answer the TCP handshake with a SYN proxy (SYN cookies) using the settings of " + objectReference(e, kind: .synproxy)
            )
        case .secmark(let e):
            return (.action, "set the packet's SELinux security mark from " + objectReference(e, kind: .secmark))
        case .reset(let e):
            return (
                .action,
                "remove \(subject(e)) from the packet (its bytes are overwritten with NOP options, so the packet length is unchanged)"
            )
        case .xt(let type, let name):
            return (.action, "run the iptables \(type) extension \"\(name)\" (added by iptables-nft; nft does not show its parameters)")
        case .flow(let op, let flowtable):
            let verb = op == "add" ? "offload" : gap("flow operation \(op)", "apply `\(op)` to")
            return (
                .action,
                "\(verb) the connection to the flowtable \(flowtable): its later packets take a fast path that skips the forward and postrouting hooks"
            )
        case .last(let used):
            let when = used.map { "; last matched \(Self.millis($0)) ago" } ?? "; never matched yet"
            return (.action, "remember when this rule last matched" + when)
        case .text(let t): return textStatement(t)
        case .raw(let j): return (.action, gap("statement \(j.serialized())", "the statement \(j.serialized())"))
        }
    }

    static func millis(_ ms: Int64) -> String {
        TimeSpan(milliseconds: ms).description
    }

    // MARK: changing the packet

    func mangle(_ key: Expression, _ value: Expression) -> String {
        let v = with(context: key) { self.value(value) }
        switch key {
        case .payload, .exthdr, .tcpOption, .ipOption, .sctpChunk:
            return "rewrite \(subject(key)) in the packet to \(v) (checksums are updated)"
        case .meta("nftrace"):
            return value.numberValue == 0
                ? "turn off tracing for the packet" : "turn on tracing for the packet (`nft monitor trace` shows every rule it meets)"
        case .ct("label", _, _): return "add the label \(v) to the connection labels"
        case .ct("zone", _, _): return "put the packet's connection in conntrack zone \(v) (before it is tracked)"
        case .ct("event", _, _): return "report only these conntrack events for the connection: \(v)"
        default: return "set \(subject(key)) to \(v)"
        }
    }

    // MARK: verdicts

    func verdict(_ v: Verdict) -> String {
        edge(v)
        switch v {
        case .accept:
            return
                "accept: stop evaluating this chain (and any chain that jumped here); the packet passes this base chain, but later base chains on the same hook still see it"
        case .drop: return "drop the packet: it is discarded at once, and no later rule or chain sees it"
        case .continue: return "continue with the next rule"
        case .return:
            return "return: leave this chain and continue after the rule that jumped here (in a base chain, the chain's policy decides)"
        case .jump(let t):
            return "jump to chain \(t); if \(t) ends without a final verdict, continue with the next rule here"
        case .goto(let t):
            return
                "go to chain \(t) without coming back: if \(t) ends without a final verdict, evaluation resumes after the rule that called this chain (in a base chain, its policy decides)"
        }
    }

    func vmap(_ key: Expression, _ data: Expression) -> String {
        let k = subject(key)
        var what: String
        switch data {
        case .set(let items, _):
            what = "the verdict map { " + with(context: key) { items.map(element) }.joined(separator: "; ") + " }"
        case .string(let ref) where SetReference(reference: ref) != nil:
            let name = SetReference(lenient: ref).name
            let entries = table?.set(name)?.value.elements ?? []
            what = "the verdict map @\(name)"
            if table?.set(name) == nil {
                what += " (not declared in this ruleset)"
            } else if entries.isEmpty {
                what += " (empty when loaded)"
            } else {
                what += " { " + with(context: key) { entries.map(element) }.joined(separator: "; ") + " }"
            }
        default:
            what = value(data)
        }
        return "look up \(k) in \(what) and take the verdict found; when there is no entry, continue with the next rule"
    }
}
