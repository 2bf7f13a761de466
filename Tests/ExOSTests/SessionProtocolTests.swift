// Specification of ExoSession's side of the control protocol, against a scripted peer on a
// real socket: the hello it sends, refusals, descriptor handling on map, and hang-ups.

import ExOS
import ExoPlatform
import ExoWire
import Glibc
import Synchronization
import Testing

@Suite struct SessionProtocolTests {
    @Test func attachSendsTenantHelloAndKeepsTheAcceptance() async throws {
        let peer = try ScriptedPeer()
        let seen = Mutex<Hello?>(nil)
        peer.serve { connection in
            let hello = try connection.acceptHello()
            seen.withLock { $0 = hello }
            _ = try? connection.receive()  // hold the connection until the client closes
        }
        let session = try await ExOS.attach(tenant: "alice", socketPath: peer.path)
        #expect(session.info == ScriptedPeer.accepted(frameSize: 4096))
        let hello = try #require(seen.withLock { $0 })
        #expect(hello.role == .tenant)
        #expect(hello.tenantName == "alice")
        #expect(hello.minVersion == 1 && hello.maxVersion == 1)
        session.close()
    }

    @Test func operatorAttachSendsOperatorRoleWithoutName() async throws {
        let peer = try ScriptedPeer()
        let seen = Mutex<Hello?>(nil)
        peer.serve { connection in
            let hello = try connection.acceptHello()
            seen.withLock { $0 = hello }
            _ = try? connection.receive()
        }
        let session = try await ExOS.attachOperator(socketPath: peer.path)
        let hello = try #require(seen.withLock { $0 })
        #expect(hello.role == .operator)
        #expect(hello.tenantName.isEmpty)
        session.close()
    }

