import NFTModel

/// A large JSON document (a rules file, a remembered listing) parsed and decoded on two
/// threads: the top-level array cut in two near the middle (`JSON.entryCut`), the second
/// half parsed on a thread of its own while this one parses the first, and the entries
/// decoded into the model half here, half there. At 10k rules parse and decode take about
/// 40 ms on one thread. Below `threshold` bytes everything stays on the calling thread.
enum TwoThreadJSON {
    static let threshold = 1 << 20

    /// `JSON.parseWithEntrySpans` of `buf`: the same result, the same errors.
    static func parseWithEntrySpans(_ buf: UnsafeBufferPointer<UInt8>) throws(JSONParseError) -> (JSON, [Int], [Range<Int>]) {
        guard buf.count >= threshold, let cut = JSON.entryCut(buf) else { return try JSON.parseWithEntrySpans(buf) }
        let shared = SharedBuffer(buf)
        let tail = Concurrently { JSON.parseEntries(after: cut, in: shared.buffer) }
        // The other thread reads `buf` until it ends: waited for on every way out.
        defer { _ = try? tail.wait() }
        return try JSON.parseWithEntrySpans(buf, cut: cut) {
            (try? tail.wait()) ?? .failure(JSONEntryTail.failed)
        }
    }

    /// `Document.decode(json)`, the second half of a large document's entries decoded on
    /// another thread (each entry decodes on its own).
    static func decode(_ json: JSON) throws(Problem) -> Document {
        guard case .object(let o) = json, let (k, v) = o.singleEntry, k == "nftables", case .array(let entries) = v,
            entries.count >= 2048
        else { return try Document.decode(json) }
        let second = Array(entries[(entries.count / 2)...])
        let other = Concurrently { second.map(Document.Entry.init(json:)) }
        let first = entries[..<(entries.count / 2)].map(Document.Entry.init(json:))
        return Document(first + ((try? other.wait()) ?? second.map(Document.Entry.init(json:))))
    }

    /// A buffer read by two threads, neither writing it, which the caller keeps alive
    /// until both are done.
    struct SharedBuffer: @unchecked Sendable {
        let buffer: UnsafeBufferPointer<UInt8>
        init(_ buffer: UnsafeBufferPointer<UInt8>) { self.buffer = buffer }
    }
}
