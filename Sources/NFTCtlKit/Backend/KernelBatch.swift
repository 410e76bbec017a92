import NFTAnalysis

#if canImport(Glibc)
import Glibc
#endif

/// nftctl's own commit of tables created whole (a new table, or `--replace`), when the
/// kernel's bytes of every rule are known (`KernelRuleBytes`): one netlink batch of its own,
/// one transaction, with no libnftables in between. libnftables parses, evaluates and
/// encodes each rule again, which at 10k rules is most of a commit; here each rule is the
/// bytes the kernel once held for it, as libnftables made them and listed them as the
/// rule's normal form. Tables and chains are encoded from the declaration.
///
/// What keeps it exact:
/// - The batch carries the generation id the plan was made at (`NFNL_BATCH_GENID`): the
///   kernel refuses it whole if anyone committed since.
/// - Each rule is sent with `NLM_F_ECHO`, and the batch's first message too: the kernel
///   answers with each rule as it now holds it and with the new generation id, which
///   verification checks against the known bytes before the declarations are listed
///   (`KernelRuleBytes`).
/// - Anything it does not encode (sets, maps, objects, flowtables, devices, table flags
///   other than dormant, a rule whose bytes are not known, a counter with preset values)
///   makes the batch go through libnftables as before. A batch the kernel refuses is
///   committed through libnftables after all, which says why in nft's terms.
public struct KernelBatch: Sendable {
    /// The messages between the batch's start and end, each `seq` its index.
    var messages: [UInt8] = []
    var count = 0
    /// The tables the batch creates, and how many rules.
    var tables: [TableKey] = []
    var rules = 0
    /// Where the last message starts.
    var last = 0
    /// For an error: what each message makes, and where it was declared (worded only when
    /// asked: ten thousand rules are not described for nothing).
    var made: [Made] = []

    enum Made: Sendable {
        case table(TableKey, SourceLocation?)
        case chain(TableKey, String, SourceLocation?)
        case rule(TableKey, Located<Rule>)
        case elements(TableKey, String, SourceLocation?)
    }

    /// What message `seq` makes, worded, and where it was declared.
    func what(_ seq: Int) -> (String, SourceLocation?) {
        guard seq < made.count else { return ("the batch", nil) }
        switch made[seq] {
        case .table(let key, let at): return ("table \(key)", at)
        case .chain(let key, let name, let at): return ("chain \(key) \(name)", at)
        case .rule(let key, let r): return ("a rule of chain \(key) \(r.value.chain)", r.location)
        case .elements(let key, let set, let at): return ("elements of set \(key) \(set)", at)
        }
    }

    /// What the kernel answered: the generation id after the commit, and the tables the batch
    /// created as the kernel now holds them (every rule; no sets, objects or flowtables).
    public struct Echo: Sendable {
        var generation: UInt32
        var contents: [TableKey: KernelTableContents]
        /// The rules the batch deleted, as the kernel held them then (counters included).
        var deleted: [KernelRule] = []
    }

