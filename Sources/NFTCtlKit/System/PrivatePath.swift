import Foundation
import NFTAnalysis

#if canImport(Glibc)
import Glibc
#endif

/// Directories and files that only the running user may have written: the rules cache and
/// the normal-form cache. What nftctl reads from them decides what root applies, so a
/// directory that someone else owns or can write (or that is reached through such a
/// directory, or a symbolic link) is refused rather than used. The checks, reads and
/// writes are `OwnedPath`'s; a cache adds the walk up its parents, and takes a file it
/// cannot trust as a miss rather than an error.
public enum PrivatePath {
    /// Creates `path` (mode 0700, parents as needed) or checks the existing one: a real
    /// directory owned by this user, not writable by group or others, below directories
    /// that only root or this user can change (a sticky world-writable parent such as /tmp
    /// is fine: others cannot rename what is ours in it).
    public static func directory(_ path: String, purpose: String) throws(Problem) {
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
        if let problem = OwnedPath.problem(st, directory: true) { throw refusal(purpose, absolute, problem) }
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
    /// following a symbolic link (`OwnedPath`); nil when it does not exist or is not such a
    /// file (a cache treats that as a miss).
    public static func read(_ path: String) -> [UInt8]? {
        (try? OwnedPath.bytes(path)) ?? nil
    }

    /// Whether `path` (not followed if a link) is ours and not writable by others.
    public static func isOwn(_ path: String, directory: Bool) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && OwnedPath.problem(st, directory: directory) == nil
    }

    /// Writes a file atomically (`OwnedPath.write`, without fsync: a cache entry lost in a
    /// crash is only rebuilt); false when it could not be written.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t = 0o644) -> Bool {
        (try? OwnedPath.write(bytes, to: path, mode: mode, durable: false)) != nil
    }

    /// Appends `bytes` in one write to an existing file that is ours and not writable by
    /// others (checked on the descriptor written, the last component not followed); false
    /// when the file is missing or refused, or the write failed (a cache then rewrites it).
    public static func append(_ bytes: [UInt8], to path: String) -> Bool {
        let fd = open(path, O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        guard (try? OwnedPath.check(fd, path: path, directory: false)) != nil else { return false }
        return bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
    }

    /// Makes room in a cache folder for a file about to be made there: of `files` (names
    /// in `directory`, not that one), the least recently written go until `keep` - 1 are
    /// left (a cache entry lost is only made again).
    static func evictOldest(_ files: [String], in directory: URL, keep: Int) {
        guard files.count >= keep else { return }
        let written = files.map { name -> (name: String, time: timespec) in
            var st = stat()
            _ = lstat(directory.appendingPathComponent(name).path, &st)
            return (name, st.st_mtim)
        }
        let oldest = written.sorted { ($0.time.tv_sec, $0.time.tv_nsec) < ($1.time.tv_sec, $1.time.tv_nsec) }
        for f in oldest.prefix(files.count - keep + 1) { unlink(directory.appendingPathComponent(f.name).path) }
    }

    static func refusal(_ purpose: String, _ path: String, _ why: String) -> Problem {
        Problem(
            "refusing to use \(path) as \(purpose): it \(why.hasPrefix("/") ? "is below a directory that is not private: " + why : why)")
    }
}
