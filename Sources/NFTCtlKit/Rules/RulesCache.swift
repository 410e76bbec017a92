import Crypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The content key of caches and fingerprints: SHA-256 over length-delimited parts. Rules
/// files are untrusted and the keys decide what is reused (a compiled rules program, a rule's
/// kernel normal form, "this file is already applied"), so a key must not be forgeable: a
/// crafted pair of files with one key would pass one file's result off as the other's.
struct RulesHasher {
    private var sha = SHA256()
    mutating func combine(_ bytes: some Sequence<UInt8>) {
        let part = Array(bytes)
        // Length-delimit each part so ("ab","c") != ("a","bc").
        withUnsafeBytes(of: UInt64(part.count).littleEndian) { sha.update(bufferPointer: $0) }
        sha.update(data: part)
    }
    mutating func combine(_ s: String) { combine(s.utf8) }
    /// The digest itself, for keys held by the thousand (no hex string each).
    var digest: SHA256.Digest { sha.finalize() }
    var hex: String {
        sha.finalize().map { b in
            let s = String(b, radix: 16)
            return s.count == 1 ? "0" + s : s
        }.joined()
    }
}

/// Where compiled DSL libraries and rules programs are kept.
///
/// ```
/// $CACHE/swiftc-<hash(compiler path, size, mtime)>.version   `swiftc --version`
/// $CACHE/lib-<hash(swiftc --version, DSL sources)>/     libNFTables.so, NFTables.swiftmodule, mc/
/// $CACHE/rules-<hash(rule files, flags, lib)>/          rules (the program)
/// $CACHE/work-<pid>-<random>/                           a sandbox's build directory, while it builds
/// $CACHE/normal/                                        kernel normal forms of rules and the rules'
///                                                        kernel bytes (NormalizationCache, KernelRuleBytes)
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
        if let d = Environment.value("NFTCTL_CACHE"), !d.isEmpty { return d }
        if geteuid() == 0 { return "/var/cache/nftctl" }
        if let x = Environment.value("XDG_CACHE_HOME"), !x.isEmpty { return x + "/nftctl" }
        let home = Environment.value("HOME") ?? NSHomeDirectory()
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
