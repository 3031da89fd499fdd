import CPcap
@testable import TapedeckCapture
import TapedeckCore
import Testing

/// Filters compiled with libpcap, and libpcap's messages for the ones it refuses.
@Suite struct BPFProgramTests {
    @Test func compilesAFilterForEthernet() throws {
        let program = try BPFProgram(expression: "tcp port 80")
        #expect(program.expression == "tcp port 80")
        #expect(program.instructionCount > 1)
    }

    /// The empty expression is a single `ret #snaplen`: it keeps every packet, cut to the snapshot length.
    @Test func emptyExpressionAcceptsEverythingUpToTheSnapLength() throws {
        let program = try BPFProgram(expression: "", snapLength: 96)
        #expect(program.instructionCount == 1)
        let instruction = program.withProgram { $0.pointee.bf_insns.pointee }
        #expect(instruction.code == UInt16(BPF_RET | BPF_K))
        #expect(instruction.k == 96)
    }

    @Test func outOfRangePortIsRefusedWithLibpcapsMessage() {
        #expect(throws: CaptureError.invalidFilter(expression: "tcp port 99999", reason: "illegal port number 99999 > 65535")) {
            try BPFProgram(expression: "tcp port 99999")
        }
    }

    @Test func syntaxErrorIsRefused() throws {
        let error = try #require(throws: CaptureError.self) { try BPFProgram(expression: "tcp prot 80") }
        guard case .invalidFilter(let expression, let reason) = error else {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(expression == "tcp prot 80")
        #expect(reason.contains("syntax error"), "\(reason)")
        #expect(error.description.hasPrefix("invalid capture filter 'tcp prot 80': "))
    }

    @Test(arguments: [0, LiveCapture.maximumSnapLength + 1])
    func snapLengthOutOfRangeIsRefused(_ snapLength: Int) {
        #expect(throws: CaptureError.invalidConfiguration(reason: "snapshot length \(snapLength) must be 1 to 262144")) {
            try BPFProgram(expression: "tcp", snapLength: snapLength)
        }
    }

    /// Link types reach libpcap as its `DLT_*` values: `LINKTYPE_RAW` (101) is `DLT_RAW` (12 on
    /// Linux), which libpcap compiles for, where 101 itself is an unknown data link type.
    @Test func compilesForOtherLinkTypes() throws {
        #expect(try BPFProgram(expression: "ip", linkType: .raw).instructionCount > 1)
        #expect(try BPFProgram(expression: "ip", linkType: .linuxSLL).instructionCount > 1)
        #expect(try BPFProgram(expression: "ip", linkType: .null).instructionCount > 1)
    }

    @Test(arguments: [DLT_ATM_RFC1483, DLT_RAW, DLT_SLIP_BSDOS, DLT_PPP_BSDOS, DLT_ATM_CLIP, DLT_LOOP, DLT_ENC,
                      DLT_HDLC, DLT_PFSYNC, DLT_PKTAP, DLT_NULL, DLT_EN10MB, DLT_LINUX_SLL, DLT_LINUX_SLL2])
    func dataLinkIsTheInverseOfTheLinkTypeTable(_ dataLink: Int32) {
        #expect(LinkType(dataLink: dataLink).dataLink == dataLink)
    }
}
