import Foundation
import NFTAnalysis

/// Whether this process may read and change the kernel's ruleset: CAP_NET_ADMIN in its
/// effective set (root, or uid 0 of a user namespace such as `unshare -rn`). Checked before
/// the first libnftables call, which otherwise prints its own "you must be root" to stderr
/// beside nftctl's error.
public enum Privilege {
    /// CAP_NET_ADMIN's bit in the effective set (`linux/capability.h`).
    static let netAdminBit: UInt64 = 1 << 12

    /// True when the capability is not held (false when the kernel cannot say: libnftables
    /// decides). Asked with one `capget(2)`, not by reading and parsing /proc/self/status.
    public static var missingNetAdmin: Bool {
        guard let caps = SystemCall.effectiveCapabilities() else { return false }
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
