import Foundation
import NFTModel

/// Shared by the test targets. The nftables tests/py corpus, kept in the project at
/// `Tests/Corpus/nft-py` (see its README); NFTCTL_CORPUS points the tests at another copy.
public enum Corpus {
    public struct Record: Sendable {
        public let id: String
        public let family: String
        public let rule: String
        public let status: String
        public let listed: String?
        public let listedJSON: JSON?
        public let chainDef: String?
        public let setup: [String]
    }

    /// Found from this source file, so the tests read it wherever the checkout is.
    public static let directory: URL = {
        if let env = ProcessInfo.processInfo.environment["NFTCTL_CORPUS"] { return URL(fileURLWithPath: env) }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Corpus/nft-py")
    }()

    /// Every record; empty when the corpus is missing (tests then fail loudly, never pass).
    public static let records: [Record] = {
        let dir = directory
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: dir.path) else { return [] }
        var out: [Record] = []
        for f in files.sorted() where f.hasSuffix(".jsonl") {
            guard let text = try? String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8) else { continue }
            for line in text.split(separator: "\n") {
                guard let j = try? JSON.parse(String(line)) else { continue }
                let n = j["nft_1_0_6"]
                out.append(
                    Record(
                        id: j["id"]?.stringValue ?? "?", family: j["table_family"]?.stringValue ?? "?",
                        rule: j["rule"]?.stringValue ?? "", status: n?["status"]?.stringValue ?? "",
                        listed: n?["listed"]?.stringValue, listedJSON: n?["listed_json"],
                        chainDef: j["chain_def"]?.stringValue,
                        setup: j["setup"]?.arrayValue?.compactMap(\.stringValue) ?? []))
            }
        }
        return out
    }()

    /// Records nft 1.0.6 accepted.
    public static var accepted: [Record] { records.filter { $0.status == "ok" || $0.status == "ok-listing-differs" } }
}
