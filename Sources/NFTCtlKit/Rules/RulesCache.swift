import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A stable 128-bit content hash (two FNV-1a 64 lanes) for cache keys. Not cryptographic:
/// the cache only ever holds what this user compiled.
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

/// Who compiles and runs rules programs: the current user, or an unprivileged one when root.
struct RulesIdentity {
    var uid: uid_t
    var gid: gid_t
    var name: String
    var dropsPrivileges: Bool

    static func current() throws -> RulesIdentity {
        guard geteuid() == 0 else { return RulesIdentity(uid: geteuid(), gid: getegid(), name: "", dropsPrivileges: false) }
        let name = ProcessInfo.processInfo.environment["NFTCTL_RULES_USER"] ?? "nobody"
        guard let pw = getpwnam(name) else {
            throw RulesError("running as root, rules programs run as user \"\(name)\", which does not exist (set NFTCTL_RULES_USER)")
        }
        guard pw.pointee.pw_uid != 0 else { throw RulesError("NFTCTL_RULES_USER must not be root") }
        return RulesIdentity(uid: pw.pointee.pw_uid, gid: pw.pointee.pw_gid, name: name, dropsPrivileges: true)
    }

    /// The command prefix that runs a program as this identity without any capability.
    func wrap(_ argv: [String]) throws -> [String] {
        guard dropsPrivileges else { return argv }
        guard let setpriv = RulesToolchain.which("setpriv") else {
            throw RulesError("running as root, rules programs run as \(name) through setpriv(1), which is not installed (util-linux)")
        }
        return [setpriv, "--reuid=\(uid)", "--regid=\(gid)", "--clear-groups", "--inh-caps=-all", "--no-new-privs", "--"] + argv
    }

    /// Creates a directory (and parents); `writable`: one this identity can write (a build
    /// stage, the compiler's TMPDIR), else one only the caller can write (the cache itself).
    func makeDirectory(_ path: String, writable: Bool = true) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw RulesError("cannot create the rules cache directory \(path): \(error.localizedDescription)")
        }
        if dropsPrivileges {
            if writable { _ = chown(path, uid, gid) } else { _ = chown(path, 0, 0); _ = chmod(path, 0o755) }
        }
    }

    /// Hands a finished build to root before it goes into the cache: owned by root and not
    /// writable by anyone else, so the unprivileged user that compiled it (or anything else
    /// running as that user) cannot change a program whose output root applies.
    func seal(_ path: String) {
        guard dropsPrivileges else { return }
        let fm = FileManager.default
        var paths = [path]
        if let e = fm.enumerator(atPath: path) { while let rel = e.nextObject() as? String { paths.append(path + "/" + rel) } }
        for p in paths {
            var st = stat()
            guard lstat(p, &st) == 0 else { continue }
            _ = lchown(p, 0, 0)
            if (st.st_mode & S_IFMT) != S_IFLNK { _ = chmod(p, st.st_mode & 0o7755) }
        }
    }

    /// Gives a directory tree to this identity (a copied module cache it may extend).
    func own(_ path: String) {
        guard dropsPrivileges else { return }
        var paths = [path]
        if let e = FileManager.default.enumerator(atPath: path) { while let rel = e.nextObject() as? String { paths.append(path + "/" + rel) } }
        for p in paths { _ = lchown(p, uid, gid) }
    }

    /// Whether a cached build can be trusted: for root, only what root sealed.
    func trusted(_ paths: String...) -> Bool {
        guard dropsPrivileges else { return true }
        for p in paths {
            var st = stat()
            guard lstat(p, &st) == 0, st.st_uid == 0, st.st_mode & 0o022 == 0 else { return false }
        }
        return true
    }

    /// Rules programs of root run as another user: every directory above the cache must let
    /// that user through.
    func checkReachable(_ path: String) throws {
        guard dropsPrivileges else { return }
        var dir = URL(fileURLWithPath: path).standardizedFileURL
        while dir.path != "/" {
            dir = dir.deletingLastPathComponent()
            var st = stat()
            guard stat(dir.path, &st) == 0 else { continue }
            let traversable = st.st_mode & 0o001 != 0 || (st.st_uid == uid && st.st_mode & 0o100 != 0)
                || (st.st_gid == gid && st.st_mode & 0o010 != 0)
            if !traversable {
                throw RulesError("""
                    the rules cache \(path) is not reachable by user \(name), who compiles and runs rules programs \
                    for root (\(dir.path) is not searchable); set NFTCTL_CACHE to a directory under a searchable path
                    """)
            }
        }
    }

    /// Writes a file this identity can read (and, for its own build products, rewrite).
    func write(_ bytes: [UInt8], to path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else {
            throw RulesError("cannot write \(path)")
        }
        if dropsPrivileges { _ = chown(path, uid, gid) }
    }
}

/// Where compiled DSL libraries and rules programs are kept.
///
/// ```
/// $CACHE/lib-<hash(swiftc --version, DSL sources)>/     libNFTables.so, NFTables.swiftmodule, src/, mc/
/// $CACHE/rules-<hash(rule files, flags, lib)>/          src/ (copies of the rule files + main), rules (the program)
/// $CACHE/tmp/                                           TMPDIR of the compiler
/// ```
enum RulesCache {
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
