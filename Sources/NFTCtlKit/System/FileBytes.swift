#if canImport(Glibc)
import Glibc
#endif

/// The whole of an open file, read straight into one array of the size `fstat` gave (grown
/// if the file grows meanwhile): no `Data` and no copy per chunk. A 10k-rule JSON file is
/// 10 MB, and a change reads it and the remembered listing on every apply; through `Data`
/// and then `[UInt8]` the input alone cost two copies of it.
enum FileBytes {
    /// Opens `path` to be read whole, with its `fstat`: without waiting, so that a FIFO put
    /// where a file was expected is seen for what it is instead of waiting for a writer; the
    /// flag is cleared before any read (FUSE passes it on). A file under another's lease
    /// refuses a non-blocking open until the lease breaks (which the refusal starts): asked
    /// again, still without blocking, for a little longer than the kernel's default
    /// `lease-break-time` (45 s). The caller closes the descriptor and decides what the type
    /// allows.
    static func open(_ path: String) throws(FileBytesError) -> (fd: Int32, stat: stat) {
        var fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        var waited = 0
        while fd < 0 && errno == EWOULDBLOCK && waited < 50_000 {
            usleep(20_000)
            waited += 20
            fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        }
        guard fd >= 0 else { throw FileBytesError(errno: errno) }
        var st = stat()
        let flags = fstat(fd, &st) == 0 ? fcntl(fd, F_GETFL) : -1
        guard flags >= 0, flags & O_NONBLOCK == 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) == 0 else {
            let failed = errno
            close(fd)
            throw FileBytesError(errno: failed)
        }
        return (fd, st)
    }

    /// Up to `limit` bytes of `fd` from where it is; `size`: what `fstat` said. Throws the
    /// `errno` of a failed read.
    static func read(_ fd: Int32, size: Int, upTo limit: Int = .max) throws(FileBytesError) -> [UInt8] {
        precondition(limit >= 0)
        var out: [UInt8] = []
        // Nothing said (a pipe, /proc): a first read of 64 KiB rather than of one byte.
        var capacity = min(size > 0 ? size : 65536, limit)
        while true {
            // One byte more than expected, so that the end of the file is seen without a
            // second buffer: a read that fills the room means the file grew.
            let room = capacity == limit ? capacity : capacity + 1
            var failed: Int32 = 0
            let before = out.count
            let grown = [UInt8](unsafeUninitializedCapacity: room) { buffer, count in
                out.withUnsafeBufferPointer { old in
                    if let base = old.baseAddress { buffer.baseAddress!.initialize(from: base, count: old.count) }
                }
                count = before
                while count < room {
                    let n = Glibc.read(fd, buffer.baseAddress! + count, room - count)
                    if n < 0 {
                        if errno == EINTR { continue }
                        failed = errno
                        return
                    }
                    if n == 0 { break }
                    count += n
                }
            }
            if failed != 0 { throw FileBytesError(errno: failed) }
            out = grown
            // Short of the room: the end of the file (or the limit) was reached.
            if out.count < room || out.count >= limit { return out }
            capacity = min(max(capacity * 2, 65536), limit)
        }
    }
}

/// A failed `read(2)`, by its errno.
struct FileBytesError: Error {
    var errno: Int32
    var message: String { String(cString: strerror(errno)) }
}
