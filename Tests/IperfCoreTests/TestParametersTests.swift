// What the client's parameters ask for, and which tests this server refuses with which of
// iperf3's error numbers.
import IperfCore
import Testing

@Suite struct TestParametersTests {
    static func plan(_ json: String) throws(ParameterError) -> TestPlan {
        try TestParameters.decode(CapturedMessages.bytes(json)).plan()
    }

    @Test func theDefaultTestIsOneStreamTheClientSendingFor128KiBWrites() throws {
        let plan = try Self.plan(CapturedMessages.forwardParameters)
        #expect(plan == TestPlan(direction: .clientToServer, streams: 1, blockSize: 131_072, duration: 1, omit: 0,
                                 sendsServerOutput: false))
        #expect(plan.receivingStreams == 1 && plan.sendingStreams == 0)
    }

    @Test func reverseMakesTheServerSendOnEveryStream() throws {
        let plan = try Self.plan(CapturedMessages.reverseTwoStreamParameters)
        #expect(plan.direction == .serverToClient && plan.streams == 2)
        #expect(plan.receivingStreams == 0 && plan.sendingStreams == 2)
    }

    @Test func bidirectionalReceivesOnTheFirstHalfAndSendsOnTheSecond() throws {
        let plan = try Self.plan(#"{"tcp":true,"time":3,"parallel":2,"bidirectional":true,"omit":1,"get_server_output":1}"#)
        #expect(plan.direction == .bidirectional && plan.receivingStreams == 2 && plan.sendingStreams == 2)
        #expect(plan.omit == 1 && plan.sendsServerOutput)
        #expect(plan.blockSize == TestParameters.defaultBlockSize)
    }

    @Test func udpIsRefusedAsNotImplemented() {
        #expect(throws: ParameterError.notTCP) { try Self.plan(CapturedMessages.udpParameters) }
        #expect(throws: ParameterError.notTCP) { try Self.plan(#"{"sctp":true,"time":1}"#) }
        #expect(ParameterError.notTCP.code == .notImplemented)
    }

    @Test func aRateForTheServersSendingIsRefusedSinceItDoesNotPace() throws {
        #expect(throws: ParameterError.unsupportedRate) { try Self.plan(#"{"tcp":true,"reverse":true,"bandwidth":1000000}"#) }
        // The client paces its own sending: the server has nothing to do.
        #expect(try Self.plan(#"{"tcp":true,"bandwidth":1000000}"#).direction == .clientToServer)
    }

    @Test func outOfRangeOrContradictoryParametersAreRefused() {
        #expect(throws: ParameterError.reverseAndBidirectional) { try Self.plan(#"{"reverse":true,"bidirectional":true}"#) }
        #expect(throws: ParameterError.tooManyStreams) { try Self.plan(#"{"parallel":129}"#) }
        #expect(throws: ParameterError.outOfRange) { try Self.plan(#"{"parallel":0}"#) }
        #expect(throws: ParameterError.outOfRange) { try Self.plan(#"{"len":1048577}"#) }
        #expect(throws: ParameterError.outOfRange) { try Self.plan(#"{"time":1.5}"#) }
        #expect(throws: ParameterError.outOfRange) { try Self.plan(#"{"time":-1}"#) }
        #expect(throws: ParameterError.malformed) { try Self.plan(#"{"time":"#) }
        #expect(throws: ParameterError.malformed) { try Self.plan(#"{"parallel":"two"}"#) }
        #expect(ParameterError.malformed.code == .badParameters)
    }

    @Test func numbersWithAnExponentAreTheirValue() throws {
        #expect(try Self.plan(#"{"time":1e+1}"#).duration == 10)
    }
}
