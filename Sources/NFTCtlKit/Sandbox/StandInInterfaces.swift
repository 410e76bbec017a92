import Foundation

/// Network interfaces a ruleset names by index, made up in the scratch namespace.
///
/// `iif`/`oif` (and sets of type `iface_index`) hold an interface's index, which nft looks
/// up by name when it parses the rule: `iif virbr0` in libvirt's rules fails with "Interface
/// does not exist" in a fresh namespace that has only `lo`. The interface exists on the host
/// the rules are for, not in the throw-away namespace nftctl parses and normalises them in.
/// libnftables names each missing interface at its place in the input (the caret under the
/// name), so the scratch load is retried after a stand-in link of each such name is created
/// there (a dummy, or a veth where the kernel has no dummy driver). The listing then prints
/// the name back, as the target's kernel will. A real apply never gets stand-ins: there nft
/// refuses a missing interface, as `nft -f` does.
enum StandInInterfaces {
    /// Rounds of create-and-retry: libnftables reports every missing name of one input at once.
    static let rounds = 4

    /// Runs `body` (one libnftables call, which changes nothing when it fails), creating the
    /// interfaces its error names and retrying while that makes progress.
    /// `source`: the text buffer the call parses, nil for a file (see `names`).
    static func retrying<T>(source: String? = nil, _ body: () throws(BackendError) -> T) throws(BackendError) -> T {
        var made: Set<String> = []
        var round = 0
        while true {
            do {
                return try body()
            } catch {
                round += 1
                guard round <= rounds, case .nftables(_, let text) = error else { throw error }
                let missing = names(in: text, source: source).filter { !made.contains($0) }
                guard !missing.isEmpty else { throw error }
                for name in missing where create(name) { made.insert(name) }
                guard missing.contains(where: made.contains) else { throw error }
            }
        }
    }

    /// The interface names libnftables marks as missing in an error report. Each
    /// `Error: Interface does not exist` is followed by an input line and a caret line
    /// under the name (1-based byte columns). For a file, the quoted line is the right one.
    /// For a text buffer 1.0.6 quotes the buffer's first line whatever the error's line and
    /// gives no line number, so every `source` line is tried at those columns, taking only
    /// a quoted string there (how nftctl's batches write an interface): a wrong guess only
    /// adds a link to the scratch namespace.
    static func names(in report: String, source: String? = nil) -> [String] {
        let lines = report.split(separator: "\n", omittingEmptySubsequences: false)
        let sourceLines = source?.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = []
        func take(_ line: Substring, _ columns: Range<Int>, quotedOnly: Bool) {
            let bytes = Array(line.utf8)
            guard columns.upperBound <= bytes.count else { return }
            var name = String(decoding: bytes[columns], as: UTF8.self)
            let quoted = name.count >= 2 && name.hasPrefix("\"") && name.hasSuffix("\"")
            if quoted { name = String(name.dropFirst().dropLast()) } else if quotedOnly { return }
            if isValid(name), !out.contains(name) { out.append(name) }
        }
        for (i, line) in lines.enumerated() where line.hasSuffix("Error: Interface does not exist") && i + 2 < lines.count {
            let caret = lines[i + 2].utf8
            guard let first = caret.firstIndex(of: UInt8(ascii: "^")) else { continue }
            let start = caret.distance(from: caret.startIndex, to: first)
            let width = caret[first...].prefix { $0 == UInt8(ascii: "^") }.count
            let columns = start..<(start + width)
            if let sourceLines {
                for l in sourceLines { take(l, columns, quotedOnly: true) }
            } else {
                take(lines[i + 1], columns, quotedOnly: false)
            }
        }
        return out
    }

    /// What the kernel accepts as an interface name (`dev_valid_name`): 1 to 15 bytes, not
    /// `.` or `..`, no `/`, `:` or white space.
    static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...15).contains(bytes.count), name != ".", name != ".." else { return false }
        return !bytes.contains { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 <= 0x20 || $0 == 0x7f }
    }

    /// Creates `name` in this (scratch) namespace with iproute2: a dummy, else a veth whose
    /// peer the kernel names. False when neither could be made.
    static func create(_ name: String) -> Bool {
        guard isValid(name), let ip = ipPath() else { return false }
        for kind in [["dummy"], ["veth"]] {
            let child = ChildProcess(
                name: "ip link add", argv: [ip, "link", "add", name, "type"] + kind,
                environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"], deadline: 10)
            if let result = try? child.run(), result.status == 0 { return true }
        }
        return false
    }

    static func ipPath() -> String? {
        ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
