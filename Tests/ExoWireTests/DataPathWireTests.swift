// The data-path messages: byte layouts of bind and the fault event, MAC byte order, and the
// refusal of endpoints, port shares and prefixes no daemon could mean.

import ExoWire
import ExoPacket
import Testing

@Suite("Data path messages")
struct DataPathWireTests {
    @Test("bind carries proto, address and port little-endian after the header")
    func bindBytes() throws {
        let endpoint = WireEndpoint(proto: WireEndpoint.udp, address: 0x0A4D_000A, port: 5000)
        let record = try MessageCodec.encode(.request(id: 3, .bind(endpoint)), version: 1)
        #expect(Array(record[6..<8]) == [0x09, 0x01])
        #expect(Array(record[16...]) == [17, 0x0A, 0x00, 0x4D, 0x0A, 0x88, 0x13])
    }

    @Test("openDataPath carries the ring capacity; dataPathFault the reason, the frame, then the coalesced count")
    func openAndFaultBytes() throws {
        let open = try MessageCodec.encode(.request(id: 1, .openDataPath(ringCapacity: 512)), version: 1)
        #expect(Array(open[6..<8]) == [0x08, 0x01])
        #expect(Array(open[16...]) == [0x00, 0x02, 0x00, 0x00])
        let fault = try MessageCodec.encode(
            .event(.dataPathFault(reason: 4, frame: 0x0102_0304, coalesced: 0x0A0B_0C0D)), version: 1)
        #expect(Array(fault[6..<8]) == [0x03, 0x03])
        #expect(Array(fault[16...]) == [0x04, 0x00, 0x04, 0x03, 0x02, 0x01, 0x0D, 0x0C, 0x0B, 0x0A])
    }

    @Test("MAC addresses travel as six bytes in transmission order")
    func macByteOrder() throws {
        let info = DataPathInfo(
            layoutVersion: 1, ringCapacity: 1, regionSize: 16_384, mtu: 1500, frameSize: 4096, gateway: 0,
            gatewayMAC: MACAddress(0x02, 0x11, 0x22, 0x33, 0x44, 0x55), prefixLength: 24, addresses: [],
            portShares: [])
        let record = try MessageCodec.encode(.reply(id: 1, .dataPathOpened(info)), version: 1)
        // layoutVersion 2 + capacity 4 + regionSize 4 + mtu 2 + frameSize 4 + gateway 4 = 20 bytes.
        let macStart = 16 + 20
        #expect(Array(record[macStart..<(macStart + 6)]) == [0x02, 0x11, 0x22, 0x33, 0x44, 0x55])
    }

    @Test("an endpoint with an unknown protocol, or a port on a whole address, is refused both ways",
        arguments: [WireEndpoint(proto: 2, address: 1, port: 0), WireEndpoint(proto: 0, address: 1, port: 80),
            WireEndpoint(proto: 255, address: 1, port: 1)])
    func badEndpoints(endpoint: WireEndpoint) {
        #expect(!endpoint.isWellFormed)
        #expect(throws: WireEncodeError.badValue("endpoint")) {
            try MessageCodec.encode(.request(id: 1, .bind(endpoint)), version: 1)
        }
        var body: [UInt8] = [endpoint.proto]
        body += withUnsafeBytes(of: endpoint.address.littleEndian, Array.init)
        body += withUnsafeBytes(of: endpoint.port.littleEndian, Array.init)
        for kind in [MessageKind.bind, .unbind] {
            #expect(decodeError(rawRecord(kind: kind.rawValue, body: body)) == .badValue("endpoint"))
        }
    }

    @Test("a port share must name TCP or UDP and an ordered range")
    func badPortShares() {
        for share in [WirePortShare(proto: 0, address: 1, firstPort: 1, lastPort: 2),
            WirePortShare(proto: WireEndpoint.udp, address: 1, firstPort: 10, lastPort: 9)]
        {
            var info = Fixtures.dataPath
            info.portShares = [share]
            #expect(throws: WireEncodeError.badValue("portShare")) {
                try MessageCodec.encode(.reply(id: 1, .dataPathOpened(info)), version: 1)
            }
        }
    }

    @Test("a prefix length over 32 is refused in a data path and in the NIC report")
    func badPrefix() throws {
        var info = Fixtures.dataPath
        info.prefixLength = 33
        #expect(throws: WireEncodeError.badValue("dataPath.prefixLength")) {
            try MessageCodec.encode(.reply(id: 1, .dataPathOpened(info)), version: 1)
        }
        // Patch a valid record's prefix byte: the decoder refuses it too.
        var record = try Fixtures.record(.reply(id: 1, .dataPathOpened(Fixtures.dataPath)))
        let prefixOffset = 16 + 20 + 6
        #expect(record[prefixOffset] == 24)
        record[prefixOffset] = 33
        #expect(decodeError(record) == .badValue("dataPath.prefixLength"))
    }

    @Test("every fault reason has a distinct stable name")
    func faultReasonNames() {
        let names = DataPathFaultReason.allCases.map(\.description)
        #expect(Set(names).count == names.count)
        #expect(DataPathFaultReason(rawValue: 4) == .notHeldWritable)
    }

    @Test("the data-path refusals keep the session open and have names")
    func dataPathErrors() {
        for error in [ExoError.dataPathAlreadyOpen, .noNic, .noDataPath, .badRingCapacity] {
            #expect(!error.closesSession)
            #expect((300...399).contains(error.rawValue))
        }
        #expect(ExoError.noNic.name == "noNic")
    }
}

@Suite("Offers on the wire")
struct OfferWireTests {
    @Test("offersChanged is kind 0x0306 with the outstanding count; offers is 0x010D with a page")
    func offerKindsAndBytes() throws {
        let changed = try MessageCodec.encode(.event(.offersChanged(outstanding: 0x0102_0304)), version: 1)
        #expect(Array(changed[6..<8]) == [0x06, 0x03])
        #expect(Array(changed[16...]) == [0x04, 0x03, 0x02, 0x01])
        let list = try MessageCodec.encode(.request(id: 5, .offers(Page(cursor: 9, limit: 100))), version: 1)
        #expect(Array(list[6..<8]) == [0x0D, 0x01])
        #expect(Array(list[16...]) == [0x09, 0x00, 0x00, 0x00, 0x64, 0x00])
    }

    @Test("an offer entry is token, token id, frame, rights, issuer name")
    func offerEntryBytes() throws {
        let page = ListingPage(entries: [OfferInfo(token: [0xAA, 0xBB], tokenID: 7, frame: 3, rights: .read, fromTenant: "a")],
            nextCursor: nil)
        let record = try MessageCodec.encode(.reply(id: 1, .offers(page)), version: 1)
        #expect(Array(record[6..<8]) == [0x0D, 0x02])
        #expect(Array(record[16...]) == [
            0x01, 0x00,  // one entry
            0x02, 0x00, 0xAA, 0xBB,  // token
            0x07, 0, 0, 0, 0, 0, 0, 0,  // token id
            0x03, 0, 0, 0,  // frame
            0x01,  // rights: read
            0x01, 0x00, 0x61,  // "a"
            0x00,  // no next cursor
        ])
    }
}
