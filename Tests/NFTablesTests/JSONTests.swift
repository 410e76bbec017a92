import Testing

@testable import NFTAnalysis
@testable import NFTModel
@testable import NFTables

@Test func parsesAndWritesJSON() throws {
    let j = try JSON.parse(#"{"a": [1, -2, 18446744073709551615, "x\n", true, null], "b": {}}"#)
    #expect(j["a"]?.arrayValue?.count == 6)
    #expect(try JSON.parse(j.serialized()) == j)
    #expect(try JSON.parse(j.serialized(.pretty)) == j)
}

/// `lines`: the top object's arrays one element a line, each element on one line (spaced,
/// as libnftables prints), so that a line-based diff of two batches shows each changed
/// command as one changed line; and it reads back as the same document.
@Test func linesStyleWritesOneCommandALine() throws {
    let j = try JSON.parse(
        #"{"nftables": [{"add": {"table": {"family": "inet", "name": "t"}}}, {"add": {"rule": {"expr": [{"accept": null}], "comment": "a\nb"}}}, []], "x": {"y": [1, 2]}}"#
    )
    let text = j.serialized(.lines)
    #expect(try JSON.parse(text) == j)
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    #expect(
        lines == [
            #"{"nftables": ["#,
            #"{"add": {"table": {"family": "inet", "name": "t"}}},"#,
            #"{"add": {"rule": {"expr": [{"accept": null}], "comment": "a\nb"}}},"#,
            "[]",
            #"], "x": {"y": [1, 2]}}"#
        ])
    // A top array's own arrays stay on one line.
    #expect(try JSON.parse("[[1, 2], {\"a\": [3]}]").serialized(.lines) == #"[[1, 2], {"a": [3]}]"#)
}