    /// The batch that creates `tables` (each as written, cleared first when `clear` says so),
    /// or nil when one of them holds what it does not encode. A table's rule `i` is sent as
    /// the kernel bytes `desired.kernelRuleBytes[key][i]`.
    static func build(_ tables: [(table: TableContents, clear: Bool)], desired: DesiredState) -> KernelBatch? {
        var batch = KernelBatch()
        for (t, clear) in tables {
            let key = t.key
            guard let family = KernelTables.code(of: key.family), t.sets.isEmpty, t.objects.isEmpty, t.flowtables.isEmpty,
                let bytes = desired.tables.first(where: { $0.key == key }).flatMap({ KernelRuleBytes.known($0, in: desired) }),
                bytes.count == t.rules.count
            else { return nil }
            var m = Message(family: family)
            if clear {
                // As `TableReplacement.clear`: added, so that the delete cannot fail.
                guard m.table(key.name, flags: 0, comment: nil) else { return nil }
                batch.append(m, type: 0, flags: create, .table(key, t.table.location))
                m = Message(family: family)
                guard m.string(1, key.name) else { return nil }
                batch.append(m, type: 2, flags: 0, .table(key, t.table.location))  // NFT_MSG_DELTABLE
                m = Message(family: family)
            }
            var flags: UInt32 = 0
            for f in t.table.value.flags?.values ?? [] {
                guard f == "dormant" else { return nil }
                flags |= 1  // NFT_TABLE_F_DORMANT
            }
            guard m.table(key.name, flags: flags, comment: t.table.value.comment) else { return nil }
            batch.append(m, type: 0, flags: create, .table(key, t.table.location))  // NFT_MSG_NEWTABLE
            for c in t.chains {
                m = Message(family: family)
                guard m.chain(c.value) else { return nil }
                batch.append(m, type: 3, flags: create, .chain(key, c.value.name, c.location))  // NFT_MSG_NEWCHAIN
            }
            batch.messages.reserveCapacity(batch.messages.count + bytes.reduce(0) { $0 + $1.count + 64 })
            for (r, kernel) in zip(t.rules, bytes) {
                guard batch.appendRule(kernel, r, of: key, family: family, position: nil, flags: appendFlag) else { return nil }
            }
            batch.tables.append(key)
        }
        guard !batch.tables.isEmpty else { return nil }
        batch.finish()
        return batch
    }

    /// NFT_MSG_NEWRULE of `rule` as the kernel `bytes`, echoed, at `position` (with
    /// `appendFlag`: after that rule, or at the chain's end without one; else before it);
    /// false for a rule the own batch does not send.
    private mutating func appendRule(
        _ bytes: [UInt8], _ rule: Located<Rule>, of key: TableKey, family: UInt8, position: Int64?, flags: UInt16
    ) -> Bool {
        guard !Self.presetCounter(rule.value), KernelRules.isRuleBytes(bytes) else { return false }
        var m = Message(family: family)
        guard m.string(1, key.name), m.string(2, rule.value.chain) else { return false }
        if let position { m.u64(6, UInt64(bitPattern: position)) }  // NFTA_RULE_POSITION
        m.bytes += bytes
        append(m, type: 6, flags: Self.create | flags | Self.echo, .rule(key, rule))
        rules += 1
        return true
    }

    /// The last message is acknowledged: after the commit's notifications, the kernel's last
    /// word on a batch it took. The first is echoed: the kernel sends the new generation id
    /// to the sender of a batch whose first message asks for an echo (`nf_tables_gen_notify`
    /// reads the header after the batch's start).
    private mutating func finish() {
        messages[last + 6] |= UInt8(Self.ack)
        messages[6] |= UInt8(Self.echo)
    }

    /// Where `patch` puts its new rules in their chain.
    enum Position: Sendable, Equatable {
        /// Right after the rule with this handle.
        case after(Int64)
        /// Right before it.
        case before(Int64)
    }

    /// The batch that changes one chain of a table that exists (`EntryPatch`): the rules of
    /// handles `deletes` go, and `adds` (each rule's kernel bytes) come in at `position`, in
    /// their order. Every message is echoed: the deleted rules with their counters, the new
    /// ones with their handles. Nil when a rule is not what the own batch encodes.
    static func patch(
        table key: TableKey, chain: String, deletes: [(handle: Int64, rule: Located<Rule>)],
        adds: [(bytes: [UInt8], rule: Located<Rule>)], position: Position
    ) -> KernelBatch? {
        guard let family = KernelTables.code(of: key.family), !(deletes.isEmpty && adds.isEmpty) else { return nil }
        var batch = KernelBatch()
        for d in deletes {
            var m = Message(family: family)
            guard m.string(1, key.name), m.string(2, chain) else { return nil }
            m.u64(3, UInt64(bitPattern: d.handle))  // NFTA_RULE_HANDLE
            batch.append(m, type: 8, flags: echo, .rule(key, d.rule))  // NFT_MSG_DELRULE
        }
        // After a rule: each new one right after it, so the last goes first. Before one: in order.
        let order: [(bytes: [UInt8], rule: Located<Rule>)]
        let anchor: Int64, flags: UInt16
        switch position {
        case .after(let h): (order, anchor, flags) = (adds.reversed(), h, appendFlag)
        case .before(let h): (order, anchor, flags) = (adds, h, 0)
        }
        for a in order {
            guard a.rule.value.chain == chain, batch.appendRule(a.bytes, a.rule, of: key, family: family, position: anchor, flags: flags)
            else { return nil }
        }
        batch.tables = [key]
        batch.finish()
        return batch
    }

