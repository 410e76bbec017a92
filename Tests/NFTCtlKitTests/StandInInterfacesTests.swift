import Testing

@testable import NFTCtlKit

/// The interface names a scratch load makes stand-ins for are read from libnftables' own
/// report, at its caret: from a file's quoted line, or (a text buffer, whose report quotes
/// its first line whatever the error's line) from every buffer line at those columns.
struct StandInInterfacesTests {
    @Test func aFileReportNamesTheInterfaceUnderTheCaret() {
        let report = """
            /tmp/libvirt.nft:21:49-54: Error: Interface does not exist
            insert rule ip libvirt_network guest_output iif virbr0 counter reject
                                                            ^^^^^^
            /tmp/libvirt.nft:3:19-27: Error: Interface does not exist
              chain c { iif { "eth9", "lo" } accept; }
                              ^^^^^^
            """
        #expect(StandInInterfaces.names(in: report) == ["virbr0", "eth9"])
    }

    @Test func aBufferReportIsReadAgainstTheBuffersOwnLines() {
        // libnftables 1.0.6 quotes the buffer's first line under an error on line 3.
        let buffer = """
            add table ip t
            add chain ip t c { type filter hook input priority filter; policy accept; }
            add rule ip t c ip saddr 10.0.0.0/8 iif "virbr0" counter accept
            """
        let report = """
            Error: Interface does not exist
            add table ip t
                                                    ^^^^^^^^
            """
        #expect(StandInInterfaces.names(in: report, source: buffer) == ["virbr0"])
    }

    @Test func otherErrorsAndNamesTheKernelCannotHoldGiveNothing() {
        let report = """
            /tmp/x.nft:1:5-9: Error: Could not process rule: No such file or directory
            table ip t { }
                ^^^^^
            /tmp/x.nft:2:5-25: Error: Interface does not exist
            iif averyveryverylongname0 accept
                ^^^^^^^^^^^^^^^^^^^^^
            /tmp/x.nft:3:5-8: Error: Interface does not exist
            iif "a/b" accept
                ^^^^^
            """
        #expect(StandInInterfaces.names(in: report).isEmpty)
        #expect(!StandInInterfaces.isValid(".."))
        #expect(!StandInInterfaces.isValid("a b"))
        #expect(StandInInterfaces.isValid("pppoe-wan"))
    }
}
