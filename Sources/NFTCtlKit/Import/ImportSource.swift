import Foundation
import NFTAnalysis
import NFTables

/// What `nftctl import` reads: a file (libnftables JSON, .nft, or a rules file) or the live
/// ruleset. Unlike the other commands it takes what nftctl does not understand too: such parts
/// are carried into the DSL in the model's form.
public enum ImportSource {
    public static func load(_ path: String) throws -> RulesetState {
        let document: Document
        switch try InputKind.of(path) {
        case .swift:
            document = try RulesLoader.load(path).document
        case .nft:
            document = try NftParser.parse(file: path).document  // checked and size-limited there
        case .json:
            let text = try InputLoader.readText(path)
            let json: JSON
            do { json = try JSON.parse(text) } catch { throw Problem("invalid JSON: \(error)", file: path) }
            do { document = try Document.decode(json) } catch { throw Problem("\(error.message)", file: path) }
        }
        return try state(document, origin: path)
    }

    /// The live ruleset of this namespace or a named one.
    public static func live(netns: String?) throws -> RulesetState {
        try state(
            MergedIntervalSets.split(LibNFTablesBackend(netns: netns).list()),
            origin: netns.map { "the ruleset of namespace \($0)" } ?? "the live ruleset")
    }

    static func state(_ document: Document, origin: String) throws -> RulesetState {
        do { return try RulesetState(document: document) } catch { throw Problem("\(error.description)", file: origin) }
    }
}