    /// This batch with its messages `cut` (one chain's rules, side by side) taken out and
    /// the rules `adds` put in their place, each appended to its chain: the batch of a file
    /// that differs from this one's only there (`PatchedReplay`). Every other message keeps
    /// its bytes but for its number and acknowledgement. Nil when a new rule is not what the
    /// own batch sends.
    func exchanging(_ cut: Range<Int>, with adds: [(bytes: [UInt8], rule: Located<Rule>)], of key: TableKey) -> KernelBatch? {
        guard let family = KernelTables.code(of: key.family), cut.upperBound <= count else { return nil }
        var out = KernelBatch()
        out.messages.reserveCapacity(messages.count + adds.reduce(0) { $0 + $1.bytes.count + 64 })
        var at = 0
        for seq in 0...count {
            if seq == cut.lowerBound {
                for a in adds {
                    guard out.appendRule(a.bytes, a.rule, of: key, family: family, position: nil, flags: Self.appendFlag) else {
                        return nil
                    }
                }
            }
            guard seq < count, at + 20 <= messages.count else { break }
            let length = Int(NetfilterNetlink.u32(messages[...], at))
            let end = min(at + ((length + 3) & ~3), messages.count)
            defer { at = end }
            guard length >= 20, at + length <= messages.count else { return nil }
            if cut.contains(seq) { continue }
            let start = out.messages.count
            out.last = start
            out.messages += messages[at..<end]
            withUnsafeBytes(of: UInt32(out.count)) { out.messages.replaceSubrange(start + 8..<start + 12, with: $0) }
            out.messages[start + 6] &= ~UInt8(Self.ack)
            if NetfilterNetlink.u16(messages[...], at + 4) == NetfilterNetlink.nftables(6) { out.rules += 1 }
            out.count += 1
        }
        guard at == messages.count, out.count == count - cut.count + adds.count else { return nil }
        out.made = []  // what the copied messages make is not known here: an error names the batch
        out.tables = tables
        out.finish()
        return out
    }

