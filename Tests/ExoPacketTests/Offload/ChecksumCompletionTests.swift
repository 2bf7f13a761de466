// Completing a partial checksum in place: the result verifies, bounds are checked before any
// write, and GSO frames are sent to segmentation instead.
import ExoPacket
import Testing

@Suite struct ChecksumCompletionTests {
    static func complete(_ frame: inout [UInt8], _ header: VirtioNetHeader) throws {
        try frame.withUnsafeMutableBytes { (raw) throws in
            try Offload.completeChecksum(MutablePacketBytes(unsafeBuffer: raw), header: header)
        }
    }

    static func transportVerifies(_ frame: [UInt8], tcp: Bool) -> Bool {
        withPacket(frame) { bytes in
            guard let ip = try? IPv4Packet(checking: bytes.dropFirst(14)) else { return false }
            if tcp { return (try? TCPHeader(checking: ip.payload))?.checksumIsValid(source: ip.source, destination: ip.destination) ?? false }
            guard let udp = try? UDPDatagram(checking: ip.payload), udp.checksum != 0 else { return false }
            return udp.checksumIsValid(source: ip.source, destination: ip.destination)
        }
    }

    @Test(arguments: [0, 1, 2, 7, 8, 9, 1459, 1460]) func partialChecksumsAreCompleted(length: Int) throws {
        let data = SuperFrames.payload(length, seed: UInt8(length & 0xFF))
        var tcp = SuperFrames.tcp(payload: data)
        #expect(!Self.transportVerifies(tcp, tcp: true))
        try Self.complete(&tcp, VirtioNetHeader(flags: .needsChecksum, checksumStart: 34, checksumOffset: 16))
        #expect(Self.transportVerifies(tcp, tcp: true))
        var udp = SuperFrames.udp(payload: data)
        try Self.complete(&udp, VirtioNetHeader(flags: .needsChecksum, checksumStart: 34, checksumOffset: 6))
        #expect(Self.transportVerifies(udp, tcp: false))
    }

    @Test func aComputedZeroIsStoredAsAllOnes() throws {
        // Search payloads for one whose UDP checksum comes out as zero.
        var found = false
        for second in 0...255 {
            for first in 0...255 {
                var frame = SuperFrames.udp(payload: [UInt8(first), UInt8(second)])
                try Self.complete(&frame, VirtioNetHeader(flags: .needsChecksum, checksumStart: 34, checksumOffset: 6))
                if frame[40] == 0xFF && frame[41] == 0xFF {
                    #expect(Self.transportVerifies(frame, tcp: false))
                    found = true
                    break
                }
            }
            if found { break }
        }
        #expect(found)
    }

    @Test func withoutNeedsChecksumNothingIsWritten() throws {
        var frame = SuperFrames.udp(payload: SuperFrames.payload(100))
        let before = frame
        try Self.complete(&frame, VirtioNetHeader(flags: .dataValid, checksumStart: 34, checksumOffset: 6))
        try Self.complete(&frame, VirtioNetHeader())
        #expect(frame == before)
    }

    @Test func refusalsWriteNothing() {
        var frame = SuperFrames.udp(payload: SuperFrames.payload(10))
        let before = frame
        let outOfFrame = VirtioNetHeader(flags: .needsChecksum, checksumStart: UInt16(frame.count - 1), checksumOffset: 0)
        #expect(SuperFrames.fault { try Self.complete(&frame, outOfFrame) } == .badChecksumLocation)
        let gso = VirtioNetHeader(flags: .needsChecksum, gsoType: .udpL4, gsoSize: 4, checksumStart: 34, checksumOffset: 6)
        #expect(SuperFrames.fault { try Self.complete(&frame, gso) } == .needsSegmentation)
        let unknown = VirtioNetHeader(flags: .init(rawValue: 4), checksumStart: 34, checksumOffset: 6)
        #expect(SuperFrames.fault { try Self.complete(&frame, unknown) } == .unknownFlags)
        #expect(frame == before)
    }
}
