import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Directories and files that only the running user may have written: the rules cache and
/// the normal-form cache. What nftctl reads from them decides what root applies, so a
/// directory that someone else owns or can write (or that is reached through such a
/// directory, or a symbolic link) is refused rather than used.
public enum PrivatePath {
    /// Creates `path` (mode 0700, parents as needed) or checks the existing one: a real
    /// directory owned by this user, not writable by group or others, below directories
    /// that only root or this user can change (a sticky world-writable parent such as /tmp
    /// is fine: others cannot rename what is ours in it).
    public static func directory(_ path: String, purpose: String) throws(SystemError) {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        var st = stat()
        if lstat(absolute, &st) != 0 {
            guard errno == ENOENT else { throw refusal(purpose, absolute, "cannot be read: \(ChildProcess.errnoText())") }
            let parent = URL(fileURLWithPath: absolute).deletingLastPathComponent().path
            if parent != absolute, lstat(parent, &st) != 0 {
                do {
                    try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
                } catch {
                    throw refusal(purpose, absolute, "cannot be created: \(error.localizedDescription)")
                }
            }
            guard mkdir(absolute, 0o700) == 0 || errno == EEXIST else {
                throw refusal(purpose, absolute, "cannot be created: \(ChildProcess.errnoText())")
            }
            guard lstat(absolute, &st) == 0 else { throw refusal(purpose, absolute, "cannot be read: \(ChildProcess.errnoText())") }
        }
        if let problem = ownProblem(st, directory: true) { throw refusal(purpose, absolute, problem) }
        // Readable or searchable by others is no danger in itself, but builds in progress
        // sit inside: keep everyone else out.
        if st.st_mode & 0o077 != 0 { _ = chmod(absolute, 0o700) }
        var dir = URL(fileURLWithPath: absolute).deletingLastPathComponent()
        while true {
            var p = stat()
            guard stat(dir.path, &p) == 0 else { throw refusal(purpose, absolute, "\(dir.path) cannot be read") }
            let foreign = p.st_uid != 0 && p.st_uid != geteuid()
            let writable = p.st_mode & 0o022 != 0 && p.st_mode & S_ISVTX == 0
            if foreign || writable {
                throw refusal(purpose, absolute, "\(dir.path) above it is \(foreign ? "owned by uid \(p.st_uid)" : "writable by others")")
            }
            if dir.path == "/" { break }
            dir.deleteLastPathComponent()
        }
    }

    /// Reads a regular file that this user owns and nobody else can write, without
    /// following a symbolic link; nil when it does not exist or is not such a file (a cache
    /// treats that as a miss).
    public static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, ownProblem(st, directory: false) == nil else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(Int(st.st_size))
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n > 0 { out.append(contentsOf: buffer[0..<n]); continue }
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            return out
        }
    }

    /// Whether `path` (not followed if a link) is ours and not writable by others.
    public static func isOwn(_ path: String, directory: Bool) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && ownProblem(st, directory: directory) == nil
    }

    /// Writes a file atomically (a private temporary beside it, then rename), mode 0600/0644.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) -> Bool {
        let tmp = "\(path).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
        guard fd >= 0 else { return false }
        var ok = bytes.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                if n < 0 { if errno == EINTR { continue }; return false }
                off += n
            }
            return true
        }
        ok = close(fd) == 0 && ok
        if ok, rename(tmp, path) == 0 { return true }
        unlink(tmp)
        return false
    }

    static func ownProblem(_ st: stat, directory: Bool) -> String? {
        let kind = st.st_mode & S_IFMT
        if directory, kind != S_IFDIR { return kind == S_IFLNK ? "is a symbolic link" : "is not a directory" }
        if !directory, kind != S_IFREG { return "is not a regular file" }
        if st.st_uid != geteuid() { return "is owned by uid \(st.st_uid), not by uid \(geteuid()) who runs nftctl" }
        if st.st_mode & 0o022 != 0 { return "is writable by others (mode \(String(st.st_mode & 0o7777, radix: 8)))" }
        return nil
    }

    static func refusal(_ purpose: String, _ path: String, _ why: String) -> SystemError {
        SystemError(
            "refusing to use \(path) as \(purpose): it \(why.hasPrefix("/") ? "is below a directory that is not private: " + why : why)")
    }
}
