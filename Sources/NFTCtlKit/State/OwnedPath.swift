import Foundation
import NFTAnalysis

/// Opening nftctl's own state (the state directory, its files, the lock files under
/// /run/nftctl) so that nobody else can plant or swap what root then trusts: a planted
/// `managed.json` would make `--prune` delete another program's table, a planted snapshot
/// would make `rollback` install its rules. Every directory and file must be owned by the
/// running user and not writable by group or others; the last path component is never a
/// symbolic link (O_NOFOLLOW), and the checks are made with fstat on the descriptor that
/// is then used, so the object checked is the object read.
public enum OwnedPath {
    public struct Refused: Sendable, DiagnosticError {
        public var path: String
        public var reason: String
        public var diagnostics: [Diagnostic] {
            [
                .error(
                    "refusing \(path): \(reason). nftctl's state and lock files must belong to the user running nftctl "
                        + "and must not be writable by group or others (chown/chmod it, or remove it)")
            ]
        }
    }

    /// Checks an open descriptor: the expected kind, owned by the effective user, mode without
    /// group/other write.
    static func check(_ fd: Int32, path: String, directory: Bool) throws {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw Refused(path: path, reason: "cannot stat: \(String(cString: strerror(errno)))") }
        let kind = st.st_mode & S_IFMT
        if directory ? kind != S_IFDIR : kind != S_IFREG {
            throw Refused(path: path, reason: directory ? "not a directory" : "not a regular file")
        }
        if st.st_uid != geteuid() {
            throw Refused(path: path, reason: "owned by uid \(st.st_uid), not by uid \(geteuid())")
        }
        if st.st_mode & (S_IWGRP | S_IWOTH) != 0 {
            throw Refused(path: path, reason: "writable by group or others (mode \(String(st.st_mode & 0o7777, radix: 8)))")
        }
    }

    static func reason(_ e: Int32) -> String {
        e == ELOOP ? "is a symbolic link" : String(cString: strerror(e))
    }

    /// Makes `path` (and missing parents, mode 0700) if needed, then checks the directory.
    public static func ensureDirectory(_ path: String) throws {
        var made = mkdir(path, 0o700) == 0
        if !made, errno == ENOENT {
            try ensureDirectory((path as NSString).deletingLastPathComponent)
            made = mkdir(path, 0o700) == 0
        }
        if !made, errno != EEXIST {
            throw InputError("cannot create the directory \(path): \(String(cString: strerror(errno)))")
        }
        try checkDirectory(path)
    }

    /// Checks an existing directory (not followed if it is a symbolic link).
    public static func checkDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { throw Refused(path: path, reason: reason(errno)) }
        defer { close(fd) }
        try check(fd, path: path, directory: true)
    }

    /// The contents of a checked regular file, or nil when it does not exist.
    public static func read(_ path: String) throws -> Data? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw Refused(path: path, reason: reason(errno))
        }
        defer { close(fd) }
        try check(fd, path: path, directory: false)
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw InputError("cannot read: \(String(cString: strerror(errno)))", file: path)
            }
            if n == 0 { return data }
            data.append(contentsOf: buffer[0..<n])
        }
    }

    /// Writes `data` to `path` atomically (a new 0600 file, fsync, rename), so a crash or a
    /// full disk leaves the old file or the new one, never half of one.
    public static func write(_ data: Data, to path: String) throws {
        let tmp = (path as NSString).deletingLastPathComponent + "/." + (path as NSString).lastPathComponent + ".\(getpid())"
        unlink(tmp)
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw InputError("cannot write \(tmp): \(String(cString: strerror(errno)))") }
        var ok = true
        var failure = ""
        data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    ok = false; failure = String(cString: strerror(errno)); return
                }
                offset += n
            }
        }
        if ok, fsync(fd) != 0 { ok = false; failure = String(cString: strerror(errno)) }
        close(fd)
        guard ok else {
            unlink(tmp)
            throw InputError("cannot write \(path): \(failure)")
        }
        if rename(tmp, path) != 0 {
            let e = errno
            unlink(tmp)
            throw InputError("cannot write \(path): \(String(cString: strerror(e)))")
        }
    }
}
