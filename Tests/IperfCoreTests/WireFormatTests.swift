// The bytes of iperf3's control connection: state values, the SERVER_ERROR message, the
// cookie's length, the length-prefixed JSON frames, and the results message both ways.
import IperfCore
import Testing

@Suite struct WireFormatTests {
    @Test func stateBytesAreIperf3sValues() {
        #expect(ControlState.parameterExchange.byte == 9)
        #expect(ControlState.createStreams.byte == 10)
        #expect(ControlState.testStart.byte == 1 && ControlState.testRunning.byte == 2)
        #expect(ControlState.testEnd.byte == 4 && ControlState.exchangeResults.byte == 13)
        #expect(ControlState.displayResults.byte == 14 && ControlState.iperfDone.byte == 16)
        #expect(ControlState.accessDenied.byte == 0xFF && ControlState.serverError.byte == 0xFE)
        #expect(ControlState(byte: 0xFF) == .accessDenied)
        #expect(ControlState(byte: 3) == nil)
    }

    @Test func serverErrorIsTheStateThenTheCodeAndErrnoBigEndian() {
        #expect(ServerErrorCode.notImplemented.message == [0xFE, 0, 0, 0, 13, 0, 0, 0, 0])
        #expect(ServerErrorCode.badParameters.message == [0xFE, 0, 0, 0, 114, 0, 0, 0, 22])
    }

    @Test func aCookieIsExactlyThirtySevenBytes() {
        #expect(TestCookie(CapturedMessages.cookie)?.description == "u4fsyjqdkdrlpnoqrdjdw3o2d5xrtapoab6g")
        #expect(TestCookie(Array(CapturedMessages.cookie.dropLast())) == nil)
        #expect(TestCookie(CapturedMessages.cookie + [0]) == nil)
    }

    @Test func aFrameIsItsLengthBigEndianThenTheText() throws {
        let frame = JSONFrame.encode(CapturedMessages.bytes("{}"))
        #expect(frame == [0, 0, 0, 2, 0x7B, 0x7D])
        #expect(try JSONFrame.parse(frame[...]) == .complete(json: [0x7B, 0x7D], consumed: 6))
        #expect(try JSONFrame.parse(frame.dropLast()) == .incomplete)
        #expect(try JSONFrame.parse([0, 0][...]) == .incomplete)
        // Bytes after the frame stay for the next message.
        #expect(try JSONFrame.parse((frame + [16])[...]) == .complete(json: [0x7B, 0x7D], consumed: 6))
    }

    @Test func aFrameLongerThanTheBoundIsRefusedBeforeItsBytesArrive() {
        let length = JSONFrame.maximumLength + 1
        let header: [UInt8] = [UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)]
        #expect(throws: SessionError.messageTooLong(length)) { try JSONFrame.parse(header[...]) }
    }

    @Test func theClientsResultsDecodeWithItsUnsignedMinusOne() throws {
        let results = try TestResults.decode(CapturedMessages.bytes(CapturedMessages.reverseClientResults))
        #expect(results.senderHasRetransmits == -1)
        #expect(results.congestionUsed == "bbr")
        #expect(results.streams.map(\.id) == [1, 3])
        #expect(results.streams.map(\.bytes) == [343_015_424, 336_461_824])
        #expect(results.streams.map(\.retransmits) == [-1, -1])
        #expect(results.streams[0].endTime == 1.001164)
        let forward = try TestResults.decode(CapturedMessages.bytes(CapturedMessages.forwardClientResults))
        #expect(forward.senderHasRetransmits == 1 && forward.streams[0].retransmits == 17)
    }

    @Test func resultsThatAreNotIperf3sObjectAreRefused() {
        #expect(throws: SessionError.malformedResults) { try TestResults.decode(CapturedMessages.bytes("[1,2]")) }
        #expect(throws: SessionError.malformedResults) { try TestResults.decode(CapturedMessages.bytes(#"{"cpu_util_total":1}"#)) }
    }

    @Test func theServersResultsRoundTripWithEveryKeyTheClientRequires() throws {
        let ours = TestResults(
            cpu: CPUUtilization(total: 3, user: 1, system: 2), senderHasRetransmits: -1, congestionUsed: "cubic",
            streams: [StreamResult(id: 1, bytes: 123_456_789, seconds: 2.5)])
        let text = String(decoding: ours.encoded(), as: UTF8.self)
        // get_results fails the test unless each of these is present.
        for key in ["cpu_util_total", "cpu_util_user", "cpu_util_system", "sender_has_retransmits", "streams", "id",
                    "bytes", "retransmits", "jitter", "errors", "packets", "start_time", "end_time"] {
            #expect(text.contains("\"\(key)\":"), "\(key) in \(text)")
        }
        #expect(!text.contains("server_output_text"))
        #expect(try TestResults.decode(ours.encoded()) == ours)
    }

    @Test func cpuUtilizationIsPercentOfWallClockTime() {
        let cpu = CPUUtilization(user: .milliseconds(500), system: .milliseconds(1500), over: .seconds(4))
        #expect(cpu == CPUUtilization(total: 50, user: 12.5, system: 37.5))
        #expect(CPUUtilization(user: .seconds(1), system: .zero, over: .zero) == CPUUtilization(total: 0, user: 0, system: 0))
    }
}