    /// A batch of element commands alone (a blocklist's addresses in and out), as
    /// NFT_MSG_NEWSETELEM and DELSETELEM of keys nftctl writes itself (`ElementKey`): before
    /// such a commit, libnftables fetches and decodes the elements of every set into its
    /// cache (50k addresses: most of the commit). Only plain sets of addresses or ports
    /// (`EchoedListing.countable`) and plain elements (no comment, timeout or statement);
    /// nil for anything else, which goes through libnftables. `sets`: the declarations the
    /// elements belong to (the last one of a name wins); `live`: the tables as the plan found
    /// them, whose rules may write to a set (the packet path's elements would make an
    /// exclusive add fail); `locations` per batch entry.
    static func elements(
        _ batch: Document, sets: [NamedSet], live: RulesetState, locations: [SourceLocation?]
    ) -> KernelBatch? {
        var out = KernelBatch()
        var types: [String: ElementKey.KeyType?] = [:]  // by table and set
        for (i, entry) in batch.entries.enumerated() {
            guard case .command(let c) = entry, case .element(let e) = c.item, c.verb == .add || c.verb == .delete,
                let family = KernelTables.code(of: e.family),
                let set = sets.last(where: { $0.family == e.family && $0.table == e.table && $0.name == e.name })
            else { return nil }
            let table = TableKey(family: e.family, name: e.table)
            let id = "\(e.family) \(e.table) \(e.name)"
            if types[id] == nil {
                types[id] = EchoedListing.countable(set, rules: (live.table(table)?.rules ?? []).lazy.map(\.value))
            }
            guard let type = types[id] ?? nil else { return nil }
            var keys: [[UInt8]] = []
            for x in TextBatch.elements(e.elem) {
                guard let key = ElementKey.plainBytes(x, type: type) else { return nil }  // a comment, a timeout, a statement
                keys.append(key)
            }
            let at = i < locations.count ? locations[i] : nil
            // Each message well under netlink's 64 KiB attribute length.
            for start in stride(from: 0, to: keys.count, by: 1024) {
                var m = Message(family: family)
                guard m.string(1, e.table), m.string(2, e.name) else { return nil }  // NFTA_SET_ELEM_LIST_TABLE, _SET
                var list: [UInt8] = []
                for k in keys[start..<min(start + 1024, keys.count)] {
                    var value = Message(family: family)
                    value.attribute(1, k)  // NFTA_DATA_VALUE
                    var element = Message(family: family)
                    element.attribute(1 | 0x8000, value.bytes)  // NFTA_SET_ELEM_KEY, nested
                    var item = Message(family: family)
                    item.attribute(1 | 0x8000, element.bytes)  // NFTA_LIST_ELEM, nested
                    list += item.bytes
                }
                m.attribute(3 | 0x8000, list)  // NFTA_SET_ELEM_LIST_ELEMENTS, nested
                // NFT_MSG_NEWSETELEM with NLM_F_EXCL (an element already there fails the
                // batch, where `add element` would take it), NFT_MSG_DELSETELEM (an element not
                // there fails it): a batch that went in added only keys the set lacked and
                // deleted only keys it held. With the generation id, and the listing at that
                // generation exact for the set (verified by nftctl, and the set changes only by
                // commits), that settles the set without a dump (`Verify.fromEcho`). A batch
                // refused so shows the listing was not exact: libnftables commits it, and the
                // kernel is listed (`ApplyOperation`).
                out.append(
                    m, type: c.verb == .add ? 12 : 14, flags: c.verb == .add ? create | exclusive : 0, .elements(table, e.name, at))
            }
        }
        guard out.count > 0 else { return nil }
        out.finish()
        return out
    }

    static let create: UInt16 = 0x400  // NLM_F_CREATE
    static let exclusive: UInt16 = 0x200  // NLM_F_EXCL
    static let appendFlag: UInt16 = 0x800  // NLM_F_APPEND
    static let echo: UInt16 = 0x8  // NLM_F_ECHO
    static let ack: UInt16 = 0x4  // NLM_F_ACK

    /// A counter declared with values to start from: its bytes (zeroed) would lose them.
    static func presetCounter(_ rule: Rule) -> Bool {
        rule.statements.contains {
            if case .counter(let p, let b) = $0 { return (p ?? 0) != 0 || (b ?? 0) != 0 }
            return false
        }
    }

    private mutating func append(_ m: Message, type: UInt16, flags: UInt16, _ made: Made) {
        last = messages.count
        NetfilterNetlink.header(
            into: &messages, length: 20 + m.bytes.count, type: NetfilterNetlink.nftables(type), flags: flags, seq: UInt32(count))
        messages += [m.family, 0, 0, 0]
        messages += m.bytes
        count += 1
        self.made.append(made)
    }

    typealias Message = NetfilterNetlink.Message
}

/// What nftctl's own batch encodes of tables and chains.
extension NetfilterNetlink.Message {
    /// libnftnl's user data holding a comment (type 0, its length, the string with its
    /// NUL), as tables and chains carry it; false for one longer than nft takes.
    mutating func comment(_ type: UInt16, _ s: String?) -> Bool {
        guard let s else { return true }
        let v = Array(s.utf8)
        guard v.count < 128, !v.contains(0) else { return false }
        attribute(type, [0, UInt8(v.count + 1)] + v + [0])
        return true
    }

