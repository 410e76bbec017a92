import Glibc

/// A file as `stat` identifies it: device, inode, size, and the modification and status
/// change times to the nanosecond. Any write to the file or replacement of it changes one of
/// them (the status change time cannot be set back short of changing the clock), so a cache
/// or record keyed by it need not read and hash the file to know it is the same.
struct FileIdentity: CustomStringConvertible {
    var device: UInt64, inode: UInt64, size: Int64
    var modified: timespec, changed: timespec

    /// Nil when `path` cannot be stat'ed.
    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        (device, inode, size) = (UInt64(st.st_dev), UInt64(st.st_ino), Int64(st.st_size))
        (modified, changed) = (st.st_mtim, st.st_ctim)
    }

    var description: String {
        "\(device) \(inode) \(size) \(modified.tv_sec).\(modified.tv_nsec) \(changed.tv_sec).\(changed.tv_nsec)"
    }
}
