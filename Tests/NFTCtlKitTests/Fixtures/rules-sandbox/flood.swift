import NFTables
#if canImport(Glibc)
import Glibc
#endif
// Writes 8 MiB to the output descriptor before the ruleset.
func flood() -> Int {
    let chunk = [UInt8](repeating: 0x20, count: 1 << 20)
    for _ in 0..<8 { _ = chunk.withUnsafeBytes { write(3, $0.baseAddress, $0.count) } }
    return 0
}
let flooded = flood()
let ruleset = Ruleset { table("flood\(flooded)", family: .ip) { } }