    mutating func table(_ name: String, flags: UInt32, comment: String?) -> Bool {
        guard string(1, name) else { return false }  // NFTA_TABLE_NAME
        if flags != 0 { u32(2, flags) }  // NFTA_TABLE_FLAGS
        return self.comment(6, comment)  // NFTA_TABLE_USERDATA
    }

    mutating func chain(_ c: Chain) -> Bool {
        guard c.newname == nil, c.dev == nil, string(1, c.table), string(3, c.name) else { return false }  // TABLE, NAME
        if let hook = c.hook {
            guard let number = KernelBatch.hook(hook, family: c.family), let type = c.type, let prio = c.prio,
                let p = Int32(exactly: prio)
            else { return false }
            var nested = Self(family: family)
            nested.u32(1, number)  // NFTA_HOOK_HOOKNUM
            nested.u32(2, UInt32(bitPattern: p))  // NFTA_HOOK_PRIORITY
            attribute(4 | 0x8000, nested.bytes)  // NFTA_CHAIN_HOOK, nested
            switch c.policy {
            case nil: break
            case "accept": u32(5, 1)  // NFTA_CHAIN_POLICY: NF_ACCEPT
            case "drop": u32(5, 0)
            default: return false
            }
            guard string(7, type) else { return false }  // NFTA_CHAIN_TYPE
        } else if c.type != nil || c.prio != nil || c.policy != nil {
            return false
        }
        return comment(12, c.comment)  // NFTA_CHAIN_USERDATA
    }
}

extension KernelBatch {
    /// The kernel's number of hook `name` in `family` (NF_INET_*, NF_ARP_*, NF_NETDEV_*).
    static func hook(_ name: String, family: String) -> UInt32? {
        switch family {
        case "arp": return ["input": 0, "output": 1, "forward": 2][name]
        case "netdev": return ["ingress": 0, "egress": 1][name]
        case "inet": return ["prerouting": 0, "input": 1, "forward": 2, "output": 3, "postrouting": 4, "ingress": 5][name]
        default: return ["prerouting": 0, "input": 1, "forward": 2, "output": 3, "postrouting": 4][name]
        }
    }
}

extension KernelBatch {
    /// Why the kernel refused the batch (nothing of it was committed).
    struct Refusal: Error {
        var errno: Int32
        var what: String
        var location: SourceLocation?
        /// Someone committed since `generation` (`ERESTART`): the plan is stale.
        var stale: Bool { errno == ERESTART }
    }

    /// Commits the batch at `generation` in the calling thread's network namespace, and
    /// reads the kernel's answer. Throws `Refusal` when the kernel refused it; a
    /// `BackendError` when what happened cannot be read (then the caller asks the
    /// generation id). nil, with nothing sent, when the socket's buffers cannot be made
    /// large enough for the batch and its echo (without CAP_NET_ADMIN over the network
    /// namespace's owner, as in a user namespace): an echo lost for want of room would
    /// leave a commit nobody can vouch for.
    func send(generation: UInt32) throws -> Echo? {
        let fd = socket(AF_NETLINK, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), NetfilterNetlink.protocolNumber)
        guard fd >= 0 else { throw BackendError.system(operation: "open a netfilter netlink socket", errno: errno) }
        defer { NetfilterNetlink.closeLater(fd) }
        // The whole batch goes in one datagram, and every echo must fit in the receive
        // buffer until it is read (the kernel queues them all during the send): a rule's
        // echo is its bytes plus the table, chain, handle and position.
        var out: [UInt8] = []
        out.reserveCapacity(messages.count + 64)
        var begin = Message(family: 0)
        begin.u32(1, generation)  // NFNL_BATCH_GENID
        // NFNL_MSG_BATCH_BEGIN, res_id NFNL_SUBSYS_NFTABLES (big-endian).
        NetfilterNetlink.header(into: &out, length: 20 + begin.bytes.count, type: 0x10, flags: 0, seq: UInt32(count) + 1)
        out += [0, 0, 0, 10] + begin.bytes
        out += messages
        NetfilterNetlink.header(into: &out, length: 20, type: 0x11, flags: 0, seq: UInt32(count) + 2)  // NFNL_MSG_BATCH_END
        out += [0, 0, 0, 10]
        let needSend = out.count + (1 << 16), needReceive = 4 * messages.count + (4 << 20)
        guard needReceive < Int(Int32.max / 2), buffer(fd, SO_SNDBUFFORCE, SO_SNDBUF, needSend),
            buffer(fd, SO_RCVBUFFORCE, SO_RCVBUF, needReceive)
        else { return nil }
        let sent = out.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == out.count else { throw BackendError.system(operation: "send the batch", errno: errno) }

