// The reload request, its report and the grantsChanged event, byte for byte as
// docs/PROTOCOL.md §11 writes them, and the line limit a report may not pass.

import ExoPacket
import ExoWire
import Testing

@Suite("Reload on the wire")
struct ReloadWireTests {
    @Test("reload is an operator request (0x018A) with an empty body")
    func reloadRequestBytes() throws {
        let record = try MessageCodec.encode(.request(id: 2, .reload), version: 1)
        #expect(Array(record[6..<8]) == [0x8A, 0x01])
        #expect(record.count == WireLimits.headerSize)
    }

    @Test("a reloaded report is: applied flag, error lines, warning lines, then five u32 counts")
    func reloadedBytes() throws {
        let report = ReloadReport(
            applied: false, errors: ["e"], warnings: [], tenantsAdded: 1, tenantsRemoved: 2, tenantsChanged: 3,
            sessionsEnded: 4, bindingsEnded: 5)
        let record = try MessageCodec.encode(.reply(id: 2, .reloaded(report)), version: 1)
        #expect(Array(record[6..<8]) == [0x8A, 0x02])
        #expect(Array(record[16...]) == [
            0x00,  // applied: no
            0x01, 0x00, 0x01, 0x00, 0x65,  // one error line, "e"
            0x00, 0x00,  // no warnings
            1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 5, 0, 0, 0,
        ])
    }

    @Test("grantsChanged (0x0307) lists the ended endpoints, then the addresses and port shares granted now")
    func grantsChangedBytes() throws {
        let change = GrantsChange(
            ended: [WireEndpoint(proto: WireEndpoint.udp, address: 0x0A4D_0002, port: 7)],
            addresses: [AddressGrant(address: 0x0A4D_0003, mac: MACAddress(2, 0, 0x0A, 0x4D, 0, 3), whole: true)],
            portShares: [])
        let record = try MessageCodec.encode(.event(.grantsChanged(change)), version: 1)
        #expect(Array(record[6..<12]) == [0x07, 0x03, 0, 0, 0, 0])
        #expect(Array(record[16...]) == [
            0x01, 0x00, 17, 0x02, 0x00, 0x4D, 0x0A, 0x07, 0x00,  // ended: udp 10.77.0.2:7
            0x01, 0x00, 0x03, 0x00, 0x4D, 0x0A, 0x02, 0x00, 0x0A, 0x4D, 0x00, 0x03, 0x01,  // 10.77.0.3, its MAC, whole
            0x00, 0x00,  // no port shares
        ])
    }

    @Test("a report with more than 24 lines in a list cannot be encoded, nor decoded")
    func lineLimit() throws {
        let long = ReloadReport(applied: false, errors: Array(repeating: "x", count: ReloadReport.maxLines + 1))
        #expect(throws: WireEncodeError.limitExceeded("reloaded.errors")) {
            try MessageCodec.encode(.reply(id: 1, .reloaded(long)), version: 1)
        }
        var body: [UInt8] = [0x00, UInt8(ReloadReport.maxLines + 1), 0x00]
        for _ in 0...ReloadReport.maxLines { body += [0x01, 0x00, 0x78] }
        body += [0x00, 0x00] + [UInt8](repeating: 0, count: 20)
        #expect(decodeError(rawRecord(kind: MessageKind.reloaded.rawValue, body: body)) == .tooLarge)
    }
}
