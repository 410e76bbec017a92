/// Chain and flowtable priorities as nft 1.0.6 lists them: the nearest standard name
/// within 10 (`filter + 5`, `mangle`), if that name is valid for the family and hook,
/// else the number.
public enum ChainPriority {
    private static let standard: [(Int64, String)] = [
        (-300, "raw"), (-150, "mangle"), (-100, "dstnat"), (0, "filter"), (50, "security"), (100, "srcnat")
    ]
    private static let bridge: [(Int64, String)] = [(-300, "dstnat"), (-200, "filter"), (100, "out"), (300, "srcnat")]

    public static func text(_ prio: Int64, family: String, hook: String?) -> String {
        for (value, name) in family == "bridge" ? bridge : standard {
            let offset = prio - value
            guard abs(offset) <= 10 else { continue }
            // Like nft, the first name in reach decides: if it does not fit, print the number.
            guard isCompatible(name, family: family, hook: hook) else { break }
            if offset > 0 { return "\(name) + \(offset)" }
            if offset < 0 { return "\(name) - \(-offset)" }
            return name
        }
        return String(prio)
    }

    /// nft 1.0.6's `std_prio_family_hook_compat`.
    private static func isCompatible(_ name: String, family: String, hook: String?) -> Bool {
        let inet = ["inet", "ip", "ip6"].contains(family)
        if family == "bridge" {
            switch name {
            case "dstnat": return hook == "prerouting"
            case "filter": return true
            case "out": return hook == "output"
            case "srcnat": return hook == "postrouting"
            default: return false
            }
        }
        switch name {
        case "filter": return inet || family == "arp" || family == "netdev"
        case "raw", "mangle", "security": return inet
        // 1.0.6 names NAT priorities only on the classic hooks (later versions add output/input).
        case "dstnat": return inet && hook == "prerouting"
        case "srcnat": return inet && hook == "postrouting"
        default: return false
        }
    }
}
