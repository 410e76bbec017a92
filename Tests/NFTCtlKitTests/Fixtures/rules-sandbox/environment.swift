import NFTables
#if canImport(Glibc)
import Glibc
#endif
// Table names say what the rules program could see: a variable meant for it, and one that
// must not reach it.
func variable(_ name: String) -> String { getenv(name).map { String(cString: $0) } ?? "unset" }
let ruleset = Ruleset {
    table("site_" + variable("NFTCTL_VAR_SITE"), family: .ip) { }
    table("secret_" + variable("NFTCTL_TEST_SECRET"), family: .ip) { }
}
