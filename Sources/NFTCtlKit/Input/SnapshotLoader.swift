import NFTAnalysis

/// `--against`: a snapshot (a listing saved with `nftctl list --format json` or
/// `nft -j list ruleset`) is the live side as it is; a rules file (commands, `.nft`,
/// `.swift`) is first loaded into a scratch namespace, like the desired side.
public enum SnapshotLoader {
    public static func listing(_ path: String) throws -> Document {
        if try InputKind.of(path) == .json {
            if let text = try? InputLoader.readText(path), let json = try? JSON.parse(text),
                let doc = try? Document.decode(json), isListing(doc)
            {
                return doc
            }
        }
        let input = try InputLoader.load(path)
        let creation = input.state.creationBatch()
        return try KernelCheck.loadAndList(creation.document, locations: creation.locations, origin: path)
    }

    /// A listing holds ruleset elements, not commands.
    static func isListing(_ doc: Document) -> Bool {
        doc.entries.allSatisfy {
            if case .item = $0 { return true }; return false
        }
    }
}
