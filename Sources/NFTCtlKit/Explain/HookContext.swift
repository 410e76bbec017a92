import NFTAnalysis

/// What a family, hook, chain type and policy mean, and where a base chain runs relative
/// to the other base chains on its hook.
enum HookContext {
    static func familyMeaning(_ family: String) -> String {
        switch family {
        case "ip": return "IPv4 packets only"
        case "ip6": return "IPv6 packets only"
        case "inet": return "IPv4 and IPv6 packets"
        case "arp": return "ARP packets"
        case "bridge": return "Ethernet frames crossing a Linux bridge"
        case "netdev": return "every packet of the chains' devices, at the driver (ingress) or just before it (egress)"
        default: return "packets of family \(family)"
        }
    }

    static func hookMeaning(family: String, hook: String, devices: [String]) -> String {
        let on = devices.isEmpty ? "" : " on " + devices.joined(separator: ", ")
        switch (family, hook) {
        case ("arp", "input"): return "ARP packets received by this host"
        case ("arp", "output"): return "ARP packets this host sends"
        case ("bridge", "prerouting"): return "frames entering a bridge port, before the bridge decides where they go"
        case ("bridge", "input"): return "frames addressed to the host itself through the bridge"
        case ("bridge", "forward"): return "frames bridged from one port to another"
        case ("bridge", "output"): return "frames the host sends through the bridge"
        case ("bridge", "postrouting"): return "every frame leaving a bridge port"
        case (_, "ingress"): return "every packet received\(on), right after the driver, before prerouting"
        case (_, "egress"): return "every packet sent\(on), just before the driver"
        case (_, "prerouting"): return "every incoming packet, before the routing decision (forwarded and local traffic alike)"
        case (_, "input"): return "packets addressed to this host (after routing)"
        case (_, "forward"): return "packets routed through this host to another one"
        case (_, "output"): return "packets generated locally by this host's processes"
        case (_, "postrouting"): return "every outgoing packet after routing, forwarded or local, just before it leaves"
        default: return "the \(hook) hook"
        }
    }

    static func typeMeaning(_ type: String) -> String {
        switch type {
        case "filter": return "filter: rules may accept, drop or change packets"
        case "nat": return "nat: sees only the first packet of each connection; the translation it picks applies to the whole connection"
        case "route": return "route: when a rule changes the mark or addresses of a locally generated packet, the packet is routed again"
        default: return type
        }
    }

    static func policyMeaning(_ policy: String) -> String {
        policy == "drop"
            ? "a packet that reaches the end of this chain without a verdict is dropped"
            : "a packet that reaches the end of this chain without a verdict is accepted by this chain"
    }

    /// The packet path a family's chains sit on: ip, ip6 and inet share the IP hooks.
    static func path(_ family: String) -> String {
        ["ip", "ip6", "inet"].contains(family) ? "inet" : family
    }

    /// Whether base chains of two families on the same hook see the same packets.
    static func overlap(_ a: String, _ b: String, hook: String) -> Bool {
        if a == b { return true }
        if hook == "ingress" && Set([a, b]).isSubset(of: ["netdev", "inet", "ip", "ip6"]) {
            return !(Set([a, b]) == ["ip", "ip6"])
        }
        let ip: Set = ["ip", "ip6", "inet"]
        guard ip.contains(a), ip.contains(b) else { return false }
        return a == "inet" || b == "inet"
    }

    static func peer(_ c: Chain, isSelf: Bool) -> HookPeer {
        let prio = c.prio ?? 0
        return HookPeer(
            family: c.family, table: c.table, chain: c.name, type: c.type ?? "filter", priority: prio,
            priorityName: ChainPriority.text(prio, family: c.family, hook: c.hook), policy: c.policy ?? "accept",
            isSelf: isSelf)
    }

