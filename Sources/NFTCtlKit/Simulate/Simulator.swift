import NFTAnalysis

/// Runs packets offline through a ruleset: every base chain the packet would traverse, in
/// hook order (see `HookPath`) and priority order across the ip/ip6/inet tables.
///
///     let sim = Simulator(state: input.state)
///     let trace = sim.trace(try PacketSpec.parse("tcp 198.51.100.7:40000 -> 203.0.113.10:443 state new"))
///
/// A match the description cannot decide is reported as such and makes the verdict
/// `undetermined` (unless the rule could not change the outcome: a counter or a log).
public struct Simulator: Sendable {
    public var state: RulesetState
    let rules: [TableKey: [String: [Located<Rule>]]]

    public init(state: RulesetState) {
        self.state = state
        var rules: [TableKey: [String: [Located<Rule>]]] = [:]
        for t in state.tables {
            var byChain: [String: [Located<Rule>]] = [:]
            for r in t.rules { byChain[r.value.chain, default: []].append(r) }
            rules[t.key] = byChain
        }
        self.rules = rules
    }

    public func trace(_ packet: PacketSpec) -> Trace {
        TraceRun(simulator: self, packet: packet).run()
    }
}

/// The outcome of one base chain.
enum ChainOutcome {
    case accept, drop, reject, queue
    case undetermined(String)
}

/// One trace in progress: the packet, where it is, and what was recorded so far.
final class TraceRun {
    let sim: Simulator
    var packet: SimPacket
    var hook: Hook = .prerouting
    var chainPriority: Int64 = 0
    var steps: [TraceStep] = []
    var assumptions: [String] = []
    var notes: [String] = []
    var undeterminedStep: Int?
    /// `hook/dst` or `hook/src` once a nat chain mapped the packet there.
    var natDone: Set<String> = []
    var decidedBy = ""
    var acceptedBy: [String] = []

    init(simulator: Simulator, packet: PacketSpec) {
        self.sim = simulator
        self.packet = SimPacket(packet)
    }

    func run() -> Trace {
        for t in sim.state.tables where !["ip", "ip6", "inet"].contains(t.key.family) && t.chains.contains(where: \.value.isBase) {
            notes.append("table \(t.key) was not evaluated: the trace covers the ip, ip6 and inet families")
        }
        for t in sim.state.tables where t.key.family == "inet" {
            for c in t.chains where c.value.hook == "ingress" {
                notes.append("chain \(t.key) \(c.value.name) (ingress, per device) was not evaluated")
            }
        }
        var hooks = HookPath.hooks(for: packet.spec)
        var verdict = TraceVerdict.accept
        var reason = ""
        var i = 0
        hookLoop: while i < hooks.count {
            hook = hooks[i]
            for (table, chain) in HookPath.baseChains(sim.state, hook: hook, version: packet.spec.version) {
                guard shouldRun(table, chain.value) else { continue }
                chainPriority = chain.value.prio ?? 0
                let outcome = runBaseChain(table, chain)
                switch outcome {
                case .accept:
                    acceptedBy.append(decidedBy)
                    continue
                case .drop: verdict = .drop
                case .reject: verdict = .reject
                case .queue: verdict = .queue
                case .undetermined(let why):
                    verdict = .undetermined
                    reason = why
                    break hookLoop
                }
                let verb = ["drop": "dropped", "reject": "rejected", "queue": "queued"][verdict.rawValue] ?? verdict.rawValue
                reason = "\(verb) by \(decidedBy)"
                break hookLoop
            }
            if hook == .prerouting, i + 1 < hooks.count, hooks[i + 1] == .input, packet.didDNAT,
                let d = packet.daddr, d != packet.spec.daddr, !d.isLoopback
            {
                assumptions.append("DNAT to \(d): taken to be another host's address, so the packet is forwarded")
                hooks = [.prerouting, .forward, .postrouting]
            }
            i += 1
        }
        if verdict == .accept {
            reason =
                steps.isEmpty
                ? "no base chain on the packet's way (\(hooks.map(\.rawValue).joined(separator: " -> "))): nothing stops it"
                : "accepted by " + acceptedBy.joined(separator: ", then ")
        }
        var seen = Set<String>()
        let uniqueAssumptions = assumptions.filter { seen.insert($0).inserted }
        return Trace(
            packet: packet.spec, verdict: verdict, reason: reason, steps: steps,
            assumptions: uniqueAssumptions, undeterminedStep: undeterminedStep,
            finalPacket: packet.summary == SimPacket(packet.spec).summary ? packet.spec.text : packet.summary,
            notes: notes)
    }

