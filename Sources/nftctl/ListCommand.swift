import ArgumentParser
import NFTAnalysis
import NFTCtlKit

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List the live ruleset, or one table, through nftctl's model."
    )

    @OptionGroup var namespace: NetnsOption

    @Option(
        name: .long, parsing: .upToNextOption,
        help: ArgumentHelp("Only this table.", valueName: "FAMILY NAME"))
    var table: [String] = []

    @Option(name: .long, help: "Output format: nft or json.")
    var format: OutputFormat = .nft

    func validate() throws {
        if !table.isEmpty && table.count != 2 { throw ValidationError("--table takes two values: FAMILY NAME") }
    }

    func run() throws {
        let backend = try namespace.backend()
        var items: [RulesetItem]
        var metainfo: [RulesetItem] = []
        if table.count == 2 {
            items = try backend.list(table: table[0], name: table[1]).items
        } else {
            let doc = try backend.list()
            items = doc.items
            for case .item(let m) in doc.entries { if case .metainfo = m { metainfo.append(m) } }
        }
        defer { ProcessLifetime.keep(items) }
        switch format {
        case .nft: try emit(nftListing(items), to: nil)
        case .json:
            let doc = Document((metainfo + items).map { Document.Entry.item($0) })
            try emit(doc.json.serialized(.spaced), to: nil)
        }
    }
}