    @Test func refusedHelloIsATypedRefusal() async throws {
        let peer = try ScriptedPeer()
        peer.serve { connection in
            guard case .request(let id, .hello) = try connection.receive() else { return }
            try connection.send(.reply(id: id, .error(.notPermitted, detail: "uid 1234 may not be alice")))
        }
        await #expect(throws: ExOSError.refused(.notPermitted, detail: "uid 1234 may not be alice")) {
            _ = try await ExOS.attach(tenant: "alice", socketPath: peer.path)
        }
    }

    @Test func missingSocketIsUnreachable() async {
        let path = "/tmp/exos-test-no-such-dir/none.sock"
        do {
            _ = try await ExOS.attach(tenant: "alice", socketPath: path)
            Issue.record("attach to a missing socket succeeded")
        } catch {
            guard case .unreachable(let reportedPath, let reason) = error else {
                Issue.record("expected unreachable, got \(error)")
                return
            }
            #expect(reportedPath == path)
            #expect(reason.errno == ENOENT)
        }
    }

    @Test func mappedFrameSharesMemoryWithTheSender() async throws {
        let peer = try ScriptedPeer()
        let backing = try FrameMemory.createSealed(name: "exos-test-frame", size: 4096)
        let peerView = try MappedMemory.map(backing.raw, length: 4096, writable: true)
        let holding = HoldingInfo(frame: 5, holding: 9, epoch: 1, rights: .owner)
        peer.serve { connection in
            _ = try connection.acceptHello()
            guard case .request(let id, .map(let frames)) = try connection.receive(), frames == [5] else { return }
            try connection.send(.reply(id: id, .mapped([holding])), descriptors: [backing.raw])
            _ = try? connection.receive()
        }
        let session = try await ExOS.attach(tenant: "alice", socketPath: peer.path)
        let frame = try await session.map(5)
        #expect(frame.frame == 5 && frame.rights == .owner && frame.length == 4096)
        let wrote = frame.withUnsafeMutableBytes { raw -> Bool in
            raw[100] = 0xAB
            return true
        }
        #expect(wrote == true)
        #expect(peerView.withUnsafeBytes { $0[100] } == 0xAB)
        session.close()
    }

    @Test func readOnlyFrameRefusesMutableAccess() async throws {
        let peer = try ScriptedPeer()
        let backing = try FrameMemory.createSealed(name: "exos-test-frame", size: 4096)
        peer.serve { connection in
            _ = try connection.acceptHello()
            guard case .request(let id, .map) = try connection.receive() else { return }
            let holding = HoldingInfo(frame: 2, holding: 4, epoch: 1, rights: .read)
            try connection.send(.reply(id: id, .mapped([holding])), descriptors: [backing.raw])
            _ = try? connection.receive()
        }
        let session = try await ExOS.attach(tenant: "bob", socketPath: peer.path)
        let frame = try await session.map(2)
        #expect(frame.withUnsafeMutableBytes { _ in true } == nil)
        #expect(frame.withUnsafeBytes { $0.count } == 4096)
        session.close()
    }

    @Test func mapReplyWithWrongDescriptorCountIsAViolationAndClosesThem() async throws {
        let peer = try ScriptedPeer()
        let name = "exos-test-miscount-\(getpid())-\(MonotonicClock.nanoseconds())"
        let backing = try FrameMemory.createSealed(name: name, size: 4096)
        peer.serve { connection in
            _ = try connection.acceptHello()
            guard case .request(let id, .map) = try connection.receive() else { return }
            let holdings = [1, 2].map { HoldingInfo(frame: $0, holding: UInt64($0), epoch: 1, rights: .owner) }
            try connection.send(.reply(id: id, .mapped(holdings)), descriptors: [backing.raw])
            _ = try? connection.receive()
        }
        let session = try await ExOS.attach(tenant: "alice", socketPath: peer.path)
        #expect(openDescriptors(naming: name) == 1)  // the test's own `backing`
        await #expect(throws: ExOSError.protocolViolation("map reply has 2 entries but 1 descriptors")) {
            _ = try await session.map([1, 2])
        }
        #expect(openDescriptors(naming: name) == 1)  // the received copy was closed
        session.close()
    }

    @Test func hangUpFailsPendingCallAndFinishesEvents() async throws {
        let peer = try ScriptedPeer()
        peer.serve { connection in
            _ = try connection.acceptHello()
            try connection.send(.event(.tokenRevoked(tokenID: 42)))
            _ = try connection.receive()  // the ping: hang up instead of answering
        }
        let session = try await ExOS.attach(tenant: "alice", socketPath: peer.path)
        await #expect(throws: ExOSError.disconnected) { try await session.ping() }
        var events: [Event] = []
        for await event in session.events { events.append(event) }
        #expect(events == [.tokenRevoked(tokenID: 42)])
        await #expect(throws: ExOSError.disconnected) { try await session.ping() }
    }

    @Test func offersAreListedPageByPageAfterOneChangeNotice() async throws {
        let peer = try ScriptedPeer()
        let first = OfferInfo(token: [1, 2, 3], tokenID: 4, frame: 9, rights: .read, fromTenant: "bob")
        let second = OfferInfo(token: [5], tokenID: 6, frame: 10, rights: [.read, .write], fromTenant: "carol")
        peer.serve { connection in
            _ = try connection.acceptHello()
            try connection.send(.event(.offersChanged(outstanding: 2)))
            guard case .request(let id, .offers(let page)) = try connection.receive(), page.cursor == 0 else { return }
            try connection.send(.reply(id: id, .offers(ListingPage(entries: [first], nextCursor: 6))))
            guard case .request(let next, .offers(let more)) = try connection.receive(), more.cursor == 6 else { return }
            try connection.send(.reply(id: next, .offers(ListingPage(entries: [second], nextCursor: nil))))
        }
        let session = try await ExOS.attach(tenant: "alice", socketPath: peer.path)
        var events = session.events.makeAsyncIterator()
        #expect(await events.next() == .offersChanged(outstanding: 2))
        #expect(try await session.offers() == [first, second])
        session.close()
    }

    @Test func daemonRefusalLeavesTheSessionUsable() async throws {
        let peer = try ScriptedPeer()
        peer.serve { connection in
            _ = try connection.acceptHello()
            guard case .request(let first, .allocate) = try connection.receive() else { return }
            try connection.send(.reply(id: first, .error(.alreadyAllocated, detail: "frame 7")))
            guard case .request(let second, .ping) = try connection.receive() else { return }
            try connection.send(.reply(id: second, .pong))
            _ = try? connection.receive()
        }
        let session = try await ExOS.attach(tenant: "alice", socketPath: peer.path)
        await #expect(throws: ExOSError.refused(.alreadyAllocated, detail: "frame 7")) {
            _ = try await session.allocate([7])
        }
        try await session.ping()
        session.close()
    }
}

/// How many of this process's descriptors refer to a memfd whose name contains `name`.
func openDescriptors(naming name: String) -> Int {
    guard let directory = opendir("/proc/self/fd") else { return -1 }
    defer { closedir(directory) }
    var count = 0
    var target = [CChar](repeating: 0, count: 512)
    while let entry = readdir(directory) {
        let fdName = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let length = readlink("/proc/self/fd/" + fdName, &target, target.count - 1)
        guard length > 0 else { continue }
        let link = target.prefix(length).map { UInt8(bitPattern: $0) }
        if String(decoding: link, as: UTF8.self).contains(name) { count += 1 }
    }
    return count
}
