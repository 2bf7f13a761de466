// ExoSession's and OperatorSession's filter calls against a scripted peer: what they send,
// what they return, and a refusal that keeps the session.

import ExOS
import ExoWire
import Synchronization
import Testing

@Suite struct FilterSessionTests {
    static let binding = WireEndpoint(proto: WireEndpoint.udp, address: 0x0A4D_000A, port: 5000)
    static let atom = WireFilterAtom(base: 2, offset: 8, width: 1, mask: 0xFF, value: 0x41)

    @Test func installAndRemoveSendTheBindingAtomsAndId() async throws {
        let peer = try ScriptedPeer()
        let seen = Mutex<[Request]>([])
        peer.serve { connection in
            _ = try connection.acceptHello()
            guard case .request(let first, let install) = try connection.receive() else { return }
            seen.withLock { $0.append(install) }
            try connection.send(.reply(id: first, .error(.filterWidensBinding, detail: "port")))
            guard case .request(let second, let again) = try connection.receive() else { return }
            seen.withLock { $0.append(again) }
            try connection.send(.reply(id: second, .filterInstalled(filterID: 77)))
            guard case .request(let third, let remove) = try connection.receive() else { return }
            seen.withLock { $0.append(remove) }
            try connection.send(.reply(id: third, .filterRemoved(filterID: 77)))
            _ = try? connection.receive()
        }
        let session = try await ExOS.attach(tenant: "alice", socketPath: peer.path)
        await #expect(throws: ExOSError.refused(.filterWidensBinding, detail: "port")) {
            _ = try await session.installFilter(on: Self.binding, atoms: [Self.atom])
        }
        #expect(try await session.installFilter(on: Self.binding, atoms: [Self.atom]) == 77)
        try await session.removeFilter(77)
        session.close()
        #expect(seen.withLock { $0 } == [
            .installFilter(Self.binding, atoms: [Self.atom]), .installFilter(Self.binding, atoms: [Self.atom]),
            .removeFilter(filterID: 77),
        ])
    }

    @Test func aRemoveAnsweredWithAnotherIdIsAViolation() async throws {
        let peer = try ScriptedPeer()
        peer.serve { connection in
            _ = try connection.acceptHello()
            guard case .request(let id, .removeFilter) = try connection.receive() else { return }
            try connection.send(.reply(id: id, .filterRemoved(filterID: 8)))
            _ = try? connection.receive()
        }
        let session = try await ExOS.attach(tenant: "alice", socketPath: peer.path)
        await #expect(throws: ExOSError.self) { try await session.removeFilter(7) }
        session.close()
    }

    @Test func theOperatorListingFollowsEveryPage() async throws {
        let peer = try ScriptedPeer()
        let first = FilterInfo(tenant: "alice", session: 1, endpoint: Self.binding, filterID: 1, atoms: [Self.atom])
        let second = FilterInfo(tenant: "bob", session: 2, endpoint: .whole(0x0A4D_000B), filterID: 2, atoms: [Self.atom])
        peer.serve { connection in
            _ = try connection.acceptHello()
            guard case .request(let a, .filters(nil, let pageA)) = try connection.receive(), pageA.cursor == 0 else { return }
            try connection.send(.reply(id: a, .filters(ListingPage(entries: [first], nextCursor: 1))))
            guard case .request(let b, .filters(nil, let pageB)) = try connection.receive(), pageB.cursor == 1 else { return }
            try connection.send(.reply(id: b, .filters(ListingPage(entries: [second], nextCursor: nil))))
            _ = try? connection.receive()
        }
        let session = try await ExOS.attachOperator(socketPath: peer.path)
        #expect(try await session.filters() == [first, second])
        session.close()
    }
}