    /// Base chains of the whole state that see the packets `chain` sees on its hook, in order.
    /// Ingress and egress hooks are per device: chains of other devices see other packets.
    static func order(of chain: Chain, in state: RulesetState) -> [HookPeer] {
        var out: [HookPeer] = []
        let devices = Set(chain.dev?.values ?? [])
        for t in state.tables {
            for c in t.chains where c.value.hook == chain.hook && overlap(c.value.family, chain.family, hook: chain.hook ?? "") {
                let theirs = Set(c.value.dev?.values ?? [])
                if !devices.isEmpty, !theirs.isEmpty, devices.isDisjoint(with: theirs) { continue }
                let me = c.value.family == chain.family && c.value.table == chain.table && c.value.name == chain.name
                out.append(peer(c.value, isSelf: me))
            }
        }
        return sorted(out, path: path(chain.family), hook: chain.hook)
    }

    /// In the order the kernel runs them: on the IP hooks `Hook.runOrder` (the order trace
    /// follows: nat chains at the NAT core's priority); elsewhere lowest priority first.
    /// Ties keep declaration order (the kernel's order is then not guaranteed).
    static func sorted(_ peers: [HookPeer], path: String, hook: String?) -> [HookPeer] {
        let h = hook.flatMap(Hook.init(rawValue:)) ?? .forward
        return h.runOrder(peers, type: { path == "inet" ? $0.type : nil }, prio: \.priority)
    }

    /// Where the chain runs relative to netfilter's own stages on its hook (IPv4/IPv6):
    /// defragmentation, connection tracking, NAT.
    static func landmarkNote(for chain: Chain) -> String? {
        guard path(chain.family) == "inet", let hook = chain.hook.flatMap(Hook.init(rawValue:)) else { return nil }
        let prio = chain.prio ?? 0
        if chain.type == "nat" {
            let core = hook.runPriority(type: "nat", prio: prio)
            return
                "As a nat chain it runs from the NAT core at priority \(ChainPriority.text(core, family: chain.family, hook: chain.hook)) "
                + "(\(core)), after connection tracking; its own priority \(prio) orders it only among nat chains on this hook."
        }
        let marks = hook.landmarks
        guard !marks.isEmpty else { return nil }
        let before = marks.filter { $0.priority < prio }.map { "\($0.what) (\($0.priority))" }
        let after = marks.filter { $0.priority > prio }.map {
            "\($0.what) (\($0.priority == Int64(Int32.max) ? "last" : String($0.priority)))"
        }
        let same = marks.filter { $0.priority == prio }.map(\.what)
        var parts: [String] = []
        if !before.isEmpty { parts.append("after " + before.joined(separator: ", ")) }
        if !same.isEmpty { parts.append("at the same priority as " + same.joined(separator: ", ") + " (their order is not guaranteed)") }
        if !after.isEmpty { parts.append("before " + after.joined(separator: ", ")) }
        var note = "At priority \(prio) on the \(hook.rawValue) hook this chain runs " + parts.joined(separator: "; ") + "."
        if hook == .prerouting || hook == .output {
            note +=
                prio < -200
                ? " Packets here are not yet tracked: ct zone set and notrack take effect, but ct state has nothing to match yet."
                : prio > -200
                    ? " Packets here are already tracked: setting ct zone or notrack here has no effect on this packet's connection." : ""
        }
        return note
    }

