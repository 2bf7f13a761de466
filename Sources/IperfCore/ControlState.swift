// The one-byte messages of iperf3's control connection (iperf.h's state values): the server
// announces each phase of a test with one, the client answers with TEST_END, IPERF_DONE or
// CLIENT_TERMINATE.

/// A state byte on the control connection; the raw value is the signed byte on the wire.
public enum ControlState: Int8, Sendable, CaseIterable {
    case testStart = 1
    case testRunning = 2
    case testEnd = 4
    case parameterExchange = 9
    case createStreams = 10
    case serverTerminate = 11
    case clientTerminate = 12
    case exchangeResults = 13
    case displayResults = 14
    case iperfStart = 15
    case iperfDone = 16
    /// Sent on a connection the server will not serve (busy, or a stream it does not expect).
    case accessDenied = -1
    /// Followed by two big-endian 32-bit words: iperf3's error number and an errno.
    case serverError = -2

    /// The byte as sent.
    public var byte: UInt8 { UInt8(bitPattern: rawValue) }

    /// The state a received byte names, or nil for a value iperf3 does not define.
    public init?(byte: UInt8) { self.init(rawValue: Int8(bitPattern: byte)) }
}
