import Foundation
import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// Import → rules file → the real swiftc (RulesLoader) → document, compared with the original.
///
/// Equality is checked on the model (`RulesetState` listings after `normalizedForComparison()`,
/// through `ListingComparison`): the generated source must evaluate to exactly the ruleset it
/// was imported from, statement by statement and expression by expression, up to what
/// normalisation erases (handles, counter values, quota usage, element expiry, the order of set
/// elements, the one-value-without-array shape of a JSON set). That is stricter than loading
/// both into the kernel and comparing listings: the kernel would also equate spellings that are
/// different in the model (`{"set": [22]}` and `22`, a named priority and its number, a port
/// name and its number), which would let a lossy import pass. It needs no kernel either, so it
/// also covers records this kernel cannot load.
enum ImportRoundTrip {
    struct Outcome {
        var source: String
        var original: RulesetState
        var evaluated: RulesetState
        var differences: [String]
        var notes: [String]
        var rawStatements: Int
    }

    static func tempDir() throws -> String {
        let d = NSTemporaryDirectory() + "nftctl-import-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
        chmod(d, 0o755)
        return d
    }

    /// Imports `state`, writes the source to DIR/NAME.swift, evaluates it through swiftc and
    /// compares.
    static func run(_ state: RulesetState, name: String, in dir: String, importer: RulesetImporter = RulesetImporter()) throws -> Outcome {
        let result = importer.importRuleset(state, origin: name)
        let path = "\(dir)/\(name).swift"
        try result.source.write(toFile: path, atomically: true, encoding: .utf8)
        chmod(path, 0o644)
        let loaded = try RulesLoader.load(path)
        let evaluated = try RulesetState(document: loaded.document)
        let keys = Array(Set(state.keys).union(evaluated.keys))
        var diffs = ListingComparison.differences(expected: state.listingItems, actual: evaluated.listingItems, tables: keys).map(
            \.description)
        if state.keys.sorted() != evaluated.keys.sorted() {
            diffs.append("tables differ: \(state.keys) vs \(evaluated.keys)")
        }
        return Outcome(
            source: result.source, original: state, evaluated: evaluated, differences: diffs, notes: result.notes,
            rawStatements: result.rawStatements)
    }
}
