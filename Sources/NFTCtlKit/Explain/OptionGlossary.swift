import NFTAnalysis

/// TCP options, IPv4 options and SCTP chunks: things a packet may or may not carry.
extension Phraser {
    static let tcpOptions: [String: String] = [
        "eol": "end-of-option-list (kind 0)", "nop": "no-operation padding (kind 1)", "maxseg": "maximum segment size (kind 2)",
        "window": "window scale (kind 3)", "sack-perm": "SACK permitted (kind 4)", "sack": "selective acknowledgement (kind 5)",
        "sack0": "selective acknowledgement (kind 5), first block", "sack1": "selective acknowledgement (kind 5), second block",
        "sack2": "selective acknowledgement (kind 5), third block", "sack3": "selective acknowledgement (kind 5), fourth block",
        "timestamp": "timestamp (kind 8)", "md5sig": "MD5 signature (kind 19)", "mptcp": "multipath TCP (kind 30)",
        "fastopen": "TCP Fast Open cookie (kind 34)"
    ]

    static let tcpOptionFields: [String: String] = [
        "kind": "kind byte", "length": "length byte (option size in bytes)",
        "size": "value (the largest segment the sender accepts, in bytes)",
        "count": "shift count (the window is scaled by 2^count)", "left": "left edge", "right": "right edge",
        "tsval": "timestamp value (TSval)", "tsecr": "timestamp echo reply (TSecr)", "subtype": "subtype (4 bits)"
    ]

    func tcpOption(_ o: TCPOption) -> String {
        switch o {
        case .named(let name, let field):
            let opt: String
            if let known = Self.tcpOptions[name] {
                opt = known
            } else if let kind = Int(name) {
                opt = "kind \(kind)"
            } else {
                opt = gap("tcp option \(name)", "\(name)")
            }
            guard let field else { return "the TCP option \(opt)" }
            let f = Self.tcpOptionFields[field] ?? gap("tcp option field \(name) \(field)", field)
            return "the \(f) of the TCP option \(opt)"
        case .raw(let kind, let offset, let len):
            if offset == 0 && (len == 0 || len == 8) { return "the TCP option of kind \(kind)" }
            return rawBits(offset: offset, len: len, of: "the TCP option of kind \(kind)")
        }
    }

    static let ipOptions: [String: String] = [
        "lsrr": "loose source route (type 131)", "ssrr": "strict source route (type 137)", "rr": "record route (type 7)",
        "ra": "router alert (type 148)"
    ]

    static let ipOptionFields: [String: String] = [
        "type": "type byte", "length": "length byte", "value": "value", "ptr": "pointer (offset of the next address slot)",
        "addr": "first address"
    ]

    func ipOption(_ name: String, _ field: String?) -> String {
        let opt = Self.ipOptions[name] ?? gap("ip option \(name)", name)
        guard let field else { return "the IPv4 option \(opt)" }
        let f = Self.ipOptionFields[field] ?? gap("ip option field \(name) \(field)", field)
        return "the \(f) of the IPv4 option \(opt)"
    }

    static let sctpChunks: [String: String] = [
        "data": "DATA (type 0)", "init": "INIT (type 1)", "init-ack": "INIT ACK (type 2)", "sack": "SACK (type 3)",
        "heartbeat": "HEARTBEAT (type 4)", "heartbeat-ack": "HEARTBEAT ACK (type 5)", "abort": "ABORT (type 6)",
        "shutdown": "SHUTDOWN (type 7)", "shutdown-ack": "SHUTDOWN ACK (type 8)", "error": "ERROR (type 9)",
        "cookie-echo": "COOKIE ECHO (type 10)", "cookie-ack": "COOKIE ACK (type 11)", "ecne": "ECN echo (ECNE, type 12)",
        "cwr": "congestion window reduced (CWR, type 13)", "shutdown-complete": "SHUTDOWN COMPLETE (type 14)",
        "asconf-ack": "ASCONF ACK (type 128)", "forward-tsn": "FORWARD TSN (type 192)", "asconf": "ASCONF (type 193)"
    ]

    static let sctpChunkFields: [String: String] = [
        "type": "type byte", "flags": "flags byte", "length": "length", "tsn": "transmission sequence number (TSN)",
        "stream": "stream identifier", "ssn": "stream sequence number", "ppid": "payload protocol identifier",
        "init-tag": "initiate tag", "a-rwnd": "advertised receiver window credit", "num-outbound-streams": "number of outbound streams",
        "num-inbound-streams": "number of inbound streams", "initial-tsn": "initial TSN", "cum-tsn-ack": "cumulative TSN ack",
        "num-gap-ack-blocks": "number of gap ack blocks", "num-dup-tsns": "number of duplicate TSNs",
        "lowest-tsn": "lowest TSN", "seqno": "sequence number", "new-cum-tsn": "new cumulative TSN"
    ]

    func sctpChunk(_ name: String, _ field: String?) -> String {
        let chunk = Self.sctpChunks[name] ?? gap("sctp chunk \(name)", name)
        guard let field else { return "an SCTP \(chunk) chunk" }
        let f = Self.sctpChunkFields[field] ?? gap("sctp chunk field \(name) \(field)", field)
        return "the \(f) of the SCTP \(chunk) chunk"
    }
}
