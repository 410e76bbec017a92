import CNFTables
import Foundation

/// The versions of what nftctl runs on: the libnftables it is running with and the kernel.
/// Caches of kernel normal forms are keyed by these and by nftctl's own (`NFTCtlVersion`).
public enum Versions {
    /// The libnftables in use, as the identity of the loaded library file: its path (from
    /// this process's memory map) and `FileIdentity`. 1.0.6 has no call that
    /// returns its version, and an upgrade of the package replaces the file.
    public static let libnftables: String = {
        _ = nft_ctx_new  // linked, so mapped
        guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8),
            let line = maps.split(separator: "\n").first(where: { $0.contains("/libnftables.so") }),
            let slash = line.firstIndex(of: "/")
        else { return "unknown" }
        let path = String(line[slash...])
        return FileIdentity(path: path).map { "\(path) \($0)" } ?? path
    }()

    /// The release of the running kernel (`uname -r`).
    public static var kernelRelease: String {
        var u = utsname()
        uname(&u)
        return withUnsafeBytes(of: &u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
