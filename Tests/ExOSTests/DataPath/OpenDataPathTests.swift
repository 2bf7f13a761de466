// Specification of ExoSession.openDataPath against a scripted peer on a real socket: the
// three descriptors become the DataPath's region and eventfds; malformed replies are refused.

@testable import ExOS
import ExoPlatform
import ExoWire
import ExoPacket
import Glibc
import Testing

@Suite struct OpenDataPathTests {
    static func info(capacity: UInt32, regionSize: Int) -> DataPathInfo {
        DataPathInfo(
            layoutVersion: 1, ringCapacity: capacity, regionSize: UInt32(regionSize), mtu: 1500,
            frameSize: UInt32(DaemonRole.frameSize), gateway: 0x0A4D_0001, gatewayMAC: MACAddress(rawValue: 0x02_0000_000001),
            prefixLength: 24, addresses: [AddressGrant(address: 0x0A4D_0002, mac: MACAddress(rawValue: 0x02_0000_000002), whole: true)],
            portShares: [])
    }

    @Test func theThreeDescriptorsBecomeRegionAndEventfds() async throws {
        let peer = try ScriptedPeer()
        peer.serve { connection in
            _ = try connection.acceptHello(frameSize: UInt32(DaemonRole.frameSize))
            guard case .request(let id, .openDataPath(let capacity)) = try connection.receive() else {
                throw DaemonRoleFailure("expected openDataPath")
            }
            let layout = try SessionRingsLayout(capacity: capacity)
            let memfd = try FrameMemory.createSealed(name: "peer-rings", size: layout.byteCount)
            let mapping = try MappedMemory.map(memfd.raw, length: layout.byteCount, writable: true)
            let base = mapping.withUnsafeMutableBytes { $0.baseAddress! }
            layout.initialize(unsafeRegion: base)
            // Something only this region holds: one rx entry naming a frame the tenant lacks,
            // and need-wakeup on fill, so the tenant's first fill post must kick.
            var rx = RingProducer(memory: layout.memory(of: .rx, unsafeRegion: base))
            _ = try rx.produce([RingDescriptor(frame: 999, length: 10)].span)
            var fill = RingConsumer(memory: layout.memory(of: .fill, unsafeRegion: base))
            guard try fill.prepareToSleep() else { throw DaemonRoleFailure("fill not empty") }
            let toTenant = try EventFD(), toDaemon = try EventFD()
            try connection.send(
                .reply(id: id, .dataPathOpened(Self.info(capacity: capacity, regionSize: layout.byteCount))),
                descriptors: [memfd.raw, toTenant.fd, toDaemon.fd])
            guard case .request(let ping, .ping) = try connection.receive() else { throw DaemonRoleFailure("expected ping") }
            guard toDaemon.drain() == 1 else { throw DaemonRoleFailure("no kick on the tenantToDaemon eventfd") }
            guard try fill.refreshAvailable() == 2 else { throw DaemonRoleFailure("fill frames missing") }
            try connection.send(.reply(id: ping, .pong))
            _ = try? connection.receive()
        }
        let session = try await ExOS.attach(tenant: "alice", socketPath: peer.path)
        let path = try await session.openDataPath(ringCapacity: 32)
        #expect(path.info?.addresses.first?.whole == true)
        #expect(path.layout == (try SessionRingsLayout(capacity: 32)))
        do {
            var batch = path.receive()
            let nothing = isNone(batch.next())
            #expect(nothing)
        }
        #expect(path.counters.rxForeignFrames == 1)
        let frames = try DaemonRole(capacity: 4).makeFrames([1, 2])
        try path.postFill(frames)
        path.flush()
        #expect(path.counters.kicks == 1)
        try await session.ping()
        #expect(peer.outcome.withLock { $0 } == nil)  // the script is still holding the connection
        session.close()
    }

    @Test func aReplyWithTheWrongDescriptorCountIsRefusedAndClosed() async throws {
        let peer = try ScriptedPeer()
        peer.serve { connection in
            _ = try connection.acceptHello(frameSize: UInt32(DaemonRole.frameSize))
            guard case .request(let id, .openDataPath) = try connection.receive() else { return }
            let layout = try SessionRingsLayout(capacity: 8)
            let memfd = try FrameMemory.createSealed(name: "short-reply", size: layout.byteCount)
            let event = try EventFD()
            try connection.send(
                .reply(id: id, .dataPathOpened(Self.info(capacity: 8, regionSize: layout.byteCount))),
                descriptors: [memfd.raw, event.fd])
            memfd.close()  // only the client's copy remains; the ping below orders this before the count
            if case .request(let ping, .ping) = try connection.receive() { try connection.send(.reply(id: ping, .pong)) }
            _ = try? connection.receive()
        }
        let session = try await ExOS.attach(tenant: "alice", socketPath: peer.path)
        await #expect(throws: ExOSError.protocolViolation("dataPathOpened carried 2 descriptors, not 3")) {
            _ = try await session.openDataPath(ringCapacity: 8)
        }
        try await session.ping()
        #expect(openDescriptors(naming: "short-reply") == 0)
        session.close()
    }

    @Test func aRegionSmallerThanItsLayoutIsRefusedBeforeMapping() async throws {
        let peer = try ScriptedPeer()
        peer.serve { connection in
            _ = try connection.acceptHello(frameSize: UInt32(DaemonRole.frameSize))
            guard case .request(let id, .openDataPath) = try connection.receive() else { return }
            let layout = try SessionRingsLayout(capacity: 8)
            let memfd = try FrameMemory.createSealed(name: "small-region", size: 4096)
            let a = try EventFD(), b = try EventFD()
            try connection.send(
                .reply(id: id, .dataPathOpened(Self.info(capacity: 8, regionSize: layout.byteCount))),
                descriptors: [memfd.raw, a.fd, b.fd])
            memfd.close()  // only the client's copy remains; the ping below orders this before the count
            if case .request(let ping, .ping) = try connection.receive() { try connection.send(.reply(id: ping, .pong)) }
            _ = try? connection.receive()
        }
        let session = try await ExOS.attach(tenant: "alice", socketPath: peer.path)
        let needed = try SessionRingsLayout(capacity: 8).byteCount
        await #expect(throws: ExOSError.protocolViolation("ring region is 4096 bytes, the layout needs \(needed)")) {
            _ = try await session.openDataPath(ringCapacity: 8)
        }
        try await session.ping()
        #expect(openDescriptors(naming: "small-region") == 0)
        session.close()
    }
}
