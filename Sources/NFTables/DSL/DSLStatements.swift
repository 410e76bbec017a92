// Statements: counter, limit, quota, log, notrack, dup, fwd, synproxy, secmark, ct count,
// flow offload, comments live on `rule(..., comment:)`.

/// An anonymous counter.
public let counter = RuleItem(.counter(packets: nil, bytes: nil))
/// A named counter object: `counter(sshCounter)`.
public func counter(_ object: ObjectDecl) -> RuleItem { RuleItem(.namedCounter(.string(object.name))) }
public func counter(named name: String) -> RuleItem { RuleItem(.namedCounter(.string(name))) }

public enum TimeUnit: String, Sendable { case second, minute, hour, day, week }
public enum ByteUnit: String, Sendable { case bytes, kbytes, mbytes }

/// `limit rate 10/minute burst 5 packets`; `limit(rate: 1, .mbytes, per: .second)` for bytes;
/// `over: true` matches what exceeds the rate.
public func limit(
    rate: Int, _ unit: ByteUnit? = nil, per: TimeUnit = .second, burst: Int? = nil,
    burstUnit: ByteUnit? = nil, over: Bool = false
) -> RuleItem {
    RuleItem(
        .limit(
            Limit(
                rate: Int64(rate), per: per.rawValue, rateUnit: unit?.rawValue, burst: burst.map(Int64.init),
                burstUnit: burst == nil ? nil : (burstUnit ?? unit)?.rawValue, inv: over ? true : nil)))
}
public func limit(_ object: ObjectDecl) -> RuleItem { RuleItem(.namedLimit(.string(object.name))) }
public func limit(named name: String) -> RuleItem { RuleItem(.namedLimit(.string(name))) }

/// `quota 500 mbytes`, `quota over 1 kbytes`.
public func quota(_ amount: Int, _ unit: ByteUnit = .bytes, over: Bool = false) -> RuleItem {
    RuleItem(.quota(Quota(val: Int64(amount), valUnit: unit.rawValue, inv: over ? true : nil)))
}
public func quota(_ object: ObjectDecl) -> RuleItem { RuleItem(.namedQuota(.string(object.name))) }
public func quota(named name: String) -> RuleItem { RuleItem(.namedQuota(.string(name))) }

public enum LogLevel: String, Sendable { case emerg, alert, crit, err, warn, notice, info, debug, audit }
public enum LogFlag: String, Sendable {
    case tcpSequence = "tcp sequence"
    case tcpOptions = "tcp options"
    case ipOptions = "ip options"
    case skuid, ether, all
}

/// `log` with the defaults.
public let log = RuleItem(.log(Log()))
/// `log prefix "dropped: " level info`, `log group 2`.
public func log(
    prefix: String? = nil, level: LogLevel? = nil, group: Int? = nil, snaplen: Int? = nil,
    queueThreshold: Int? = nil, flags: [LogFlag] = []
) -> RuleItem {
    RuleItem(
        .log(
            Log(
                prefix: prefix, group: group.map(Int64.init), snaplen: snaplen.map(Int64.init),
                queueThreshold: queueThreshold.map(Int64.init), level: level?.rawValue,
                flags: flags.isEmpty ? nil : FlagList(flags.map(\.rawValue)))))
}

public let notrack = RuleItem(.notrack)

/// `dup to 10.0.0.9 device "eth1"`.
public func dup(to addr: Addr? = nil, device: Name? = nil) -> RuleItem {
    RuleItem(.dup(addr: addr?.expression, dev: device?.expression))
}

/// `fwd to "eth1"` (netdev), or `fwd ip to 10.0.0.1 device "eth1"`.
public func fwd(to device: Name, family: Family? = nil, addr: Addr? = nil) -> RuleItem {
    RuleItem(.fwd(dev: device.expression, family: family?.rawValue, addr: addr?.expression))
}

public enum SynproxyFlag: String, Sendable {
    case timestamp
    case sackPerm = "sack-perm"
}
/// `synproxy` with the defaults.
public let synproxy = RuleItem(.synproxy(nil))
/// `synproxy mss 1460 wscale 7 timestamp sack-perm`.
public func synproxy(mss: Int? = nil, wscale: Int? = nil, flags: [SynproxyFlag] = []) -> RuleItem {
    RuleItem(
        .synproxy(
            Synproxy(
                mss: mss.map(Int64.init), wscale: wscale.map(Int64.init),
                flags: flags.isEmpty ? nil : FlagList(flags.map(\.rawValue)))))
}
public func synproxy(_ object: ObjectDecl) -> RuleItem { RuleItem(.namedSynproxy(.string(object.name))) }

/// `meta secmark set "name"`.
public func secmark(_ object: ObjectDecl) -> RuleItem { RuleItem(.secmark(.string(object.name))) }
public func secmark(named name: String) -> RuleItem { RuleItem(.secmark(.string(name))) }

/// `ct count over 10` (at most `count` connections; `over: true` matches above it).
public func ctCount(_ count: Int, over: Bool = false) -> RuleItem {
    RuleItem(.ctCount(val: Int64(count), inv: over ? true : nil))
}

/// `flow add @ft`: offload the connection to a flowtable.
public func flowOffload(_ flowtable: FlowtableDecl) -> RuleItem {
    RuleItem(.flow(op: "add", flowtable: SetReference(flowtable.name).description))
}

/// Statements the DSL does not spell: the model's own form.
public func statement(_ s: Statement) -> RuleItem { RuleItem(s) }
