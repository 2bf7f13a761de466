// MAC and IPv4 address values: bit classes, text forms, and byte order on the wire.
import ExoPacket
import Testing

@Suite struct AddressTests {
    @Test func macBitsClassifyAddresses() {
        #expect(MACAddress.broadcast.isBroadcast && MACAddress.broadcast.isMulticast)
        #expect(MACAddress(0x01, 0x00, 0x5E, 0, 0, 1).isMulticast)
        #expect(MACAddress(0x01, 0x80, 0xC2, 0, 0, 0).isMulticast)  // spanning tree group
        #expect(!PacketSamples.hostMAC.isMulticast && !PacketSamples.hostMAC.isBroadcast)
        #expect(PacketSamples.tenantMAC.isLocallyAdministered)
        #expect(!MACAddress(0x00, 0x11, 0x22, 0x33, 0x44, 0x55).isLocallyAdministered)
        #expect(!MACAddress.zero.isUnicast && PacketSamples.tenantMAC.isUnicast)
    }

    @Test func macTextRoundTrips() {
        let mac = MACAddress("3a:1F:6c:90:0e:21")
        #expect(mac == PacketSamples.hostMAC)
        #expect(mac?.description == "3a:1f:6c:90:0e:21")
        for bad in ["", "3a:1f:6c:90:0e", "3a:1f:6c:90:0e:21:00", "3a:1f:6c:90:0e:2", "3a:1f:6c:90:0e:zz"] {
            #expect(MACAddress(bad) == nil, "\(bad)")
        }
    }

    @Test func ipv4TextRoundTrips() {
        #expect(IPv4Address("10.77.0.2") == PacketSamples.tenant)
        #expect(PacketSamples.tenant.description == "10.77.0.2")
        #expect(PacketSamples.tenant.rawValue == 0x0A4D_0002)
        for bad in ["", "10.77.0", "10.77.0.256", "10.77.0.-1", "10..0.1", "1.2.3.4.5", "a.b.c.d", "1.2.3.0004"] {
            #expect(IPv4Address(bad) == nil, "\(bad)")
        }
    }

    @Test func ipv4ClassesExcludeWhatNoHostOwns() {
        #expect(PacketSamples.tenant.isUnicastHost)
        for special in ["0.0.0.0", "0.1.2.3", "127.0.0.1", "224.0.0.1", "239.255.255.255", "240.0.0.1", "255.255.255.255"] {
            #expect(!IPv4Address(special)!.isUnicastHost, "\(special)")
        }
    }

    @Test func addressesAreReadAndWrittenBigEndian() {
        var buffer = [UInt8](repeating: 0, count: 10)
        MutablePacketBytes.with(&buffer) { bytes in
            PacketSamples.hostMAC.write(to: bytes, at: 0)
            PacketSamples.tenant.write(to: bytes, at: 6)
        }
        #expect(buffer == PacketSamples.hex("3a 1f 6c 90 0e 21 0a 4d 00 02"))
        withPacket(buffer) { bytes in
            #expect(MACAddress(bytes, at: 0) == PacketSamples.hostMAC)
            #expect(IPv4Address(bytes, at: 6) == PacketSamples.tenant)
        }
    }
}
