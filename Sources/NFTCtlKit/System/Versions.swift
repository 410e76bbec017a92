import CNFTables
import Foundation

/// The versions of what nftctl runs on: the libnftables it is running with and the kernel.
/// Caches of kernel normal forms are keyed by these and by nftctl's own (`NFTCtlVersion`).
public enum Versions {
    /// The libnftables in use, as the identity of the loaded library file: its path (from
    /// this process's memory map), size and modification time. 1.0.6 has no call that
    /// returns its version, and an upgrade of the package replaces the file.
    public static let libnftables: String = {
        _ = nft_ctx_new  // linked, so mapped
        guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8),
            let line = maps.split(separator: "\n").first(where: { $0.contains("/libnftables.so") }),
            let slash = line.firstIndex(of: "/")
        else { return "unknown" }
        let path = String(line[slash...])
        var st = stat()
        guard stat(path, &st) == 0 else { return path }
        return "\(path) \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)"
    }()

    /// The release of the running kernel (`uname -r`).
    public static var kernelRelease: String {
        var u = utsname()
        uname(&u)
        return withUnsafeBytes(of: &u.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
