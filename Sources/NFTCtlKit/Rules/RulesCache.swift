import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A stable 128-bit content hash (two FNV-1a 64 lanes) for cache keys. Not cryptographic:
/// the cache is private to the user (`PrivatePath`) and only ever holds what that user built.
struct RulesHasher {
    private var a: UInt64 = 0xcbf2_9ce4_8422_2325
    private var b: UInt64 = 0x6c62_272e_07bb_0142
    mutating func combine(_ bytes: some Sequence<UInt8>) {
        for x in bytes {
            a = (a ^ UInt64(x)) &* 0x100_0000_01b3
            b = (b ^ UInt64(x)) &* 0x100_0000_01b3 &+ 0x9e37_79b9
        }
        // Length-delimit each part so ("ab","c") != ("a","bc").
        a = (a ^ 0xff) &* 0x100_0000_01b3
        b = (b ^ 0xfe) &* 0x100_0000_01b3
    }
    mutating func combine(_ s: String) { combine(Array(s.utf8)) }
    var hex: String {
        func h(_ v: UInt64) -> String {
            let s = String(v, radix: 16)
            return String(repeating: "0", count: 16 - s.count) + s
        }
        return h(a) + h(b)
    }
}

/// Where compiled DSL libraries and rules programs are kept.
///
/// ```
/// $CACHE/swiftc-<hash(compiler path, size, mtime)>.version   `swiftc --version`
/// $CACHE/lib-<hash(swiftc --version, DSL sources)>/     libNFTables.so, NFTables.swiftmodule, mc/
/// $CACHE/rules-<hash(rule files, flags, lib)>/          rules (the program)
/// $CACHE/work-<pid>-<random>/                           a sandbox's build directory, while it builds
/// $CACHE/normal/                                        kernel normal forms of rules (NormalizationCache)
/// ```
/// The directory is private (0700, the running user's): builds are copied out of the
/// sandbox's work directory into it, never run from a place the sandbox's user can write.
enum RulesCache {
    /// The cache directory, created private or checked to be (see `PrivatePath.directory`).
    static func prepare() throws -> String {
        let dir = directory()
        try PrivatePath.directory(dir, purpose: "the rules cache (NFTCTL_CACHE)")
        return dir
    }

    static func directory() -> String {
        let env = ProcessInfo.processInfo.environment
        if let d = env["NFTCTL_CACHE"], !d.isEmpty { return d }
        if geteuid() == 0 { return "/var/cache/nftctl" }
        if let x = env["XDG_CACHE_HOME"], !x.isEmpty { return x + "/nftctl" }
        let home = env["HOME"] ?? NSHomeDirectory()
        // A user without a writable home (CI runners, `nobody`) still gets a private cache.
        let fm = FileManager.default
        if fm.isWritableFile(atPath: home + "/.cache") || (!fm.fileExists(atPath: home + "/.cache") && fm.isWritableFile(atPath: home)) {
            return home + "/.cache/nftctl"
        }
        // In a shared temporary directory the cache must be ours alone: another user could
        // otherwise plant a compiled rules program in it.
        let tmp = NSTemporaryDirectory() + "nftctl-cache-\(getuid())"
        var st = stat()
        if lstat(tmp, &st) != 0 {
            mkdir(tmp, 0o700)
            if lstat(tmp, &st) != 0 { return tmp }
        }
        if (st.st_mode & S_IFMT) == S_IFDIR, st.st_uid == getuid(), st.st_mode & 0o077 == 0 { return tmp }
        return NSTemporaryDirectory() + "nftctl-cache-\(getuid())-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }
}
