// The client's parameters message (iperf_api.c's send_parameters), decoded, and the test it
// asks for once checked: which way the bytes go, how many streams, how long.

import FoundationEssentials

/// The JSON object a client sends after PARAM_EXCHANGE. Numbers are decoded as `Double`
/// because cJSON writes large ones with an exponent; flags are `true` when present.
/// Keys this server does not use (window, MSS, TOS, congestion, ...) are ignored.
public struct TestParameters: Codable, Equatable, Sendable {
    public var tcp: Bool?
    public var udp: Bool?
    public var sctp: Bool?
    public var omit: Double?
    public var time: Double?
    public var num: Double?
    public var blockcount: Double?
    public var parallel: Double?
    public var reverse: Bool?
    public var bidirectional: Bool?
    public var len: Double?
    public var bandwidth: Double?
    public var getServerOutput: Double?
    public var clientVersion: String?

    enum CodingKeys: String, CodingKey {
        case tcp, udp, sctp, omit, time, num, blockcount, parallel, reverse, bidirectional, len, bandwidth
        case getServerOutput = "get_server_output"
        case clientVersion = "client_version"
    }

    public init() {}

    /// Decodes the message's JSON text.
    public static func decode(_ json: [UInt8]) throws(ParameterError) -> TestParameters {
        do {
            return try JSONDecoder().decode(TestParameters.self, from: Data(json))
        } catch {
            throw .malformed
        }
    }
}

/// Which way a test's bytes go.
public enum TestDirection: String, Sendable, Equatable {
    /// The client sends, the server receives (iperf3's default).
    case clientToServer = "client-to-server"
    /// The server sends (`iperf3 -R`).
    case serverToClient = "server-to-client"
    /// Both, each on streams of its own (`iperf3 --bidir`).
    case bidirectional
}

/// A test the server agreed to run.
public struct TestPlan: Equatable, Sendable {
    public var direction: TestDirection
    /// Streams per direction (`-P`).
    public var streams: Int
    /// Bytes per write of a sending stream (`-l`; iperf3's default for TCP is 128 KiB).
    public var blockSize: Int
    /// The test's length in seconds (`-t`); 0 when it ends by bytes or blocks (`-n`, `-k`).
    public var duration: Int
    /// Seconds at the start left out of the results (`-O`).
    public var omit: Int
    /// Whether the client asked for the server's output (`--get-server-output`).
    public var sendsServerOutput: Bool

    public init(direction: TestDirection, streams: Int, blockSize: Int, duration: Int, omit: Int, sendsServerOutput: Bool) {
        self.direction = direction
        self.streams = streams
        self.blockSize = blockSize
        self.duration = duration
        self.omit = omit
        self.sendsServerOutput = sendsServerOutput
    }

    /// Streams the server receives on, then streams it sends on (accepted in this order).
    public var receivingStreams: Int { direction == .serverToClient ? 0 : streams }
    public var sendingStreams: Int { direction == .clientToServer ? 0 : streams }
}

/// Why the server will not run the test the client asked for.
public enum ParameterError: Error, Equatable, Sendable {
    case malformed
    case notTCP
    case reverseAndBidirectional
    case tooManyStreams
    case unsupportedRate
    case outOfRange

    /// The iperf3 error the client is sent.
    public var code: ServerErrorCode {
        switch self {
        case .malformed, .outOfRange: .badParameters
        case .notTCP, .unsupportedRate: .notImplemented
        case .reverseAndBidirectional: .reverseAndBidirectional
        case .tooManyStreams: .tooManyStreams
        }
    }
}

extension TestParameters {
    /// iperf3's limits: MAX_STREAMS, MAX_BLOCKSIZE, MAX_TIME (one day), DEFAULT_TCP_BLKSIZE.
    public static let maximumStreams = 128
    public static let maximumBlockSize = 1024 * 1024
    public static let maximumDuration = 86_400
    public static let defaultBlockSize = 128 * 1024

    /// The test these parameters ask for, if this server runs it: TCP only; a rate is
    /// refused when the server would have to pace its own sending (it does not pace).
    public func plan() throws(ParameterError) -> TestPlan {
        if udp == true || sctp == true { throw .notTCP }
        let reverse = reverse == true, bidirectional = bidirectional == true
        if reverse && bidirectional { throw .reverseAndBidirectional }
        let direction: TestDirection = bidirectional ? .bidirectional : reverse ? .serverToClient : .clientToServer
        let streams = try Self.integer(parallel, default: 1, in: 1...Int.max)
        guard streams <= Self.maximumStreams else { throw .tooManyStreams }
        if direction != .clientToServer, try Self.integer(bandwidth, default: 0, in: 0...Int.max) != 0 {
            throw .unsupportedRate
        }
        return TestPlan(
            direction: direction, streams: streams,
            blockSize: try Self.integer(len, default: Self.defaultBlockSize, in: 1...Self.maximumBlockSize),
            duration: try Self.integer(time, default: 0, in: 0...Self.maximumDuration),
            omit: try Self.integer(omit, default: 0, in: 0...Self.maximumDuration),
            sendsServerOutput: (getServerOutput ?? 0) != 0)
    }

    /// A whole number within `range` (`default` when absent).
    static func integer(_ value: Double?, default fallback: Int, in range: ClosedRange<Int>) throws(ParameterError) -> Int {
        guard let value else { return fallback }
        guard let whole = Int(exactly: value), range.contains(whole) else { throw .outOfRange }
        return whole
    }
}
