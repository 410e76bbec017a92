import NFTables

/// `nftctl apply` (full replace): the declared tables are replaced in ONE libnftables call
/// (`add table` + `delete table` + the creation batch, so it works whether or not they
/// exist and the kernel sees one transaction); no other table is named in the batch. Then
/// the kernel is listed again and compared with what the same kernel made of the batch in
/// a scratch namespace.
public enum ApplyOperation {
    public struct Report: Sendable {
        public var tables: [TableKey]
        public var commands: Int
    }

    /// The single batch that replaces `state`'s tables.
    public static func replaceBatch(_ state: RulesetState) -> (document: Document, locations: [SourceLocation?]) {
        var entries: [Document.Entry] = []
        var locations: [SourceLocation?] = []
        for t in state.tables {
            let bare = Table(family: t.table.value.family, name: t.table.value.name)
            entries.append(.command(Command(.add, .table(bare))))
            entries.append(.command(Command(.delete, .table(bare))))
            locations += [t.table.location, t.table.location]
        }
        let creation = state.creationBatch()
        return (Document(entries + creation.document.entries), locations + creation.locations)
    }

    public static func run(_ input: LoadedInput, backend: Backend) throws -> Report {
        let state = input.state
        guard !state.tables.isEmpty else { throw InputError("\(input.path): declares no tables; nothing to apply") }
        let diagnostics = Validator.validate(state)
        if diagnostics.hasErrors { throw ValidationFailure(diagnostics: diagnostics) }

        let creation = state.creationBatch()
        // The kernel's normal form of what was asked, and its verdict, before touching the host.
        let desired = try KernelCheck.loadAndList(creation.document, locations: creation.locations, origin: input.path)

        let batch = replaceBatch(state)
        do {
            try backend.apply(batch.document, dryRun: false)
        } catch {
            throw ApplyFailure(message: "the kernel refused the batch; nothing was changed: \(error)")
        }

        let live = try backend.list()
        let differences = ListingComparison.differences(expected: desired.items, actual: live.items, tables: state.keys)
        if !differences.isEmpty { throw VerificationFailure(differences: differences) }
        return Report(tables: state.keys, commands: batch.document.entries.count)
    }
}

public struct ApplyFailure: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

/// After the commit, the kernel does not hold what was asked.
public struct VerificationFailure: Error, Sendable, CustomStringConvertible {
    public var differences: [ListingDifference]
    public var description: String {
        "applied, but the kernel does not hold what was asked (- asked for, + found):\n"
            + differences.map { d in
                let text: String
                if case .rule(let r) = d.item { text = "rule in \(r.family) \(r.table) \(r.chain): \(r.nftText())" } else {
                    text = d.item.json.serialized(.spaced)
                }
                return "\(d.side.rawValue) \(text)"
            }.joined(separator: "\n")
    }
}
