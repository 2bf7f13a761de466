// The pcap stream exoctl capture writes: the file header and record bytes exactly, in the
// nanosecond variant of the classic format with the Ethernet link type.

import ExoClient
import Testing

@Suite("pcap format")
struct PcapTests {
    @Test("the file header is the nanosecond magic, version 2.4, zone 0, sigfigs 0, snaplen, Ethernet")
    func fileHeader() {
        #expect(Pcap.fileHeader(snapLength: 65_000) == [
            0x4D, 0x3C, 0xB2, 0xA1,  // magic 0xa1b23c4d, little-endian
            0x02, 0x00, 0x04, 0x00,  // version 2.4
            0x00, 0x00, 0x00, 0x00,  // thiszone
            0x00, 0x00, 0x00, 0x00,  // sigfigs
            0xE8, 0xFD, 0x00, 0x00,  // snaplen 65000
            0x01, 0x00, 0x00, 0x00,  // LINKTYPE_ETHERNET
        ])
        #expect(Pcap.fileHeader(snapLength: 96).count == Pcap.fileHeaderSize)
    }

    @Test("a record is seconds, nanoseconds, captured length, original length, then the bytes")
    func record() {
        let bytes: [UInt8] = [1, 2, 3]
        // 2023-11-14T22:13:20.123456789Z
        let record = Pcap.record(timestampNanoseconds: 1_700_000_000_123_456_789, originalLength: 60, captured: bytes)
        #expect(record == [
            0x00, 0xF1, 0x53, 0x65,  // 1_700_000_000 s
            0x15, 0xCD, 0x5B, 0x07,  // 123_456_789 ns
            0x03, 0x00, 0x00, 0x00,  // incl_len
            0x3C, 0x00, 0x00, 0x00,  // orig_len
            1, 2, 3,
        ])
    }

    @Test("the original length is never below the captured length")
    func originalLengthFloor() {
        let record = Pcap.record(timestampNanoseconds: 0, originalLength: 1, captured: [9, 9])
        #expect(Array(record[12..<16]) == [2, 0, 0, 0])
        #expect(record.count == Pcap.recordHeaderSize + 2)
    }
}
