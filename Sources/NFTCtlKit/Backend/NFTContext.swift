import CNFTables

#if canImport(Glibc)
import Glibc
#endif

/// Output flags of a libnftables context (`NFT_CTX_OUTPUT_*`).
public struct NFTOutputFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let reverseDNS = NFTOutputFlags(rawValue: UInt32(NFT_CTX_OUTPUT_REVERSEDNS))
    public static let service = NFTOutputFlags(rawValue: UInt32(NFT_CTX_OUTPUT_SERVICE))
    public static let stateless = NFTOutputFlags(rawValue: UInt32(NFT_CTX_OUTPUT_STATELESS))
    public static let handle = NFTOutputFlags(rawValue: UInt32(NFT_CTX_OUTPUT_HANDLE))
    /// JSON output, and also JSON *input*: libnftables 1.0.6 only tries its JSON parser when
    /// this flag is set.
    public static let json = NFTOutputFlags(rawValue: UInt32(NFT_CTX_OUTPUT_JSON))
    /// Echo: prints what was added. Forces a full cache dump on every add, and a `list`
    /// then prints a second JSON document; leave it off unless it is needed.
    public static let echo = NFTOutputFlags(rawValue: UInt32(NFT_CTX_OUTPUT_ECHO))
    public static let guid = NFTOutputFlags(rawValue: UInt32(NFT_CTX_OUTPUT_GUID))
    public static let numericProto = NFTOutputFlags(rawValue: UInt32(NFT_CTX_OUTPUT_NUMERIC_PROTO))
    public static let numericPrio = NFTOutputFlags(rawValue: UInt32(NFT_CTX_OUTPUT_NUMERIC_PRIO))
    public static let numericSymbol = NFTOutputFlags(rawValue: UInt32(NFT_CTX_OUTPUT_NUMERIC_SYMBOL))
    public static let numericTime = NFTOutputFlags(rawValue: UInt32(NFT_CTX_OUTPUT_NUMERIC_TIME))
    public static let numericAll: NFTOutputFlags = [.numericProto, .numericPrio, .numericSymbol, .numericTime]
    public static let terse = NFTOutputFlags(rawValue: UInt32(NFT_CTX_OUTPUT_TERSE))
}

/// One libnftables context (`struct nft_ctx *`), with buffered output and error.
///
/// Every call goes through `NFTLock` (libnftables is not thread-safe even across contexts),
/// which is why the class may be shared between threads. With a namespace, creation and
/// every command run inside `NetworkNamespace.perform`, on the calling thread, under the
/// lock: the context's netlink socket is opened, and used, in that namespace.
public final class NFTContext: @unchecked Sendable {
    private let ctx: OpaquePointer
    private let namespace: NetworkNamespace?
    private let flags: NFTOutputFlags

    /// Creates a context in `namespace` (nil: the calling thread's own namespace).
    public init(outputFlags: NFTOutputFlags = [], namespace: NetworkNamespace? = nil) throws(BackendError) {
        self.namespace = namespace
        self.flags = outputFlags
        let created: OpaquePointer?
        do {
            created = try NFTLock.withLock { () throws -> OpaquePointer? in
                let make = { () -> OpaquePointer? in
                    guard let c = nft_ctx_new(UInt32(NFT_CTX_DEFAULT)) else { return nil }
                    _ = nft_ctx_buffer_output(c)
                    _ = nft_ctx_buffer_error(c)
                    nft_ctx_output_set_flags(c, outputFlags.rawValue)
                    return c
                }
                if let namespace { return try namespace.perform(make) }
                return make()
            }
        } catch let e as BackendError {
            throw e
        } catch {
            throw .invalidResponse("\(error)")
        }
        guard let created else { throw .system(operation: "create a libnftables context", errno: errno) }
        ctx = created
    }

    deinit {
        let c = ctx
        NFTLock.withLock { nft_ctx_free(c) }
    }

    /// Runs `body` under `NFTLock` in the context's namespace (a netlink request of nftctl's
    /// own, such as `KernelTables`, that must see what this context sees).
    func perform<T>(_ body: () throws(BackendError) -> T) throws(BackendError) -> T {
        do {
            return try NFTLock.withLock { () throws -> T in
                if let namespace { return try namespace.perform(body) }
                return try body()
            }
        } catch let e as BackendError {
            throw e
        } catch {
            throw .invalidResponse("\(error)")
        }
    }

    /// Runs a libnftables JSON buffer (the JSON flag is set for this call: without it 1.0.6
    /// does not parse JSON). Returns the output (JSON for a `list`).
    public func run(json buffer: String, dryRun: Bool = false) throws(BackendError) -> String {
        try run(buffer, flags: flags.union(.json), dryRun: dryRun)
    }

