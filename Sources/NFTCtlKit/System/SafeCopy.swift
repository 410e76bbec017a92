import Foundation
import NFTAnalysis

#if canImport(Glibc)
import Glibc
#endif

/// Copies what untrusted code built out of its work directory into a new directory of the
/// running user's. Nothing there is chowned or chmodded in place and no link is followed
/// (every step opens relative to an already opened directory with `O_NOFOLLOW`): only
/// regular files and directories are copied, set-id and sticky bits never are, and files
/// come out 0644, or 0755 when their owner could execute them.
enum SafeCopy {
    /// Copies `items` (names in `source`; files or directory trees) into `destination`,
    /// which must not exist yet and is created 0755.
    static func copy(_ items: [String], from source: String, to destination: String) throws(Problem) {
        let src = open(source, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard src >= 0 else { throw Problem("cannot open the build directory \(source): \(ChildProcess.errnoText())") }
        defer { close(src) }
        guard mkdir(destination, 0o755) == 0 else {
            throw Problem("cannot create \(destination): \(ChildProcess.errnoText())")
        }
        let dst = open(destination, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard dst >= 0 else { throw Problem("cannot open \(destination): \(ChildProcess.errnoText())") }
        defer { close(dst) }
        for item in items {
            guard try copyEntry(item, from: src, to: dst, required: true, path: source + "/" + item) else {
                throw Problem("the build left no regular file or directory \(source)/\(item)")
            }
        }
    }

    /// Copies one entry; false when it is missing or neither a file nor a directory.
    private static func copyEntry(
        _ name: String, from src: Int32, to dst: Int32, required: Bool,
        path: String
    ) throws(Problem) -> Bool {
        var st = stat()
        guard fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) == 0 else { return false }
        switch st.st_mode & S_IFMT {
        case S_IFREG:
            let fd = openat(src, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
            guard fd >= 0 else { throw Problem("cannot read \(path): \(ChildProcess.errnoText())") }
            defer { close(fd) }
            var opened = stat()
            guard fstat(fd, &opened) == 0, opened.st_mode & S_IFMT == S_IFREG else { return false }
            let mode: mode_t = opened.st_mode & S_IXUSR != 0 ? 0o755 : 0o644
            let out = openat(dst, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode)
            guard out >= 0 else { throw Problem("cannot create a copy of \(path): \(ChildProcess.errnoText())") }
            defer { close(out) }
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n == 0 { break }
                if n < 0 { if errno == EINTR { continue }; throw Problem("cannot read \(path): \(ChildProcess.errnoText())") }
                var off = 0
                while off < n {
                    let w = buffer.withUnsafeBytes { write(out, $0.baseAddress! + off, n - off) }
                    if w < 0 { if errno == EINTR { continue }; throw Problem("cannot copy \(path): \(ChildProcess.errnoText())") }
                    off += w
                }
            }
            _ = fchmod(out, mode)  // the umask may have taken bits away
            return true
        case S_IFDIR:
            let sub = openat(src, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard sub >= 0 else { return false }
            guard mkdirat(dst, name, 0o755) == 0 else {
                close(sub)
                throw Problem("cannot create a copy of \(path): \(ChildProcess.errnoText())")
            }
            let subDst = openat(dst, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard subDst >= 0, let dir = fdopendir(sub) else {
                close(sub)
                if subDst >= 0 { close(subDst) }
                throw Problem("cannot list \(path): \(ChildProcess.errnoText())")
            }
            defer { closedir(dir); close(subDst) }
            while let entry = readdir(dir) {
                let child = withUnsafePointer(to: &entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                if child == "." || child == ".." { continue }
                _ = try copyEntry(child, from: dirfd(dir), to: subDst, required: false, path: path + "/" + child)
            }
            return true
        default:
            return false  // links, devices, fifos, sockets: never copied
        }
    }
}
