// The captured-frame event written straight into a caller's buffer, byte for byte what
// `MessageCodec` encodes, so the daemon's packet path copies a frame out without allocating.

/// Writes whole `capturedFrame` records into preallocated memory. Offsets follow the header
/// (`HeaderField`) and the body order of `CapturedPacket`.
public enum CapturedPacketRecord {
    /// Record bytes before the captured bytes: header, capture id, direction, timestamp,
    /// original length and the blob's length.
    public static let overhead = HeaderField.end + 4 + 1 + 8 + 4 + 2

    /// The buffer size a capture of `snapLength` bytes (at most `CaptureLimits.maxSnapLength`) needs.
    public static func capacity(snapLength: Int) -> Int { overhead + snapLength }

    /// Writes the record of one captured frame into `buffer` and returns its length. Takes the
    /// first `min(frame.count, snapLength)` bytes of `frame`; `frame` must hold at least one
    /// byte and at most `UInt32.max`, `snapLength` lie in 1...`CaptureLimits.maxSnapLength`,
    /// and `buffer` hold `capacity(snapLength:)` bytes (the caller sized it once; a violation
    /// is a programming error and traps). Both buffers are only used during the call.
    public static func write(
        into buffer: UnsafeMutableRawBufferPointer, version: UInt16, captureID: UInt32, direction: CaptureDirection,
        timestampNanoseconds: UInt64, frame: UnsafeRawBufferPointer, snapLength: Int
    ) -> Int {
        let captured = min(frame.count, snapLength)
        precondition(captured >= 1 && snapLength <= CaptureLimits.maxSnapLength && buffer.count >= overhead + captured)
        let length = overhead + captured
        buffer.storeBytes(of: WireLimits.magic.littleEndian, toByteOffset: HeaderField.magic, as: UInt32.self)
        buffer.storeBytes(of: version.littleEndian, toByteOffset: HeaderField.version, as: UInt16.self)
        buffer.storeBytes(
            of: MessageKind.capturedFrame.rawValue.littleEndian, toByteOffset: HeaderField.kind, as: UInt16.self)
        buffer.storeBytes(of: UInt32(0), toByteOffset: HeaderField.requestID, as: UInt32.self)
        buffer.storeBytes(
            of: UInt32(length - HeaderField.end).littleEndian, toByteOffset: HeaderField.bodyLength, as: UInt32.self)
        var at = HeaderField.end
        buffer.storeBytes(of: captureID.littleEndian, toByteOffset: at, as: UInt32.self)
        at += 4
        buffer.storeBytes(of: direction.rawValue, toByteOffset: at, as: UInt8.self)
        at += 1
        buffer.storeBytes(of: timestampNanoseconds.littleEndian, toByteOffset: at, as: UInt64.self)
        at += 8
        buffer.storeBytes(of: UInt32(frame.count).littleEndian, toByteOffset: at, as: UInt32.self)
        at += 4
        buffer.storeBytes(of: UInt16(captured).littleEndian, toByteOffset: at, as: UInt16.self)
        at += 2
        UnsafeMutableRawBufferPointer(rebasing: buffer[at..<(at + captured)])
            .copyMemory(from: UnsafeRawBufferPointer(rebasing: frame[..<captured]))
        return length
    }
}