    /// Runs nft syntax with the JSON flag cleared for this call (so only the nft parser is tried).
    public func run(text buffer: String, dryRun: Bool = false) throws(BackendError) -> String {
        try run(buffer, flags: flags.subtracting(.json), dryRun: dryRun)
    }

    /// Runs an nft syntax file (`nft_run_cmd_from_filename`): errors then name the file and
    /// the line, and `include` works relative to it.
    public func run(file path: String, dryRun: Bool = false) throws(BackendError) -> String {
        try run(path, flags: flags.subtracting(.json), dryRun: dryRun, isFile: true)
    }

    /// One `nft_run_cmd_from_buffer` (or `_from_filename`) call = one kernel transaction.
    /// `flags` replace the context's for this call; a dry run (`nft -c`) sends the batch to
    /// the kernel and aborts it (missing objects and duplicates show, commit-time checks not).
    func run(
        _ buffer: String, flags override: NFTOutputFlags, dryRun: Bool,
        isFile: Bool = false
    ) throws(BackendError) -> String {
        let operation = dryRun ? "libnftables (dry run)" : "libnftables"
        let outcome: (rc: Int32, err: Int32, output: String, error: String)
        do {
            outcome = try NFTLock.withLock { () throws -> (Int32, Int32, String, String) in
                let call = { () -> (Int32, Int32, String, String) in
                    nft_ctx_output_set_flags(self.ctx, override.rawValue)
                    nft_ctx_set_dry_run(self.ctx, dryRun)
                    let quiet = override.contains(.json) ? LibraryNoise.silence() : nil
                    errno = 0
                    let rc = isFile ? nft_run_cmd_from_filename(self.ctx, buffer) : nft_run_cmd_from_buffer(self.ctx, buffer)
                    let savedErrno = errno
                    quiet?.restore()
                    // The buffers belong to the context and are overwritten by the next call.
                    let out = nft_ctx_get_output_buffer(self.ctx).map { String(cString: $0) } ?? ""
                    let err = nft_ctx_get_error_buffer(self.ctx).map { String(cString: $0) } ?? ""
                    return (rc, savedErrno, out, err)
                }
                if let namespace = self.namespace { return try namespace.perform(call) }
                return call()
            }
        } catch let e as BackendError {
            throw e
        } catch {
            throw .invalidResponse("\(error)")
        }
        if outcome.rc != 0 {
            if outcome.error.contains("Operation not permitted") || (outcome.err == EPERM && outcome.error.isEmpty) {
                throw .notPermitted(operation: operation)
            }
            throw .nftables(operation: operation, text: outcome.error)
        }
        return outcome.output
    }
}

/// What libnftables 1.0.6 writes to the process's stderr itself, past its error buffer:
/// listing JSON with a statement that has no JSON form (an anonymous chain, `jump { … }`, or
/// a map update) prints `warning: stmt ops chain have no json callback`, twice, to whoever
/// runs `nftctl diff` or `list` on such a ruleset. The listing is repaired from the text
/// listing anyway (`ListingRepair`), so the warning is internal: it is dropped, and anything
/// else written to stderr meanwhile is passed on after the call.
struct LibraryNoise {
    let saved: Int32
    let capture: UnsafeMutablePointer<FILE>

    static let dropped = "have no json callback"

    /// Points descriptor 2 at a temporary file; nil (nothing changed) when that cannot be done.
    static func silence() -> LibraryNoise? {
        fflush(nil)
        guard let file = tmpfile() else { return nil }
        let saved = dup(2)
        guard saved >= 0 else { fclose(file); return nil }
        guard dup2(fileno(file), 2) >= 0 else { close(saved); fclose(file); return nil }
        return LibraryNoise(saved: saved, capture: file)
    }

    /// Puts descriptor 2 back and writes out what was captured, but for the known warning.
    func restore() {
        fflush(nil)
        _ = dup2(saved, 2)
        close(saved)
        rewind(capture)
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&chunk, 1, chunk.count, capture)
            if n <= 0 { break }
            bytes += chunk[0..<n]
        }
        fclose(capture)
        guard !bytes.isEmpty else { return }
        let kept = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .filter { !$0.contains(Self.dropped) }.joined(separator: "\n")
        guard kept.contains(where: { !$0.isWhitespace }) else { return }
        let out = Array(kept.utf8)
        var done = 0
        while done < out.count {
            let n = out[done...].withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            done += n
        }
    }
}
