// The capture messages' values: which way a captured frame went, the frame as the event
// carries it, why a capture ended, and the capture limits. Field order here is wire order.

/// Which way a captured frame went, seen from the captured tenant.
public enum CaptureDirection: UInt8, Sendable, CaseIterable {
    /// The tenant sent it and the egress guard allowed it (denied frames are not captured).
    case sent = 1
    /// The daemon posted it on the tenant's rx ring.
    case received = 2
}

/// Why a capture ended (the `captureEnded` event). Unknown values are refused on decode.
public enum CaptureEndReason: UInt8, Sendable, CaseIterable {
    /// The requested number of frames was sent to the operator.
    case countReached = 1
    /// The captured tenant's last session ended.
    case tenantDetached = 2
    /// The daemon is shutting down.
    case daemonStopping = 3
}

/// Limits of the capture messages.
public enum CaptureLimits {
    /// Most bytes of one frame a captured-frame event carries (and the largest snap length a
    /// capture may ask for): a whole record, header and fields included, stays under
    /// `WireLimits.maxMessageSize`.
    public static let maxSnapLength = 65_000
}

/// One captured frame, as the `capturedFrame` event carries it.
public struct CapturedPacket: Equatable, Sendable {
    /// The capture this frame belongs to (`Reply.captureStarted`).
    public var captureID: UInt32
    public var direction: CaptureDirection
    /// When the daemon handled the frame: CLOCK_REALTIME, nanoseconds since the Unix epoch.
    public var timestampNanoseconds: UInt64
    /// The frame's length on the data path.
    public var originalLength: UInt32
    /// Its first bytes: 1 to `CaptureLimits.maxSnapLength`, never more than `originalLength`.
    public var bytes: [UInt8]

    public init(
        captureID: UInt32, direction: CaptureDirection, timestampNanoseconds: UInt64, originalLength: UInt32,
        bytes: [UInt8]
    ) {
        self.captureID = captureID
        self.direction = direction
        self.timestampNanoseconds = timestampNanoseconds
        self.originalLength = originalLength
        self.bytes = bytes
    }
}

/// How a capture ended, as the `captureEnded` event carries it.
public struct CaptureEnd: Equatable, Sendable {
    public var captureID: UInt32
    public var reason: CaptureEndReason
    /// Frames sent to the operator.
    public var captured: UInt64
    /// Frames the capture saw but could not send because the operator's socket was full.
    public var lost: UInt64

    public init(captureID: UInt32, reason: CaptureEndReason, captured: UInt64, lost: UInt64) {
        self.captureID = captureID
        self.reason = reason
        self.captured = captured
        self.lost = lost
    }
}

extension CapturedPacket: WireRepresentable {
    static let bytesRange = 1...CaptureLimits.maxSnapLength

    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        captureID = try reader.read()
        guard let direction = CaptureDirection(rawValue: try reader.read()) else {
            throw .badValue("capturedFrame.direction")
        }
        self.direction = direction
        timestampNanoseconds = try reader.read()
        originalLength = try reader.read()
        bytes = try reader.readBlob(field: "capturedFrame.bytes", allowed: Self.bytesRange)
        guard bytes.count <= Int(originalLength) else { throw .badValue("capturedFrame.originalLength") }
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        guard bytes.count <= Int(originalLength) else { throw .badValue("capturedFrame.originalLength") }
        writer.write(captureID)
        writer.write(direction.rawValue)
        writer.write(timestampNanoseconds)
        writer.write(originalLength)
        try writer.writeBlob(bytes, field: "capturedFrame.bytes", allowed: Self.bytesRange)
    }
}

extension CaptureEnd: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        captureID = try reader.read()
        guard let reason = CaptureEndReason(rawValue: try reader.read()) else { throw .badValue("captureEnded.reason") }
        self.reason = reason
        captured = try reader.read()
        lost = try reader.read()
    }

    func emit(into writer: inout WireWriter) {
        writer.write(captureID)
        writer.write(reason.rawValue)
        writer.write(captured)
        writer.write(lost)
    }
}
