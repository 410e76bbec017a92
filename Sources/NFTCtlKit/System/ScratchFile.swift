#if canImport(Glibc)
import Glibc
#endif

/// Text that libnftables must read from a file (so that its errors name a line), without a
/// file system: a memfd, opened by libnftables as `/proc/self/fd/N` (each open reads it from
/// the start). No directory, no random name, no unlink or rmdir on the journal, nothing for
/// another user to swap or read, nothing left behind by a killed process.
final class ScratchFile {
    let path: String
    private let fd: Int32

    /// A memfd holding `bytes`; nil where there is none (no memfd_create, no /proc).
    init?(_ bytes: [UInt8]) {
        guard let create = Self.memfdCreate else { return nil }
        let fd = create("nftctl-batch", 1)  // MFD_CLOEXEC
        guard fd >= 0 else { return nil }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                close(fd)
                return nil
            }
            offset += n
        }
        path = "/proc/self/fd/\(fd)"
        guard access(path, R_OK) == 0 else {
            close(fd)
            return nil
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// `memfd_create(2)` (glibc 2.27), declared only under _GNU_SOURCE: looked up like setns.
    private typealias MemfdCreate = @convention(c) (UnsafePointer<CChar>, UInt32) -> Int32
    private static let memfdCreate: MemfdCreate? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "memfd_create").map {
        unsafeBitCast($0, to: MemfdCreate.self)
    }
}
