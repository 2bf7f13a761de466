// Specification of the listings' JSON form (what `exoctl --json` prints): key names, addresses
// and MACs as text, rights by name, protocols and filter bases as words, drops as an object.

import ExoPacket
import ExoWire
import Foundation
import Testing

@Suite struct ListingJSONTests {
    func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    @Test func aFrameListsItsHoldersByTenantNameAndRights() throws {
        let frame = FrameInfo(frame: 42, epoch: 3, inFlight: 1, holders: [
            FrameHolderInfo(tenant: 1, tenantName: "bob", session: 78, holding: 6, rights: .read),
        ])
        #expect(try json(frame) == #"{"epoch":3,"frame":42,"holders":[{"holding":6,"rights":"\#(Rights.read)","session":78,"tenant":"bob","tenantID":1}],"inFlight":1}"#)
    }

    @Test func aBindingNamesItsProtocolAndAddress() throws {
        let binding = BindingInfo(tenant: "alice", session: 77, endpoint: WireEndpoint(proto: 17, address: 0x0A4D_0002, port: 7))
        #expect(try json(binding) == #"{"address":"10.77.0.2","port":7,"proto":"udp","session":77,"tenant":"alice"}"#)
        let whole = BindingInfo(tenant: "alice", session: 77, endpoint: .whole(0x0A4D_0002))
        #expect(try json(whole).contains(#""proto":"addr""#))
    }

    @Test func statsCarryDropsAsAnObjectByReason() throws {
        let stats = TenantStats(
            tenant: "bob", rxPackets: 1, rxBytes: 60, txPackets: 2, txBytes: 120,
            drops: [DropCount(reason: "spoofedSource", count: 3)])
        #expect(try json(stats) == #"{"drops":{"spoofedSource":3},"rxBytes":60,"rxPackets":1,"tenant":"bob","txBytes":120,"txPackets":2}"#)
    }

    @Test func aFilterShowsItsBindingAndAtomsWithText() throws {
        let atom = WireFilterAtom(base: 2, offset: 0, width: 2, mask: 0xFFFF, value: 5353)
        let filter = FilterInfo(
            tenant: "alice", session: 77, endpoint: WireEndpoint(proto: 17, address: 0x0A4D_0002, port: 5353),
            filterID: 9, atoms: [atom])
        let text = try json(filter)
        #expect(text.contains(#""atoms":[{"base":"transport","mask":65535,"offset":0,"text":"\#(atom.text)","value":5353,"width":2}]"#))
        #expect(text.contains(#""binding":{"address":"10.77.0.2","port":5353,"proto":"udp","session":77,"tenant":"alice"}"#))
    }

    @Test func theStatusListingKeepsEveryCounter() throws {
        let status = StatusInfo(
            daemonVersion: "0.1", protocolVersion: 1, pid: 10, uptimeSeconds: 5, poolFrames: 64, frameSize: 4096,
            freeFrames: 60, tenantsConfigured: 2, sessions: 1, holdings: 4, outstandingTokens: 0)
        let object = try JSONSerialization.jsonObject(with: Data(try json(status).utf8)) as? [String: Any]
        #expect(Set(object?.keys ?? [:].keys) == [
            "daemonVersion", "protocolVersion", "pid", "uptimeSeconds", "poolFrames", "frameSize", "freeFrames",
            "tenantsConfigured", "sessions", "holdings", "outstandingTokens",
        ])
    }

    @Test func aTenantListsItsUsageByResourceName() throws {
        let tenant = TenantInfo(id: 1, name: "bob", frameQuota: 64, framesHeld: 2, sessions: 1, uids: [60102], usage: [
            ResourceUsage(resource: "tokensIssued", used: 3, limit: 1024, refused: 0),
            ResourceUsage(resource: "offersReceived", used: 512, limit: 1024, refused: 19_488),
        ])
        #expect(try json(tenant) == #"{"frameQuota":64,"framesHeld":2,"id":1,"name":"bob","sessions":1,"uids":[60102],"usage":{"offersReceived":{"limit":1024,"refused":19488,"used":512},"tokensIssued":{"limit":1024,"refused":0,"used":3}}}"#)
    }
}
