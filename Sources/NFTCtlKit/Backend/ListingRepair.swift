import NFTables

/// libnftables 1.0.6's JSON listing drops what a base chain is bound to (`device "lo"`,
/// `devices = { ... }` of netdev and inet ingress/egress chains), although its text
/// listing has it and its JSON parser takes it back as `"dev"`. Without the device such
/// a chain could not be re-created, so it is read back from the text listing of that chain.
enum ListingRepair {
    static func repair(_ listing: Document, context: NFTContext) throws(BackendError) -> Document {
        var doc = listing
        for (i, entry) in doc.entries.enumerated() {
            guard case .item(.chain(var c)) = entry, let hook = c.hook, hook == "ingress" || hook == "egress",
                  c.dev == nil else { continue }
            // 1.0.6 takes table names only as bare identifiers; a name that is not one cannot be
            // asked for in text, and stays without its device (the verification then says so).
            guard isIdentifier(c.table) else { continue }
            let chain = isIdentifier(c.name) ? c.name : quote(c.name)
            let text = try context.run(text: "list chain \(c.family) \(c.table) \(chain)", dryRun: false)
            if let devices = devices(inChainListing: text) {
                c.dev = FlagList(devices, scalar: devices.count == 1)
                doc.entries[i] = .item(.chain(c))
            }
        }
        return doc
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, f.properties.isAlphabetic || f == "_" else { return false }
        return s.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_-./".unicodeScalars.contains($0)) }
    }

    static func quote(_ name: String) -> String { "\"" + name.replacingOccurrences(of: "\"", with: "") + "\"" }

    /// `type filter hook ingress device "lo" priority ...` or `devices = { "a", b }`.
    static func devices(inChainListing text: String) -> [String]? {
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters()
            guard line.hasPrefix("type "), line.contains(" hook ") else { continue }
            if let r = line.range(of: "devices = {") {
                let rest = line[r.upperBound...]
                guard let end = rest.firstIndex(of: "}") else { return nil }
                return rest[..<end].split(separator: ",").map { unquoted($0.trimmingCharacters()) }.filter { !$0.isEmpty }
            }
            if let r = line.range(of: " device ") {
                let rest = line[r.upperBound...]
                let word = rest.split(separator: " ").first.map(String.init) ?? ""
                return [unquoted(word)]
            }
        }
        return nil
    }

    static func unquoted(_ s: String) -> String {
        var t = Substring(s)
        if t.hasPrefix("\"") { t = t.dropFirst() }
        if t.hasSuffix("\"") { t = t.dropLast() }
        return String(t)
    }
}
