// TCP options: what the parser accepts and refuses, and the exact bytes the writer lays
// down (Linux's layout), for the option sets Linux sends.
import ExoPacket
import Testing

/// Parses `bytes` as an options area.
func parseOptions(_ bytes: [UInt8]) throws -> TCPOptions {
    try bytes.withUnsafeBytes { try TCPOptions(parsing: PacketBytes(unsafeBuffer: $0)) }
}

/// The bytes `options.emit` writes, after checking it wrote exactly `encodedLength`.
func emitOptions(_ options: TCPOptions) -> [UInt8] {
    var bytes = [UInt8](repeating: 0xEE, count: TCPOptions.maximumLength)
    let written = MutablePacketBytes.with(&bytes) { options.emit(into: $0) }
    #expect(written == options.encodedLength)
    #expect(bytes[written...].allSatisfy { $0 == 0xEE }, "emit wrote past encodedLength")
    return Array(bytes.prefix(written))
}

func sackBlocks(_ pairs: [(UInt32, UInt32)]) -> TCPSACKBlocks {
    var blocks = TCPSACKBlocks()
    for (start, end) in pairs {
        let appended = blocks.append(TCPSACKBlock(start: TCPSequenceNumber(start), end: TCPSequenceNumber(end)))
        #expect(appended)
    }
    return blocks
}

@Suite struct TCPOptionsTests {
    @Test func readsLinuxSynOptions() throws {
        let options = try parseOptions(Array(TCPSamples.syn[20...]))
        #expect(options.maximumSegmentSize == 1460)
        #expect(options.sackPermitted)
        #expect(options.timestamps == TCPTimestamps(value: 0x6980_1CBC, echoReply: 0))
        #expect(options.windowScale == 10)
        #expect(options.sackBlocks.isEmpty)
    }