    /// nat chains see only the first packet of a connection, and only until one of them
    /// has mapped it on this hook.
    func shouldRun(_ table: TableContents, _ chain: Chain) -> Bool {
        guard chain.type == "nat" else { return true }
        let place = (hook: hook, table: "\(table.key)", chain: chain.name)
        func skip(_ why: String) -> Bool {
            steps.append(TraceStep(hook: place.hook, table: place.table, chain: place.chain, result: .skipped, detail: why))
            return false
        }
        switch packet.state {
        case .new?: break
        case nil:
            assumptions.append("no state given: nat chains are evaluated as for the first packet of a connection")
        case let s?:
            return skip("nat chains see only the first packet of a connection; this one is \(s.rawValue)")
        }
        let manip = hook == .prerouting || hook == .output ? "dst" : "src"
        if natDone.contains("\(hook.rawValue)/\(manip)") {
            return skip("an earlier nat chain on this hook already mapped the packet")
        }
        return true
    }

    func record(_ table: TableContents, _ chain: String, _ rule: Located<Rule>?, index: Int?, _ result: TraceStep.Result, _ detail: String)
    {
        steps.append(
            TraceStep(
                hook: hook, table: "\(table.key)", chain: chain, rule: index.map { $0 + 1 },
                text: rule?.value.nftText(), location: rule?.location, result: result, detail: detail))
    }

    func runBaseChain(_ table: TableContents, _ base: Located<Chain>) -> ChainOutcome {
        let c = base.value
        let prioName = ChainPriority.text(c.prio ?? 0, family: c.family, hook: c.hook)
        record(
            table, c.name, nil, index: nil, .enter,
            "type \(c.type ?? "filter") hook \(c.hook ?? "?") priority \(prioName), policy \(c.policy ?? "accept")")
        let byChain = sim.rules[table.key] ?? [:]
        var frames: [(chain: String, next: Int)] = []
        var current = c.name
        var index = 0
        func policy() -> ChainOutcome {
            let p = c.policy ?? "accept"
            record(table, c.name, nil, index: nil, .policy, "end of base chain \(c.name): policy \(p)")
            decidedBy = "policy \(p) of \(table.key) \(c.name) (\(hook.rawValue))"
            return p == "drop" ? .drop : .accept
        }
        while true {
            let rules = byChain[current] ?? []
            if index >= rules.count {
                if frames.isEmpty { return policy() }
                let f = frames.removeLast()
                record(table, current, nil, index: nil, .return, "end of chain \(current): back to \(f.chain)")
                current = f.chain; index = f.next
                continue
            }
            let rule = rules[index]
            let here = (chain: current, index: index)
            index += 1
            switch runRule(rule, table: table, chain: here.chain, index: here.index) {
            case .next: continue
            case .undetermined(let why):
                undeterminedStep = steps.count - 1
                return .undetermined("rule \(here.index + 1) of \(table.key) \(here.chain) (\(hook.rawValue)) cannot be evaluated: \(why)")
            case .final(let o):
                decidedBy = "rule \(here.index + 1) of \(table.key) \(here.chain) (\(hook.rawValue))"
                return o
            case .verdict(let v):
                let by = "rule \(here.index + 1) of \(table.key) \(here.chain) (\(hook.rawValue))"
                switch v {
                case .accept: decidedBy = by; return .accept
                case .drop: decidedBy = by; return .drop
                case .continue: continue
                case .return:
                    if frames.isEmpty { return policy() }
                    let f = frames.removeLast()
                    record(table, current, nil, index: nil, .return, "return: back to \(f.chain)")
                    current = f.chain; index = f.next
                case .jump(let target), .goto(let target):
                    guard table.chain(target) != nil else {
                        return .undetermined("\(by) jumps to chain \(target), which does not exist")
                    }
                    if case .jump = v {
                        guard frames.count < ChainRules.jumpStackSize else {
                            return .undetermined("\(by): jumps nest deeper than the kernel allows")
                        }
                        frames.append((current, index))
                    }
                    current = target; index = 0
                }
            }
        }
    }
}
