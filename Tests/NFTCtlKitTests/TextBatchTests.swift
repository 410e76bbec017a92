import NFTAnalysis
import Testing

@testable import NFTCtlKit

/// The nft-syntax transport without a kernel: what is written, what is refused, and how
/// the text listing's declarations are read back.
@Suite struct TextBatchTests {
    func cmd(_ v: Verb, _ i: RulesetItem) -> Document.Entry { .command(Command(v, i)) }

    @Test func oneCommandPerLineWithDeclarationsNftKeeps() throws {
        var set = NamedSet(family: "inet", table: "t", name: "s")
        set.type = .typeof(.payload(.field(protocol: "ip", field: "saddr")))
        set.flags = FlagList(["dynamic"])
        set.autoMerge = nil
        set.comment = "set comment"
        let batch = Document([
            cmd(.add, .table(Table(family: "inet", name: "t", flags: FlagList(["dormant"]), comment: "c"))),
            cmd(.add, .set(set)),
            cmd(.add, .rule(Rule(family: "inet", table: "t", chain: "c", expr: [.text("jump {\n\t\t\tcounter packets 0 bytes 0\n\t\t}")]))),
            cmd(.delete, .rule(Rule(family: "inet", table: "t", chain: "c", handle: 7)))
        ])
        let t = try TextBatch.render(batch)
        let lines = t.text.split(separator: "\n").map(String.init)
        #expect(
            lines == [
                "add table inet t { flags dormant; comment \"c\"; }",
                "add set inet t s { typeof ip saddr; flags dynamic; comment \"set comment\"; }",
                "add rule inet t c jump { counter packets 0 bytes 0; }",
                "delete rule inet t c handle 7"
            ])
        #expect(t.entry(forError: "batch:3:1-10: Error: Could not process rule") == 2)
    }

    @Test(arguments: [
        "x\"; delete table inet victim #",  // a quote would end the string
        "line\nbreak",  // a newline would end the command
        "bidi \u{202E}reversed",  // the printer would show it escaped, not carry it
        "c1 \u{85}next line"
    ])
    func stringsNftCannotQuoteAreRefused(_ comment: String) {
        let batch = Document([cmd(.add, .table(Table(family: "inet", name: "t", comment: comment)))])
        #expect(throws: TextBatch.Unsafe.self) { try TextBatch.render(batch) }
    }

    /// nft strings have no escapes: a backslash is written as it is.
    @Test func aBackslashIsItself() throws {
        let batch = Document([cmd(.add, .table(Table(family: "inet", name: "t", comment: "back\\slash\\")))])
        #expect(try TextBatch.render(batch).text == "add table inet t { comment \"back\\slash\\\"; }\n")
    }

    @Test(arguments: ["my chain", "a;b", "x}"])
    func namesThatAreNotIdentifiersAreRefused(_ name: String) {
        let batch = Document([cmd(.add, .chain(Chain(family: "inet", table: "t", name: name)))])
        #expect(throws: TextBatch.Unsafe.self) { try TextBatch.render(batch) }
        let jump = Document([cmd(.add, .rule(Rule(family: "inet", table: "t", chain: "c", expr: [.verdict(.jump(name))])))])
        #expect(throws: TextBatch.Unsafe.self) { try TextBatch.render(jump) }
    }

    @Test(arguments: ["accept; delete table inet victim", "counter # rest", "jump { accept }}", "log prefix \"x\nadd table ip y\""])
    func textStatementsThatCouldEndTheCommandAreRefused(_ text: String) {
        let batch = Document([cmd(.add, .rule(Rule(family: "inet", table: "t", chain: "c", expr: [.text(text)])))])
        #expect(throws: TextBatch.Unsafe.self) { try TextBatch.render(batch) }
    }

    /// A long run of rules is written on two threads: the same lines in the same order as
    /// one command at a time, and of two rules that cannot be written, the first is named.
    @Test func aLongRunOfRulesIsWrittenAsOneThreadWould() throws {
        let n = TextBatch.twoThreadRun * 2 + 3
        func rule(_ i: Int, comment: String? = nil) -> Document.Entry {
            var r = Rule(family: "inet", table: "t", chain: "c", expr: [.verdict(i % 2 == 0 ? .accept : .drop)])
            r.comment = comment ?? "rule \(i)"
            return cmd(.add, .rule(r))
        }
        let head = [cmd(.add, .table(Table(family: "inet", name: "t"))), cmd(.add, .chain(Chain(family: "inet", table: "t", name: "c")))]
        // After the run, a declaration and a short run (written one after another).
        let tail = [cmd(.add, .chain(Chain(family: "inet", table: "t", name: "d"))), rule(n), rule(n + 1)]
        let batch = Document(head + (0..<n).map { rule($0) } + tail)
        let t = try TextBatch.render(batch)
        var one = ""
        for case .command(let c) in batch.entries { one += try TextBatch.command(c, sets: [:]) + "\n" }
        #expect(t.text == one)
        #expect(t.lines == Array(batch.entries.indices))
        // A quote in the first half's last rule and in the second half's first (which its
        // thread reaches first): the first half's is named.
        let last = n / 2 - 1
        var entries = batch.entries
        entries[head.count + last] = rule(last, comment: "a\"b")
        entries[head.count + last + 1] = rule(last + 1, comment: "c\"d")
        do {
            _ = try TextBatch.render(Document(entries))
            Issue.record("rendered")
        } catch {
            #expect(error.entry == head.count + last)
        }
        entries[head.count + last] = rule(last)
        do {
            _ = try TextBatch.render(Document(entries))
            Issue.record("rendered")
        } catch {
            #expect(error.entry == head.count + last + 1)
        }
    }

    @Test func quotedStringsInTextStatementsAreKept() throws {
        #expect(try TextBatch.foldedStatement("iifname \"lo\" counter comment \"a;b # {\"") == "iifname \"lo\" counter comment \"a;b # {\"")
    }

    @Test func textListingDeclarationsAndRules() {
        let listing = """
            table inet fid { # handle 1
            \tflags dormant
            \tcomment "table comment"

            \tset s1 { # handle 2
            \t\ttypeof ip saddr . tcp dport
            \t\tflags dynamic,timeout
            \t\tauto-merge
            \t\tcomment "set comment"
            \t}

            \tchain c1 { # handle 3
            \t\tcomment "chain comment"
            \t\ttype filter hook input priority filter; policy accept;
            \t\tip saddr 10.0.0.1 jump {
            \t\t\tcounter packets 0 bytes 0
            \t\t} # handle 6
            \t\tiifname "lo" accept comment "x # handle 9" # handle 7
            \t}
            }
            """
        let t = TextListing(listing)
        let table = t.table("inet", "fid")
        #expect(table?.flags == ["dormant"])
        #expect(table?.comment == "table comment")
        let chain = table?.chains.first
        #expect(chain?.comment == "chain comment")
        #expect(chain?.rules[6] == "ip saddr 10.0.0.1 jump {\n\t\t\tcounter packets 0 bytes 0\n\t\t}")
        #expect(chain?.rules[7] == "iifname \"lo\" accept comment \"x # handle 9\"")
        var s = NamedSet(family: "inet", table: "fid", name: "s1")
        s.type = .concat(["ipv4_addr", "inet_service"])
        table?.sets.first?.apply(to: &s)
        #expect(
            s.type
                == .typeof(.concat([.payload(.field(protocol: "ip", field: "saddr")), .payload(.field(protocol: "tcp", field: "dport"))])))
        #expect(s.flags?.values.contains("dynamic") == true)
        #expect(s.autoMerge == true)
        #expect(s.comment == "set comment")
    }

    @Test func tableFlagsPrintedFromFreedMemoryAreDropped() {
        let ok =
            #"{"nftables": [{"table": {"family": "inet", "name": "t", "handle": 1, "flags": "ipv4_addr"}}, {"chain": {"family": "inet", "table": "t", "name": "c", "handle": 2}}]}"#
        #expect(
            ListingRepair.dropTableFlags(ok)
                == #"{"nftables": [{"table": {"family": "inet", "name": "t", "handle": 1}}, {"chain": {"family": "inet", "table": "t", "name": "c", "handle": 2}}]}"#
        )
        #expect(ListingRepair.dropTableFlags(#"{"nftables": [{"table": {"family": "inet", "name": "t", "handle": 1, "flags": "#) == nil)
    }
}
