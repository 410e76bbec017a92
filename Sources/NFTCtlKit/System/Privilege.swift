import Foundation
import NFTAnalysis

/// Whether this process may read and change the kernel's ruleset: CAP_NET_ADMIN in its
/// effective set (root, or uid 0 of a user namespace such as `unshare -rn`). Checked before
/// the first libnftables call, which otherwise prints its own "you must be root" to stderr
/// beside nftctl's error.
public enum Privilege {
    /// CAP_NET_ADMIN's bit in `CapEff` of /proc/self/status.
    static let netAdminBit: UInt64 = 1 << 12

    /// True when the capability is not held (false when /proc cannot say: libnftables decides).
    public static var missingNetAdmin: Bool {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
            let caps = UInt64(line.dropFirst(7).trimmingCharacters(in: .whitespaces), radix: 16)
        else { return false }
        return caps & netAdminBit == 0
    }

    /// Throws one clear error when the kernel's ruleset cannot be reached.
    public static func requireNetAdmin(_ what: String) throws {
        guard missingNetAdmin else { return }
        throw Problem(
            """
            \(what) needs CAP_NET_ADMIN: run nftctl as root (e.g. with sudo), or inside a namespace \
            you own (`unshare -rn nftctl …`). Without it, `nftctl check FILE` validates a file and \
            `nftctl diff FILE --against SNAPSHOT` plans against a saved listing.
            """)
    }
}
