// The window every view stands on: big-endian loads and stores, slices, and a range check
// that cannot be fooled by overflow.
import ExoPacket
import Testing

@Suite struct PacketBytesTests {
    @Test func loadsAreBigEndianAtAnyAlignment() {
        withPacket(PacketSamples.hex("00 12 34 56 78 9a")) { bytes in
            #expect(bytes.u8(1) == 0x12)
            #expect(bytes.u16(1) == 0x1234)
            #expect(bytes.u32(1) == 0x1234_5678)
            #expect(bytes.u32(2) == 0x3456_789A)
        }
    }

    @Test func storesAreBigEndian() {
        var buffer = [UInt8](repeating: 0, count: 7)
        MutablePacketBytes.with(&buffer) { bytes in
            bytes.setU8(0, 0xAB)
            bytes.setU16(1, 0x1234)
            bytes.setU32(3, 0xDEAD_BEEF)
        }
        #expect(buffer == PacketSamples.hex("ab 12 34 de ad be ef"))
    }

    @Test func slicesSeeTheSameMemory() {
        withPacket(PacketSamples.hex("01 02 03 04 05 06")) { bytes in
            let middle = bytes.slice(2, 3)
            #expect(middle.count == 3 && middle.array == [3, 4, 5])
            #expect(bytes.dropFirst(6).count == 0)
            #expect(bytes.prefix(2).array == [1, 2])
            #expect(middle.dropFirst(1).u16(0) == 0x0405)
        }
    }

    @Test func emptyWindowsAreFine() {
        withPacket([]) { bytes in
            #expect(bytes.count == 0)
            #expect(bytes.slice(0, 0).count == 0)
            #expect(InternetChecksum.of(bytes) == 0xFFFF)
        }
    }

    @Test func aReadPastTheEndTraps() async {
        await #expect(processExitsWith: .failure) {
            withPacket([1, 2, 3]) { _ = $0.u32(0) }
        }
    }

    @Test func anOffsetThatWouldOverflowTraps() async {
        await #expect(processExitsWith: .failure) {
            withPacket([1, 2, 3]) { _ = $0.u16(Int.max) }
        }
        await #expect(processExitsWith: .failure) {
            withPacket([1, 2, 3]) { _ = $0.slice(-1, 2) }
        }
    }
}
