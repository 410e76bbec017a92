#if canImport(Glibc)
import Glibc
#endif

/// The whole of an open file, read straight into one array of the size `fstat` gave (grown
/// if the file grows meanwhile): no `Data` and no copy per chunk. A 10k-rule JSON file is
/// 10 MB, and a change reads it and the remembered listing on every apply; through `Data`
/// and then `[UInt8]` the input alone cost two copies of it.
enum FileBytes {
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
