import NFTAnalysis

/// Connection tracking: what the kernel remembers about the connection a packet belongs to.
extension Phraser {
    static let ctKeys: [String: String] = [
        "state": "connection tracking state",
        "direction": "direction of the packet within its connection (original = from the side that opened it, reply = back towards it)",
        "status": "connection status bits",
        "mark": "connection mark (ct mark, a 32-bit value kept with the connection)",
        "expiration": "time left before the connection's entry expires",
        "helper": "connection's helper (the protocol helper, such as ftp, that watches it)",
        "l3proto": "connection's layer-3 protocol",
        "protocol": "connection's layer-4 protocol",
        "saddr": "connection's source address",
        "daddr": "connection's destination address",
        "proto-src": "connection's layer-4 source port",
        "proto-dst": "connection's layer-4 destination port",
        "label": "connection labels (a 128-bit bitmap; names come from connlabel.conf)",
        "bytes": "connection's byte count",
        "packets": "connection's packet count",
        "avgpkt": "connection's average packet size in bytes",
        "zone": "conntrack zone (separates otherwise identical connections)",
        "event": "conntrack events reported for the connection",
        "id": "connection's unique ID",
        "secmark": "connection's SELinux security mark",
        "count": "number of connections"
    ]

    func ct(_ key: String, _ family: String?, _ dir: String?) -> String {
        // 1.0.6 lists `ct original ip saddr` with the family inside the key.
        var key = key, family = family
        if let space = key.firstIndex(of: " ") {
            family = String(key[..<space])
            key = String(key[key.index(after: space)...])
        }
        guard var what = Self.ctKeys[key] else { return gap("ct key \(key)", "the conntrack property \(key)") }
        if let family, key == "saddr" || key == "daddr" { what += family == "ip6" ? " (IPv6)" : " (IPv4)" }
        switch dir {
        case nil:
            if ["bytes", "packets", "avgpkt"].contains(key) { what += ", both directions together" }
        case "original": what += " in the original direction (as the side that opened the connection sent it)"
        case "reply": what += " in the reply direction (as the answering side sends it)"
        default: what += gap("ct direction \(dir!)", " in direction \(dir!)")
        }
        return "the " + what
    }

    /// What the symbolic values of `ct state` and `ct status` mean.
    static let ctValueGlossary: [String: String] = [
        "new": "new (the packet opens a connection not seen before)",
        "established": "established (the connection has seen packets in both directions)",
        "related": "related (a new connection expected by an existing one: an ICMP error, an FTP data connection)",
        "invalid": "invalid (the packet fits no known connection and cannot open one)",
        "untracked": "untracked (exempted from tracking by notrack)",
        "expected": "expected (created by a helper's expectation)",
        "seen-reply": "seen-reply (a reply has been seen)",
        "assured": "assured (kept even when the table is full)",
        "confirmed": "confirmed (the entry was committed to the table)",
        "snat": "snat (the source address is translated)",
        "dnat": "dnat (the destination address is translated)",
        "dying": "dying (the entry is being removed)"
    ]
}
