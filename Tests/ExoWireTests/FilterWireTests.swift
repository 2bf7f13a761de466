// The filter messages' layout: an atom is 12 bytes after the binding, over-long atom lists
// and bad endpoints are refused, and the atom text form reads back what it prints.

import ExoWire
import Testing

@Suite("Filter wire")
struct FilterWireTests {
    static let endpoint = WireEndpoint(proto: WireEndpoint.udp, address: 0x0A4D_000A, port: 5000)

    /// The body of an installFilter: endpoint (7 bytes), count, then `atoms` raw atoms.
    static func installBody(count: UInt16, atoms: Int, proto: UInt8 = WireEndpoint.udp) -> [UInt8] {
        var writer = WireWriter()
        writer.write(proto)
        writer.write(UInt32(0x0A4D_000A))
        writer.write(UInt16(proto == 0 ? 0 : 5000))
        writer.write(count)
        for i in 0..<atoms {
            writer.write(UInt8(2))
            writer.write(UInt16(i))
            writer.write(UInt8(1))
            writer.write(UInt32(0xFF))
            writer.write(UInt32(i & 0xFF))
        }
        return writer.bytes
    }

    @Test("an atom takes 12 bytes: base, offset, width, mask, value (little-endian)")
    func atomLayout() throws {
        let atom = WireFilterAtom(base: 2, offset: 0x0102, width: 4, mask: 0x0A0B_0C0D, value: 0x0A0B_0C0D)
        let record = try MessageCodec.encode(.request(id: 1, .installFilter(Self.endpoint, atoms: [atom])), version: 1)
        let body = Array(record[WireLimits.headerSize...])
        #expect(body.count == 7 + 2 + 12)
        #expect(Array(body[9...]) == [2, 0x02, 0x01, 4, 0x0D, 0x0C, 0x0B, 0x0A, 0x0D, 0x0C, 0x0B, 0x0A])
    }

    @Test("the largest atom list decodes; one more is refused as too large")
    func atomListLimit() throws {
        let max = WireLimits.maxFilterAtoms
        let ok = rawRecord(kind: MessageKind.installFilter.rawValue, body: Self.installBody(count: UInt16(max), atoms: max))
        let decoded = try ok.withUnsafeBytes { try MessageCodec.decode($0) }
        guard case .request(_, .installFilter(_, let decodedAtoms)) = decoded else {
            Issue.record("decoded \(decoded)")
            return
        }
        #expect(decodedAtoms.count == max)
        let over = rawRecord(kind: MessageKind.installFilter.rawValue, body: Self.installBody(count: UInt16(max + 1), atoms: max + 1))
        #expect(decodeError(over) == .tooLarge)
        let tooFew = rawRecord(kind: MessageKind.installFilter.rawValue, body: Self.installBody(count: 3, atoms: 2))
        #expect(decodeError(tooFew) == .truncated)
        let atoms = [WireFilterAtom](repeating: WireFilterAtom(base: 0, offset: 0, width: 1, mask: 1, value: 1), count: max + 1)
        #expect(throws: WireEncodeError.self) {
            try MessageCodec.encode(.request(id: 1, .installFilter(Self.endpoint, atoms: atoms)), version: 1)
        }
    }

    @Test("an installFilter with a malformed binding is refused")
    func badEndpoint() {
        let body = Self.installBody(count: 0, atoms: 0, proto: 2)
        #expect(decodeError(rawRecord(kind: MessageKind.installFilter.rawValue, body: body)) == .badValue("endpoint"))
    }

    @Test("atom text reads back what it prints", arguments: [
        "transport+0/2=5353", "link+12/2=0x800", "network+16/4&0xffffff00=0xa4d0000", "transport+8/1&0xf0=0x40",
    ])
    func atomText(text: String) throws {
        let atom = try #require(WireFilterAtom(parsing: text))
        #expect(WireFilterAtom(parsing: atom.text) == atom)
    }

    @Test("atom text: the mask defaults to the whole field; bad text is nil")
    func atomTextDetails() {
        #expect(WireFilterAtom(parsing: "transport+0/2=5353") == WireFilterAtom(base: 2, offset: 0, width: 2, mask: 0xFFFF, value: 5353))
        #expect(WireFilterAtom(parsing: "network+9/1=17")?.mask == 0xFF)
        for bad in ["", "transport+0/2", "ip+0/2=1", "transport0/2=1", "transport+x/2=1", "transport+0/2=zz", "link+70000/1=1"] {
            #expect(WireFilterAtom(parsing: bad) == nil, "\(bad)")
        }
    }
}
