import NFTables
#if canImport(Glibc)
import Glibc
#endif
// Leaves a detached child that keeps the output descriptor (3) open for a long time.
func detach() -> Int {
    var pid: pid_t = 0
    var argv: [UnsafeMutablePointer<CChar>?] = ["/usr/bin/setsid", "-f", "/bin/sleep", "987654"].map { (s: String) -> UnsafeMutablePointer<CChar>? in strdup(s) }
    argv.append(nil)
    posix_spawn(&pid, "/usr/bin/setsid", nil, nil, argv, environ)
    var st: Int32 = 0
    waitpid(pid, &st, 0)
    return 0
}
let detached = detach()
let ruleset = Ruleset { table("detached\(detached)", family: .ip) { } }
