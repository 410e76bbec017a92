import Foundation
import NFTAnalysis

#if canImport(Glibc)
import Glibc
#endif

/// Opening what nftctl itself keeps (the state directory, its files, the lock files under
/// /run/nftctl, the rules and normal-form caches) so that nobody else can plant or swap
/// what root then trusts: a planted `managed.json` would make `--prune` delete another
/// program's table, a planted snapshot would make `rollback` install its rules, a planted
/// cache entry would be applied as the user's rules. Every directory and file must be owned
/// by the running user and not writable by group or others; the last path component is
/// never a symbolic link (O_NOFOLLOW), and the checks are made with fstat on the descriptor
/// that is then used, so the object checked is the object read. The caches' policy (a
/// refused entry is a miss, parents are checked too) is `PrivatePath`'s, on top of this.
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

    /// Why `st` is not ours alone (the wrong kind, another owner, group or other write), or
    /// nil when it is.
    static func problem(_ st: stat, directory: Bool) -> String? {
        let kind = st.st_mode & S_IFMT
        if directory, kind != S_IFDIR { return kind == S_IFLNK ? "is a symbolic link" : "is not a directory" }
        if !directory, kind != S_IFREG { return "is not a regular file" }
        if st.st_uid != geteuid() { return "is owned by uid \(st.st_uid), not by uid \(geteuid()) who runs nftctl" }
        if st.st_mode & (S_IWGRP | S_IWOTH) != 0 {
            return "is writable by group or others (mode \(String(st.st_mode & 0o7777, radix: 8)))"
        }
        return nil
    }

    /// Checks an open descriptor (see `problem`); returns what fstat said of it.
    @discardableResult
    static func check(_ fd: Int32, path: String, directory: Bool) throws(Refused) -> stat {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw Refused(path: path, reason: "cannot stat: \(String(cString: strerror(errno)))") }
        if let problem = problem(st, directory: directory) { throw Refused(path: path, reason: problem) }
        return st
    }

    static func reason(_ e: Int32) -> String {
        e == ELOOP ? "is a symbolic link" : String(cString: strerror(e))
    }

    /// Makes `path` (and missing parents, mode 0700) if needed, then checks the directory.
    public static func ensureDirectory(_ path: String) throws {
        // Usually there already: checked without trying to make it first.
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        if fd >= 0 {
            defer { close(fd) }
            try check(fd, path: path, directory: true)
            return
        }
        guard errno == ENOENT else { throw Refused(path: path, reason: reason(errno)) }
        var made = mkdir(path, 0o700) == 0
        if !made, errno == ENOENT {
            try ensureDirectory((path as NSString).deletingLastPathComponent)
            made = mkdir(path, 0o700) == 0
        }
        if !made, errno != EEXIST {
            throw Problem("cannot create the directory \(path): \(String(cString: strerror(errno)))")
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

    /// The names in directory `path` (not `.` and `..`), nil when it cannot be read: with
    /// readdir, not `FileManager`, which costs more than the listing on an apply's path.
    static func names(in path: String) -> [String]? {
        guard let dir = opendir(path) else { return nil }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != ".", name != ".." { names.append(name) }
        }
        return names
    }

    /// The contents of a checked regular file, or nil when it does not exist.
    static func bytes(_ path: String, upTo limit: Int = .max) throws -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw Refused(path: path, reason: reason(errno))
        }
        defer { close(fd) }
        let st = try check(fd, path: path, directory: false)
        do { return try FileBytes.read(fd, size: Int(st.st_size), upTo: limit) } catch {
            throw Problem("cannot read: \(error.message)", file: path)
        }
    }

    /// Writes `bytes` to `path` atomically (a new file of `mode` beside it, then rename), so a
    /// crash or a full disk leaves the old file or the new one, never half of one. `durable`:
    /// fsync before the rename (state; a cache can do without).
    public static func write(
        _ bytes: some ContiguousBytes, to path: String, mode: mode_t = 0o600, durable: Bool = true
    ) throws {
        try prepare(bytes, for: path, mode: mode, durable: durable).publish()
    }

    /// Writes `bytes` to `path` as `write` does, but renames the file into place at once and
    /// fsyncs it on a thread of its own (`LaterSync`): for a file that must be in place now
    /// (a snapshot, before the commit it can undo) and durable before any state written
    /// after it, but not before the process goes on. Every later durable publish in this
    /// process, and its exit, waits for the fsync first, so a crash never leaves a later
    /// durable file without this one. What a crash before the fsync can leave is this file
    /// empty or missing, never another one's bytes: its readers must refuse an unreadable
    /// one (JSON that does not parse).
    public static func writeSyncingLater(_ bytes: some ContiguousBytes, to path: String, mode: mode_t = 0o600) throws {
        let tmp = Prepared.temporary(for: path, pid: getpid())
        let fd = try create(tmp, for: path, bytes: bytes, mode: mode)
        guard rename(tmp, path) == 0 else {
            let failure = String(cString: strerror(errno))
            close(fd)
            unlink(tmp)
            throw Problem("cannot write \(path): \(failure)")
        }
        LaterSync.start(fd, path: path)
    }

    /// Waits for every fsync `writeSyncingLater` started; throws the first that failed.
    public static func waitForLaterSyncs() throws { try LaterSync.waitForAll() }

    /// A file written in full beside the path it is for, under a hidden name, not yet in its
    /// place: `write` in two steps, so that the writing (and fsync) of a large file can happen
    /// before it is known whether it will be kept.
    public struct Prepared: Sendable {
        public let temporary: String
        public let path: String
        /// fsync'd: then the files `writeSyncingLater` wrote before are made durable first.
        let durable: Bool

        /// Renames the file into its place (atomically replacing what was there).
        public func publish() throws {
            if durable {
                do { try LaterSync.waitForAll() } catch {
                    unlink(temporary)
                    throw Problem("cannot write \(path): a state file written before it is not on disk (\(error))")
                }
            }
            guard rename(temporary, path) == 0 else {
                let failure = String(cString: strerror(errno))
                unlink(temporary)
                throw Problem("cannot write \(path): \(failure)")
            }
        }

        public func discard() { unlink(temporary) }

        /// The directory of `path` and the start of the hidden names prepared for it (`.name.`).
        static func hidden(_ path: String) -> (directory: String, prefix: String) {
            let cut = path.lastIndex(of: "/")
            let directory = cut.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
            return (directory, "." + (cut.map { String(path[path.index(after: $0)...]) } ?? path) + ".")
        }

        /// The hidden name of a file prepared for `path` by process `pid`: `dir/.name.pid.random`.
        static func temporary(for path: String, pid: pid_t) -> String {
            let (dir, prefix) = hidden(path)
            return "\(dir)/\(prefix)\(pid).\(UInt32.random(in: 0...UInt32.max))"
        }

        /// Removes the files prepared for `path` by processes that no longer exist (killed
        /// between preparing and publishing); one that is alive may still publish its own.
        static func removeAbandoned(for path: String) {
            let (dir, prefix) = hidden(path)
            guard let names = OwnedPath.names(in: dir) else { return }
            for name in names where name.hasPrefix(prefix) {
                let parts = name.dropFirst(prefix.count).split(separator: ".")
                guard parts.count == 2, let pid = pid_t(parts[0]), UInt32(parts[1]) != nil, pid != getpid() else { continue }
                if kill(pid, 0) != 0 && errno == ESRCH { unlink(dir + "/" + name) }
            }
        }
    }

    /// Writes `bytes` to a new hidden file beside `path` (made durable when `durable`), to be
    /// published or discarded (`Prepared`).
    public static func prepare(
        _ bytes: some ContiguousBytes, for path: String, mode: mode_t = 0o600, durable: Bool = true
    ) throws -> Prepared {
        let tmp = Prepared.temporary(for: path, pid: getpid())
        let fd = try create(tmp, for: path, bytes: bytes, mode: mode)
        var failure: String?
        if durable, fsync(fd) != 0 { failure = String(cString: strerror(errno)) }
        if close(fd) != 0, failure == nil { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(tmp)
            throw Problem("cannot write \(path): \(failure)")
        }
        return Prepared(temporary: tmp, path: path, durable: durable)
    }

    /// Creates `tmp` (never an existing file or a link) with `bytes` in it; its open
    /// descriptor. Nothing is left behind on failure.
    static func create(_ tmp: String, for path: String, bytes: some ContiguousBytes, mode: mode_t) throws -> Int32 {
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { throw Problem("cannot write \(tmp): \(String(cString: strerror(errno)))") }
        var failure: String?
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = String(cString: strerror(errno))
                    return
                }
                offset += n
            }
        }
        if let failure {
            close(fd)
            unlink(tmp)
            throw Problem("cannot write \(path): \(failure)")
        }
        return fd
    }
}
