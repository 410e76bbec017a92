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