    @Test func readsThreeSackBlocksNewestFirst() throws {
        let options = try parseOptions(Array(TCPSamples.sack3[20...]))
        #expect(options.timestamps == TCPTimestamps(value: 0xE938_393B, echoReply: 1001))
        #expect(
            options.sackBlocks
                == sackBlocks([(0x1111_1306, 0x1111_136A), (0x1111_123E, 0x1111_12A2), (0x1111_1176, 0x1111_11DA)]))
        #expect(options.maximumSegmentSize == nil && options.windowScale == nil && !options.sackPermitted)
    }

    @Test func linuxSynOptionsAreWrittenAsLinuxWritesThem() {
        var options = TCPOptions()
        options.maximumSegmentSize = 1460
        options.sackPermitted = true
        options.timestamps = TCPTimestamps(value: 0x6980_1CBC, echoReply: 0)
        options.windowScale = 10
        #expect(options.encodedLength == 20)
        #expect(emitOptions(options) == Array(TCPSamples.syn[20..<40]))
    }

    @Test func ackWithTimestampsIsNopNopTimestamps() {
        var options = TCPOptions()
        options.timestamps = TCPTimestamps(value: 0x0102_0304, echoReply: 0xA0B0_C0D0)
        #expect(emitOptions(options) == [1, 1, 8, 10, 0x01, 0x02, 0x03, 0x04, 0xA0, 0xB0, 0xC0, 0xD0])
    }

    @Test func ackWithTimestampsAndThreeSackBlocksFillsForty() {
        var options = TCPOptions()
        options.timestamps = TCPTimestamps(value: 7, echoReply: 9)
        options.sackBlocks = sackBlocks([(100, 200), (300, 400), (0xFFFF_FF00, 0x10)])
        let expected: [UInt8] = [
            1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9,
            1, 1, 5, 26,
            0, 0, 0, 100, 0, 0, 0, 200,
            0, 0, 1, 0x2C, 0, 0, 1, 0x90,
            0xFF, 0xFF, 0xFF, 0x00, 0, 0, 0, 0x10,
        ]
        #expect(options.encodedLength == 40)
        #expect(emitOptions(options) == expected)
    }

    @Test func sackPermittedWithoutTimestampsAndMSSOnly() {
        var options = TCPOptions()
        options.maximumSegmentSize = 536
        #expect(emitOptions(options) == [2, 4, 0x02, 0x18])
        options.sackPermitted = true
        options.windowScale = 0
        #expect(emitOptions(options) == [2, 4, 0x02, 0x18, 1, 1, 4, 2, 1, 3, 3, 0])
        #expect(emitOptions(TCPOptions()) == [])
    }

    @Test func sackBlocksThatDoNotFitAreLeftOutLastFirst() throws {
        // With timestamps, 3 blocks fit (12 + 4 + 24 = 40); the fourth is dropped.
        var options = TCPOptions()
        options.timestamps = TCPTimestamps(value: 1, echoReply: 2)
        options.sackBlocks = sackBlocks([(1, 2), (3, 4), (5, 6), (7, 8)])
        #expect(options.emittedSACKBlockCount == 3)
        #expect(options.encodedLength == 40)
        #expect(try parseOptions(emitOptions(options)).sackBlocks == sackBlocks([(1, 2), (3, 4), (5, 6)]))
        // With MSS, timestamps and window scale too (20 bytes), 2 fit.
        options.maximumSegmentSize = 1000
        options.windowScale = 3
        #expect(options.emittedSACKBlockCount == 2 && options.encodedLength == 40)
        // Without other options all 4 fit: 4 + 32 = 36.
        var bare = TCPOptions()
        bare.sackBlocks = sackBlocks([(1, 2), (3, 4), (5, 6), (7, 8)])
        #expect(bare.encodedLength == 36)
        #expect(try parseOptions(emitOptions(bare)) == bare)
    }

    @Test func windowScaleAbove14IsClampedOnParse() throws {
        #expect(try parseOptions([3, 3, 15]).windowScale == 14)
        #expect(try parseOptions([3, 3, 255]).windowScale == 14)
        #expect(try parseOptions([3, 3, 14]).windowScale == 14)
        #expect(try parseOptions([3, 3, 0]).windowScale == 0)
    }

    @Test func endOfListEndsParsingAndNopsAndUnknownKindsAreSkipped() throws {
        // NOP, an unknown kind 30 of length 4, MSS, EOL, then garbage that is never read.
        let options = try parseOptions([1, 30, 4, 0xAA, 0xBB, 2, 4, 0x05, 0xB4, 0, 0xFF, 0xFF])
        #expect(options.maximumSegmentSize == 1460)
        var expected = TCPOptions()
        expected.maximumSegmentSize = 1460
        #expect(options == expected)
        #expect(try parseOptions([]) == TCPOptions())
        #expect(try parseOptions([0, 0, 0, 0]) == TCPOptions())
        #expect(try parseOptions([1, 1, 1, 1]) == TCPOptions())
    }

    @Test func aRepeatedOptionReplacesTheEarlierOne() throws {
        #expect(try parseOptions([2, 4, 0, 100, 2, 4, 0, 200]).maximumSegmentSize == 200)
    }

    @Test(
        arguments: [
            [2],  // kind with no length byte
            [30, 0], [30, 1],  // length below 2
            [30, 5, 0, 0],  // length past the end
            [2, 3, 0], [2, 5, 0, 0, 0],  // MSS not 4
            [3, 2], [3, 4, 0, 0],  // window scale not 3
            [4, 3, 0],  // SACK-permitted not 2
            [8, 9, 0, 0, 0, 0, 0, 0, 0], [8, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0],  // timestamps not 10
            [5, 2], [5, 9, 0, 0, 0, 0, 0, 0, 0],  // SACK: no block, or not a multiple of 8
            [1, 1, 2, 4, 5],  // valid start, truncated MSS
        ] as [[UInt8]])
    func malformedOptionsAreRefused(bytes: [UInt8]) {
        #expect(throws: PacketError.malformed) { try parseOptions(bytes) }
    }

    @Test func sackBlocksHoldFourInlineAndRefuseAFifth() {
        var blocks = TCPSACKBlocks()
        for index in 0..<TCPSACKBlocks.capacity {
            let appended = blocks.append(
                TCPSACKBlock(start: TCPSequenceNumber(UInt32(index)), end: TCPSequenceNumber(99)))
            #expect(appended)
        }
        let fifth = blocks.append(TCPSACKBlock(start: TCPSequenceNumber(7), end: TCPSequenceNumber(8)))
        #expect(!fifth)
        #expect(blocks.count == 4 && blocks.map(\.start.rawValue) == [0, 1, 2, 3])
        blocks[2].end = TCPSequenceNumber(5)
        #expect(blocks[2].end == TCPSequenceNumber(5))
        blocks.removeAll()
        #expect(blocks.isEmpty && blocks == TCPSACKBlocks())
        // Equality and hashing see only the blocks in use, not what a slot held before.
        var reused = TCPSACKBlocks()
        reused.append(TCPSACKBlock(start: TCPSequenceNumber(1), end: TCPSequenceNumber(2)))
        reused.removeAll()
        #expect(reused == TCPSACKBlocks() && reused.hashValue == TCPSACKBlocks().hashValue)
    }
}
