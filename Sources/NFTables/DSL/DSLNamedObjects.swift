// Named stateful objects: counter, quota, limit, ct helper, ct timeout, ct expectation,
// synproxy, secmark. Declared in a table, referenced from rules (`counter(sshHits)`).

public struct ObjectDecl: Sendable, Hashable {
    public var name: String
    public var body: ObjectBody
    public var comment: String?
    public var location: SourceLocation
}

/// A named counter.
public func counter(_ name: String, comment: String? = nil, file: String = #fileID, line: Int = #line) -> ObjectDecl {
    ObjectDecl(name: name, body: .counter(packets: nil, bytes: nil), comment: comment, location: SourceLocation(file: file, line: line))
}

/// A named quota of `bytes` bytes (`over: true` matches once it is used up).
public func quota(
    _ name: String, bytes: UInt64, over: Bool = false, comment: String? = nil,
    file: String = #fileID, line: Int = #line
) -> ObjectDecl {
    ObjectDecl(
        name: name, body: .quota(bytes: bytes, used: nil, inv: over ? true : nil), comment: comment,
        location: SourceLocation(file: file, line: line))
}

/// A named limit: `limit("ssh-rate", rate: 10, per: .minute, burst: 5)`.
public func limit(
    _ name: String, rate: Int, _ unit: ByteUnit? = nil, per: TimeUnit = .second, burst: Int? = nil,
    over: Bool = false, comment: String? = nil, file: String = #fileID, line: Int = #line
) -> ObjectDecl {
    ObjectDecl(
        name: name,
        body: .limit(
            rate: Int64(rate), per: per.rawValue, burst: burst.map(Int64.init),
            unit: unit?.rawValue, inv: over ? true : nil),
        comment: comment, location: SourceLocation(file: file, line: line))
}

/// A conntrack helper: `ctHelper("ftp-std", type: "ftp", protocol: .tcp)`.
public func ctHelper(
    _ name: String, type: String, protocol l4: L4Proto, l3proto: String? = nil, comment: String? = nil,
    file: String = #fileID, line: Int = #line
) -> ObjectDecl {
    ObjectDecl(
        name: name, body: .ctHelper(type: type, protocol: l4.name, l3proto: l3proto), comment: comment,
        location: SourceLocation(file: file, line: line))
}

/// Conntrack timeouts per state: `ctTimeout("short", protocol: .tcp, l3proto: "ip", policy: ["established": 120])`.
public func ctTimeout(
    _ name: String, protocol l4: L4Proto, l3proto: String? = nil, policy: KeyValuePairs<String, Int> = [:],
    comment: String? = nil, file: String = #fileID, line: Int = #line
) -> ObjectDecl {
    var p = JSONObject()
    for (k, v) in policy { p.append(k, JSON.int(Int64(v))) }
    return ObjectDecl(
        name: name, body: .ctTimeout(protocol: l4.name, l3proto: l3proto, policy: policy.isEmpty ? nil : p),
        comment: comment, location: SourceLocation(file: file, line: line))
}

/// A conntrack expectation.
public func ctExpectation(
    _ name: String, protocol l4: L4Proto, dport: Int, timeout: Int, size: Int, l3proto: String? = nil,
    comment: String? = nil, file: String = #fileID, line: Int = #line
) -> ObjectDecl {
    ObjectDecl(
        name: name,
        body: .ctExpectation(
            l3proto: l3proto, protocol: l4.name, dport: Int64(dport),
            timeout: Int64(timeout), size: Int64(size)),
        comment: comment, location: SourceLocation(file: file, line: line))
}

/// A named synproxy configuration.
public func synproxy(
    _ name: String, mss: Int, wscale: Int, flags: [SynproxyFlag] = [], comment: String? = nil,
    file: String = #fileID, line: Int = #line
) -> ObjectDecl {
    ObjectDecl(
        name: name,
        body: .synproxy(
            mss: Int64(mss), wscale: Int64(wscale),
            flags: flags.isEmpty ? nil : FlagList(flags.map(\.rawValue))),
        comment: comment, location: SourceLocation(file: file, line: line))
}

/// A named SELinux security mark.
public func secmark(
    _ name: String, context: String, comment: String? = nil, file: String = #fileID,
    line: Int = #line
) -> ObjectDecl {
    ObjectDecl(name: name, body: .secmark(context: context), comment: comment, location: SourceLocation(file: file, line: line))
}

extension L4Proto {
    var name: String {
        if case .string(let s) = expression { return s }
        if case .number(let n) = expression { return String(n) }
        return "\(expression)"
    }
}

/// A flowtable for connection offload: `flowtable("ft", devices: ["eth0", "eth1"])`.
public struct FlowtableDecl: Sendable, Hashable {
    public var name: String
    public var hook: Hook
    public var priority: Priority
    public var devices: [String]
    public var offload: Bool
    public var location: SourceLocation
}

public func flowtable(
    _ name: String, hook: Hook = .ingress, priority: Priority = .filter, devices: [String],
    offload: Bool = false, file: String = #fileID, line: Int = #line
) -> FlowtableDecl {
    FlowtableDecl(
        name: name, hook: hook, priority: priority, devices: devices, offload: offload,
        location: SourceLocation(file: file, line: line))
}