        // The kernel handles the batch inside the send: every answer is queued by now.
        var echo = Echo(generation: 0, contents: [:])
        for key in tables { echo.contents[key] = KernelTableContents() }
        var refusal: Refusal?
        var acknowledged = false
        var buffer = [UInt8](repeating: 0, count: 1 << 17)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK { break }
                throw BackendError.system(operation: "read the kernel's answer to the batch", errno: errno)
            }
            var offset = 0
            while offset + 16 <= n {
                let length = Int(NetfilterNetlink.u32(buffer[...], offset)), type = NetfilterNetlink.u16(buffer[...], offset + 4)
                guard length >= 16, offset + length <= n else {
                    throw BackendError.invalidResponse("truncated netlink message in the answer to the batch")
                }
                defer { offset += (length + 3) & ~3 }
                let body = buffer[offset + 16..<offset + length]
                switch type {
                case NetfilterNetlink.nlmsgError:
                    guard length >= 36 else { throw BackendError.invalidResponse("a short error in the answer to the batch") }
                    let code = Int32(bitPattern: NetfilterNetlink.u32(buffer[...], offset + 16))
                    let seq = Int(NetfilterNetlink.u32(buffer[...], offset + 16 + 4 + 8))  // the request's nlmsghdr
                    if code == 0 {
                        if seq == count - 1 { acknowledged = true }
                    } else if refusal == nil || -code == ERESTART {
                        let at = what(seq)
                        refusal = Refusal(errno: -code, what: at.0, location: at.1)
                    }
                case KernelRules.newRule:
                    guard let r = KernelRules.rule(body), let f = body.first, let family = KernelTables.families[f],
                        echo.contents[TableKey(family: family, name: r.table)] != nil
                    else { throw BackendError.invalidResponse("an echoed rule that cannot be read") }
                    echo.contents[TableKey(family: family, name: r.table)]!.rules.append(r)
                case KernelRules.deleteRule:
                    guard let r = KernelRules.rule(body) else {
                        throw BackendError.invalidResponse("an echoed rule deletion that cannot be read")
                    }
                    echo.deleted.append(r)
                case GenerationID.newGen:
                    if let g = try GenerationID.value(type, body) { echo.generation = g }
                default: break
                }
            }
        }
        if let refusal { throw refusal }
        let echoed = echo.contents.values.reduce(0) { $0 + $1.rules.count }
        guard acknowledged, echo.generation == generation &+ 1, echoed == rules else {
            throw BackendError.invalidResponse("the kernel's answer to the batch lacks the new generation id or a rule's echo")
        }
        return echo
    }

    /// Sets one of the socket's buffers to at least `bytes` (the kernel doubles what it is
    /// given); false when it cannot.
    private func buffer(_ fd: Int32, _ force: Int32, _ option: Int32, _ bytes: Int) -> Bool {
        var value = Int32(bytes)
        if setsockopt(fd, SOL_SOCKET, force, &value, socklen_t(MemoryLayout<Int32>.size)) != 0 {
            _ = setsockopt(fd, SOL_SOCKET, option, &value, socklen_t(MemoryLayout<Int32>.size))
        }
        var got: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, option, &got, &size) == 0 && Int(got) >= bytes
    }
}
