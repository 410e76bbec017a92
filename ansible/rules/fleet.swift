// The fleet's rules: one file for every host, with per-host data from the inventory. The
// playbook turns each host's `nftctl_vars` into NFTCTL_VAR_* variables for `nftctl compile`
// on the controller, the only variables a rules program sees.
//   NFTCTL_VAR_ADMIN_NET      where SSH may come from (the controller's network)
//   NFTCTL_VAR_SERVICE_PORTS  TCP ports open to everyone, comma-separated
// Nothing else on the host is touched: only the table `inet fleet` is nftctl's.
import NFTables
#if canImport(Glibc)
import Glibc
#endif

func variable(_ name: String, default fallback: String) -> String {
    getenv(name).map { String(cString: $0) } ?? fallback
}

let adminNet = variable("NFTCTL_VAR_ADMIN_NET", default: "10.0.0.0/8")
let servicePorts = variable("NFTCTL_VAR_SERVICE_PORTS", default: "80")
    .split(separator: ",").compactMap { Int($0.filter { $0 != " " }) }

let input = chain("input", hook: .input, priority: .filter, policy: .drop) {
    rule(meta.iifname == "lo", accept)
    rule(ct.state.has(.established, .related), accept)
    rule(ct.state.has(.invalid), drop)
    rule(meta.l4proto == .icmp, accept)
    rule(tcp.dport == 22, ip.saddr == Addr(adminNet), accept, comment: "SSH from the admin network")
    for port in servicePorts {
        rule(tcp.dport == Number(port), accept, comment: "service")
    }
}

let ruleset = Ruleset {
    table("fleet", family: .inet) { input }
}
