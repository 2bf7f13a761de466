// The results message (iperf_api.c's send_results): each side sends one after
// EXCHANGE_RESULTS, the client first. The client reads the server's streams by id, so the
// ids must be those the server gave the streams in the order it accepted them.

import FoundationEssentials

/// One stream's line of a results message.
public struct StreamResult: Codable, Equatable, Sendable {
    public var id: Int
    /// Bytes received (a receiving stream) or sent (a sending stream).
    public var bytes: UInt64
    /// Retransmitted segments of a sending stream, or -1 when not known.
    public var retransmits: Int
    public var jitter: Double
    public var errors: Int
    public var packets: Int
    /// Seconds from the stream's start to its start and to its end.
    public var startTime: Double
    public var endTime: Double

    enum CodingKeys: String, CodingKey {
        case id, bytes, retransmits, jitter, errors, packets
        case startTime = "start_time"
        case endTime = "end_time"
    }

    /// Reads every number as a `Double` first: cJSON writes large values with an exponent,
    /// and Debian's iperf3 3.12 writes an unknown retransmit count (-1) as 18446744073709551615.
    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        id = LenientNumber.integer(try values.decode(Double.self, forKey: .id))
        bytes = LenientNumber.count(try values.decode(Double.self, forKey: .bytes))
        retransmits = LenientNumber.integer(try values.decode(Double.self, forKey: .retransmits))
        jitter = try values.decode(Double.self, forKey: .jitter)
        errors = LenientNumber.integer(try values.decode(Double.self, forKey: .errors))
        packets = LenientNumber.integer(try values.decode(Double.self, forKey: .packets))
        startTime = try values.decodeIfPresent(Double.self, forKey: .startTime) ?? 0
        endTime = try values.decodeIfPresent(Double.self, forKey: .endTime) ?? 0
    }

    /// A TCP stream's line: no jitter, errors or packets (those are UDP's).
    public init(id: Int, bytes: UInt64, seconds: Double, retransmits: Int = -1) {
        self.id = id
        self.bytes = bytes
        self.retransmits = retransmits
        jitter = 0
        errors = 0
        packets = 0
        startTime = 0
        endTime = seconds
    }
}

/// A side's results: CPU use over the test and a line per stream.
public struct TestResults: Codable, Equatable, Sendable {
    public var cpuUtilTotal: Double
    public var cpuUtilUser: Double
    public var cpuUtilSystem: Double
    /// 1 when the sending side reports retransmits, 0 when it cannot, -1 from a side that
    /// only received.
    public var senderHasRetransmits: Int
    public var congestionUsed: String?
    public var serverOutputText: String?
    public var streams: [StreamResult]

    enum CodingKeys: String, CodingKey {
        case cpuUtilTotal = "cpu_util_total"
        case cpuUtilUser = "cpu_util_user"
        case cpuUtilSystem = "cpu_util_system"
        case senderHasRetransmits = "sender_has_retransmits"
        case congestionUsed = "congestion_used"
        case serverOutputText = "server_output_text"
        case streams
    }

    public init(
        cpu: CPUUtilization, senderHasRetransmits: Int, congestionUsed: String?, serverOutputText: String? = nil,
        streams: [StreamResult]
    ) {
        cpuUtilTotal = cpu.total
        cpuUtilUser = cpu.user
        cpuUtilSystem = cpu.system
        self.senderHasRetransmits = senderHasRetransmits
        self.congestionUsed = congestionUsed
        self.serverOutputText = serverOutputText
        self.streams = streams
    }

    public init(from decoder: any Decoder) throws {
        let values = try decoder.container(keyedBy: CodingKeys.self)
        cpuUtilTotal = try values.decode(Double.self, forKey: .cpuUtilTotal)
        cpuUtilUser = try values.decode(Double.self, forKey: .cpuUtilUser)
        cpuUtilSystem = try values.decode(Double.self, forKey: .cpuUtilSystem)
        senderHasRetransmits = LenientNumber.integer(try values.decode(Double.self, forKey: .senderHasRetransmits))
        congestionUsed = try values.decodeIfPresent(String.self, forKey: .congestionUsed)
        serverOutputText = try values.decodeIfPresent(String.self, forKey: .serverOutputText)
        streams = try values.decode([StreamResult].self, forKey: .streams)
    }

    /// The JSON text (unframed).
    public func encoded() -> [UInt8] {
        // Encoding plain numbers, strings and arrays cannot fail.
        (try? Array(JSONEncoder().encode(self))) ?? []
    }

    /// Decodes a results message's JSON text.
    public static func decode(_ json: [UInt8]) throws(SessionError) -> TestResults {
        do {
            return try JSONDecoder().decode(TestResults.self, from: Data(json))
        } catch {
            throw .malformedResults
        }
    }
}

/// CPU use over a test, in percent of one CPU's wall-clock time (as iperf3 reports it).
public struct CPUUtilization: Equatable, Sendable {
    public var total: Double
    public var user: Double
    public var system: Double

    public init(total: Double, user: Double, system: Double) {
        self.total = total
        self.user = user
        self.system = system
    }

    /// The use between two readings of the process's CPU time over `wall` elapsed time.
    public init(user: Duration, system: Duration, over wall: Duration) {
        let seconds = Self.seconds(wall)
        guard seconds > 0 else {
            self.init(total: 0, user: 0, system: 0)
            return
        }
        let user = 100 * Self.seconds(user) / seconds, system = 100 * Self.seconds(system) / seconds
        self.init(total: user + system, user: user, system: system)
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

/// Numbers from cJSON, whatever their spelling, as the integers they stand for.
enum LenientNumber {
    /// A whole number in `Int`'s range, else -1 (iperf3's "unknown"; also what a -1 written
    /// as an unsigned 64-bit number means).
    static func integer(_ value: Double) -> Int {
        guard value.isFinite, value >= -1, value < 9.2e18 else { return -1 }
        return Int(value.rounded())
    }

    /// A non-negative count (bytes), clamped to `UInt64`'s range.
    static func count(_ value: Double) -> UInt64 {
        guard value.isFinite, value > 0 else { return 0 }
        return value >= 1.8e19 ? UInt64.max : UInt64(value.rounded())
    }
}
