// The seed's example: table `filter`, chain `input` hooked at input, drop everything from
// 192.168.1.100.
import NFTables

let input = chain("input", hook: .input, priority: .filter, policy: .accept) {
    rule(ip.saddr == "192.168.1.100", drop)
}

let ruleset = Ruleset { table("filter", family: .ip) { input } }
