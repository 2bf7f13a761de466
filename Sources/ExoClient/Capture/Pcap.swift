// The classic pcap file format (nanosecond variant, version 2.4, LINKTYPE_ETHERNET): the file
// header and one record per frame, as bytes. Pure: no I/O; `exoctl capture` writes them.

/// Byte layouts of a classic pcap stream, written in little-endian order (readers detect the
/// byte order from the magic). Timestamps have nanosecond resolution (magic 0xa1b23c4d).
public enum Pcap {
    /// The nanosecond-resolution magic; a reader sees 4d 3c b2 a1 and knows the byte order.
    public static let magic: UInt32 = 0xA1B2_3C4D
    public static let versionMajor: UInt16 = 2
    public static let versionMinor: UInt16 = 4
    /// LINKTYPE_ETHERNET: each record is an Ethernet II frame from its destination MAC on.
    public static let linkTypeEthernet: UInt32 = 1
    public static let fileHeaderSize = 24
    public static let recordHeaderSize = 16

    /// The 24-byte file header: magic, version 2.4, zone 0, sigfigs 0, `snapLength`, link type.
    public static func fileHeader(snapLength: UInt32) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(fileHeaderSize)
        append(magic, to: &bytes)
        append(versionMajor, to: &bytes)
        append(versionMinor, to: &bytes)
        append(UInt32(0), to: &bytes)  // thiszone: timestamps are UTC
        append(UInt32(0), to: &bytes)  // sigfigs
        append(snapLength, to: &bytes)
        append(linkTypeEthernet, to: &bytes)
        return bytes
    }

    /// One record: seconds and nanoseconds of `timestampNanoseconds` (since the Unix epoch),
    /// the captured length, the original length, then `captured` itself. Seconds past 2106
    /// do not fit the format's 32 bits and wrap.
    public static func record(timestampNanoseconds: UInt64, originalLength: UInt32, captured: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(recordHeaderSize + captured.count)
        append(UInt32(truncatingIfNeeded: timestampNanoseconds / 1_000_000_000), to: &bytes)
        append(UInt32(timestampNanoseconds % 1_000_000_000), to: &bytes)
        append(UInt32(captured.count), to: &bytes)
        append(max(originalLength, UInt32(captured.count)), to: &bytes)
        bytes.append(contentsOf: captured)
        return bytes
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
}