    /// Every hook with base chains, per packet path, for the mermaid diagram. Ingress and
    /// egress hooks are one per device (`order(of:in:)`): a chain of several devices is on
    /// each of their hooks, and one that names none on every device's.
    static func hooks(in state: RulesetState) -> [HookOrder] {
        struct Key: Hashable {
            var path: String, hook: String, device: String?
        }
        let perDevice: Set<String> = ["ingress", "egress"]
        var named: [String: [String]] = [:]  // path and hook: the devices named there, in order
        for t in state.tables {
            for c in t.chains {
                guard let hook = c.value.hook, perDevice.contains(hook) else { continue }
                let at = path(c.value.family) + " " + hook
                for d in c.value.dev?.values ?? [] where !(named[at] ?? []).contains(d) { named[at, default: []].append(d) }
            }
        }
        var groups: [Key: [HookPeer]] = [:], keys: [Key] = []
        for t in state.tables {
            for c in t.chains {
                guard let hook = c.value.hook else { continue }
                let own = perDevice.contains(hook) ? c.value.dev?.values ?? [] : []
                let devices = own.isEmpty && perDevice.contains(hook) ? named[path(c.value.family) + " " + hook] ?? [] : own
                for device in devices.isEmpty ? [nil] : devices.map(Optional.some) {
                    let key = Key(path: path(c.value.family), hook: hook, device: device)
                    if groups[key] == nil { keys.append(key) }
                    groups[key, default: []].append(peer(c.value, isSelf: false))
                }
            }
        }
        return keys.map { key -> HookOrder in
            HookOrder(
                path: key.path, hook: key.hook, device: key.device,
                chains: sorted(groups[key] ?? [], path: key.path, hook: key.hook))
        }.sorted {
            ($0.path, Hook(rawValue: $0.hook)?.packetOrder ?? 99, $0.device ?? "")
                < ($1.path, Hook(rawValue: $1.hook)?.packetOrder ?? 99, $1.device ?? "")
        }
    }

    /// Sentences about what accept and the end of the chain mean for this base chain.
    static func notes(for chain: Chain, order: [HookPeer]) -> [String] {
        let others = order.filter { !$0.isSelf }
        let hook = chain.hook ?? "?"
        var notes: [String] = []
        if let me = order.firstIndex(where: \.isSelf) {
            // Chains the kernel runs at the same priority run in an order it does not define:
            // they are neither before nor after this one. On the IP hooks a nat chain runs at
            // the NAT core's priority, and among nat chains by its own.
            let runHook = chain.hook.flatMap(Hook.init(rawValue:))
            let ip = path(chain.family) == "inet"
            func tied(_ a: HookPeer, _ b: HookPeer) -> Bool {
                guard ip, let h = runHook else { return a.priority == b.priority }
                guard h.runPriority(type: a.type, prio: a.priority) == h.runPriority(type: b.type, prio: b.priority)
                else { return false }
                return a.type != "nat" || b.type != "nat" || a.priority == b.priority
            }
            let ties = others.filter { tied($0, order[me]) }
            let later = order[(me + 1)...].filter { !$0.isSelf && !tied($0, order[me]) }
            let earlier = order[..<me].filter { !tied($0, order[me]) }
            if !earlier.isEmpty {
                notes.append(
                    "Before this chain, the packet has already passed "
                        + earlier.map { "\($0.label) (priority \($0.priorityName))" }.joined(separator: ", ") + " on the \(hook) hook.")
            }
            if later.isEmpty && ties.isEmpty {
                notes.append(
                    "accept here ends the packet's evaluation on the \(hook) hook: no later base chain on this hook in this ruleset (other hooks still see it); drop is final everywhere."
                )
            } else if later.isEmpty {
                notes.append(
                    "accept here ends evaluation only for this chain: no base chain on the \(hook) hook runs after it for certain, but "
                        + ties.map(\.label).joined(separator: ", ")
                        + " at the same priority may, and can drop the packet; drop is final everywhere."
                )
            } else {
                notes.append(
                    "accept here ends evaluation only for this chain: "
                        + later.map { "\($0.label) (priority \($0.priorityName))" }.joined(separator: ", ")
                        + " still see\(later.count == 1 ? "s" : "") the packet afterwards on the \(hook) hook and can drop it; drop is final everywhere."
                )
            }
            if !ties.isEmpty {
                notes.append(
                    "Same priority as " + ties.map(\.label).joined(separator: ", ")
                        + ": the kernel does not define which of them runs first, so the packet may reach \(ties.count == 1 ? "it" : "them") before or after this chain."
                )
            }
        }
        if let landmark = landmarkNote(for: chain) { notes.append(landmark) }
        notes.append("return, or the end of this chain, applies the policy \(chain.policy ?? "accept").")
        return notes
    }
}
