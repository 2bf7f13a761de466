// ICMPv4 view, quote and repr over a real echo request and a real port unreachable that
// quotes a UDP datagram: fields, checksums, every truncation of message and quote.
import ExoPacket
import Testing

@Suite struct ICMPv4MessageTests {
    static let echo = Array(PacketSamples.echoRequest[34...])
    static let unreachable = Array(PacketSamples.portUnreachable[34...])

    @Test func readsARealEchoRequest() throws {
        try withPacket(Self.echo) { bytes throws in
            let icmp = try ICMPv4Message(checking: bytes)
            #expect(icmp.type == .echoRequest && icmp.type.isEcho && !icmp.type.isError)
            #expect(icmp.code == 0 && icmp.checksum == 0xC668 && icmp.checksumIsValid)
            #expect(icmp.identifier == 0x0D3C && icmp.sequence == 1)
            #expect(icmp.data.count == 48)
            #expect(try ICMPv4Repr(parsing: icmp) == .echoRequest(identifier: 0x0D3C, sequence: 1, dataLength: 48))
        }
    }

    @Test func readsARealPortUnreachableAndItsQuote() throws {
        try withPacket(Self.unreachable) { bytes throws in
            let icmp = try ICMPv4Message(checking: bytes)
            #expect(icmp.type == .destinationUnreachable && icmp.type.isError && icmp.code == 3)
            #expect(icmp.checksumIsValid)
            let quote = try ICMPv4Quote(checking: icmp.data)
            #expect(quote.protocol == .udp && quote.headerLength == 20 && quote.fragmentOffset == 0)
            #expect(quote.source == PacketSamples.tenant && quote.destination == PacketSamples.host)
            #expect(quote.sourcePort == 7 && quote.destinationPort == 40000)
            #expect(try ICMPv4Repr(parsing: icmp) == .error(type: .destinationUnreachable, code: 3, restOfHeader: 0, quoteLength: 34))
        }
    }

    @Test(arguments: 0..<8) func everyTruncatedHeaderIsRefused(length: Int) {
        withPacket(Array(Self.echo.prefix(length))) { bytes in
            #expect(throws: PacketError.truncated) { try ICMPv4Message(checking: bytes) }
        }
    }

    @Test(arguments: 0..<28) func everyQuoteShorterThanHeaderPlusEightIsRefused(length: Int) {
        withPacket(Array(Self.unreachable[8...].prefix(length))) { bytes in
            #expect(throws: PacketError.truncated) { try ICMPv4Quote(checking: bytes) }
        }
    }

    @Test func aQuoteOfHeaderPlusEightIsEnough() throws {
        try withPacket(Array(Self.unreachable[8..<36])) { bytes throws in
            #expect(try ICMPv4Quote(checking: bytes).destinationPort == 40000)
        }
    }

    @Test func aQuoteWithOptionsNeedsEightBytesPastThem() {
        var quote = Array(Self.unreachable[8...])  // 34 bytes: 20 header + 14
        quote[0] = 0x47  // IHL 7: 28-byte header, so 36 bytes are needed
        withPacket(quote) { bytes in
            #expect(throws: PacketError.truncated) { try ICMPv4Quote(checking: bytes) }
        }
        quote[0] = 0x65
        withPacket(quote) { bytes in
            #expect(throws: PacketError.malformed) { try ICMPv4Quote(checking: bytes) }
        }
    }

    @Test func reprRefusesBadChecksumUnknownTypesAndBadQuotes() {
        var corrupted = Self.echo
        corrupted[20] ^= 0xFF
        var timestamp = Self.echo
        timestamp[0] = 13
        var shortQuote = Array(Self.unreachable.prefix(8 + 27))
        MutablePacketBytes.with(&timestamp) { try! MutableICMPv4Message(checking: $0).fillChecksum() }
        MutablePacketBytes.with(&shortQuote) { try! MutableICMPv4Message(checking: $0).fillChecksum() }
        for (message, error) in [(corrupted, PacketError.badChecksum), (timestamp, .malformed), (shortQuote, .truncated)] {
            withPacket(message) { bytes in
                #expect(throws: error) { try ICMPv4Repr(parsing: try ICMPv4Message(checking: bytes)) }
            }
        }
    }

    @Test func emitReproducesBothRealMessages() throws {
        for (message, repr) in [
            (Self.echo, ICMPv4Repr.echoRequest(identifier: 0x0D3C, sequence: 1, dataLength: 48)),
            (Self.unreachable, .error(type: .destinationUnreachable, code: 3, restOfHeader: 0, quoteLength: 34)),
        ] {
            var buffer = [UInt8](repeating: 0x77, count: 8) + message[8...]
            try MutablePacketBytes.with(&buffer) { bytes throws in _ = try repr.emit(into: bytes) }
            #expect(buffer == message)
            #expect(repr.length == message.count)
        }
    }

    @Test func echoReplyEmitsTypeZero() throws {
        var buffer = [UInt8](repeating: 0, count: 12)
        try MutablePacketBytes.with(&buffer) {
            _ = try ICMPv4Repr.echoReply(identifier: 5, sequence: 6, dataLength: 4).emit(into: $0)
        }
        try withPacket(buffer) { bytes throws in
            #expect(try ICMPv4Repr(parsing: try ICMPv4Message(checking: bytes)) == .echoReply(identifier: 5, sequence: 6, dataLength: 4))
        }
    }
}
