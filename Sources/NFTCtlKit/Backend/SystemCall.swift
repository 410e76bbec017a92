#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Small helpers over libc so the rest of the backend reads as what it does.
enum SystemCall {
    static func describe(errno e: Int32) -> String {
        guard let s = strerror(e) else { return "errno \(e)" }
        return String(cString: s)
    }

    static var errno: Int32 { Glibc.errno }

    static let cloneNewNet: Int32 = 0x4000_0000  // CLONE_NEWNET

    /// `setns(2)`. Glibc declares it only under _GNU_SOURCE, which the Swift Glibc module
    /// does not see, so it is looked up at run time (glibc has had it since 2.14).
    static func setns(_ fd: Int32, _ nstype: Int32) -> Int32 {
        setnsFunction(fd, nstype)
    }

    private typealias SetnsFunction = @convention(c) (Int32, Int32) -> Int32
    private static let setnsFunction: SetnsFunction = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "setns") else {  // RTLD_DEFAULT
            fatalError("nftctl: libc has no setns()")
        }
        return unsafeBitCast(symbol, to: SetnsFunction.self)
    }()

    /// `unshare(2)`, declared under _GNU_SOURCE too: looked up like setns.
    static func unshare(_ flags: Int32) -> Int32 {
        unshareFunction(flags)
    }

    private typealias UnshareFunction = @convention(c) (Int32) -> Int32
    private static let unshareFunction: UnshareFunction = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "unshare") else {  // RTLD_DEFAULT
            fatalError("nftctl: libc has no unshare()")
        }
        return unsafeBitCast(symbol, to: UnshareFunction.self)
    }()

    /// `prctl(PR_SET_PDEATHSIG, signal)`: the kernel sends `signal` when the parent dies.
    /// prctl is variadic in C, which Swift does not import; looked up like setns.
    static func setParentDeathSignal(_ signal: Int32) -> Int32 {
        prctlFunction(1, UInt(signal), 0, 0, 0)  // PR_SET_PDEATHSIG
    }

    private typealias PrctlFunction = @convention(c) (Int32, UInt, UInt, UInt, UInt) -> Int32
    private static let prctlFunction: PrctlFunction = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "prctl") else {
            fatalError("nftctl: libc has no prctl()")
        }
        return unsafeBitCast(symbol, to: PrctlFunction.self)
    }()

    /// The calling thread's effective capability set (`capget(2)`, version 3: both 32-bit
    /// words); nil when the kernel refuses the call. Glibc exports `capget` but declares it
    /// only in libcap's header, so it is looked up like setns.
    static func effectiveCapabilities() -> UInt64? {
        // struct __user_cap_header_struct { u32 version; int pid; } (pid 0: this thread)
        var header: (UInt32, Int32) = (0x2008_0522, 0)  // _LINUX_CAPABILITY_VERSION_3
        // struct __user_cap_data_struct { u32 effective, permitted, inheritable; }[2]
        var data: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0, 0)
        let rc = withUnsafeMutableBytes(of: &header) { h in
            withUnsafeMutableBytes(of: &data) { d in capgetFunction(h.baseAddress!, d.baseAddress!) }
        }
        guard rc == 0 else { return nil }
        return UInt64(data.0) | UInt64(data.3) << 32
    }

    private typealias CapgetFunction = @convention(c) (UnsafeMutableRawPointer, UnsafeMutableRawPointer) -> Int32
    private static let capgetFunction: CapgetFunction = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "capget") else {
            fatalError("nftctl: libc has no capget()")
        }
        return unsafeBitCast(symbol, to: CapgetFunction.self)
    }()

    /// The inode of a namespace file: two equal inodes are the same namespace.
    static func inode(_ path: String) -> UInt64? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return UInt64(st.st_ino)
    }

    /// The netns cookie of the calling thread's network namespace (`SO_NETNS_COOKIE`, Linux
    /// 5.14+): unique among the namespaces of this boot. Nil where the kernel has none.
    static func netnsCookie() -> UInt64? {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var cookie: UInt64 = 0
        var length = socklen_t(MemoryLayout<UInt64>.size)
        let soNetnsCookie: Int32 = 71  // SO_NETNS_COOKIE (asm-generic/socket.h)
        guard getsockopt(fd, SOL_SOCKET, soNetnsCookie, &cookie, &length) == 0, length == MemoryLayout<UInt64>.size else {
            return nil
        }
        return cookie
    }
}
