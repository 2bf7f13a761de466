// Bad input on the control socket: random bytes and every message type mutated, with stray
// and excess descriptors, from well over 100 connections. The daemon answers or disconnects,
// keeps serving a valid tenant, and its descriptor count and memory come back to baseline.

import ExoPlatform
import ExoWire
import Foundation
import Testing

@Suite(.enabled(if: getuid() == 0, "integration tests run as root"))
struct HostileClientTests {
    @Test func hostileConnectionsNeitherCrashNorLeak() throws {
        // "mallory" is root here (allow_root_tenants) so the test process itself can attach.
        let daemon = try DaemonHarness(
            tenants: [("alice", TestUIDs.alice, 64), ("mallory", TestUIDs.carol, 64)],
            daemonExtra: "allow_root_tenants = true")
        defer { daemon.stop() }
        let valid = try TenantProcess(socketPath: daemon.socketPath, uid: TestUIDs.alice)
        defer { valid.quit() }
        try valid.ok("attach alice")

        var stats = HostileStats()
        var generator = SeededGenerator(seed: 0xE40)
        // Warm up the daemon's own structures, then take the baseline.
        try HostileClient.round(daemon.socketPath, connections: 5, messages: 200, rng: &generator, stats: &stats)
        usleep(300_000)
        let baselineFDs = try #require(ResourceLimits.openDescriptorCount(pid: daemon.pid))
        var resident: [Int] = []
        for round in 0..<5 {
            try HostileClient.round(daemon.socketPath, connections: 25, messages: 2_100, rng: &generator, stats: &stats)
            // The valid tenant is served throughout.
            let frames = try #require(TenantProcess.value("frames", in: try valid.ok("allocany 2")))
            try valid.ok("unref " + frames.replacingOccurrences(of: ",", with: " "))
            usleep(200_000)
            resident.append(ResourceLimits.residentBytes(pid: daemon.pid) ?? 0)
            #expect(kill(daemon.pid, 0) == 0, "daemon died in round \(round): \(daemon.log)")
        }
        #expect(stats.messages >= 10_000)
        #expect(stats.connections >= 100)
        usleep(300_000)
        #expect(ResourceLimits.openDescriptorCount(pid: daemon.pid) == baselineFDs, "\(stats)")
        // Flat: the last round costs no more resident memory than the second (allocator noise aside).
        #expect(resident[4] - resident[1] < 2 << 20, "resident bytes grew: \(resident)")
        #expect(try valid.ok("allocany 1").hasPrefix("frames="))
    }
}

struct HostileStats: CustomStringConvertible {
    var messages = 0
    var connections = 0
    var disconnects = 0
    var repliesRead = 0
    var description: String {
        "\(messages) messages on \(connections) connections, \(disconnects) disconnects, \(repliesRead) replies"
    }
}

/// A deterministic generator so a failing run can be replayed.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

enum HostileClient {
    /// Sends `messages` hostile records over `connections` live connections, reconnecting
    /// whenever the daemon hangs up (as it must after framing errors).
    static func round(_ path: String, connections: Int, messages: Int, rng: inout SeededGenerator,
                      stats: inout HostileStats) throws {
        var sockets: [OwnedDescriptor?] = Array(repeating: nil, count: connections)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: WireLimits.maxMessageSize + 1, alignment: 16)
        defer { buffer.deallocate() }
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer { close(devNull) }
        // Count delivered records, not attempts: sends to a connection the daemon just closed
        // fail and are retried on a fresh one (bounded, so a broken daemon cannot hang the test).
        let target = stats.messages + messages
        var i = 0
        while stats.messages < target && i < messages * 3 {
            defer { i += 1 }
            let slot = i % connections
            if sockets[slot] == nil {
                let s = try UnixSeqpacket.connect(path: path)
                _ = fcntl(s.raw, F_SETFL, fcntl(s.raw, F_GETFL) | O_NONBLOCK)
                stats.connections += 1
                // Most connections attach first, so that post-attach handlers see the mutations.
                if Int.random(in: 0..<4, using: &rng) != 0 {
                    let hello = Hello(minVersion: 1, maxVersion: 1, features: FeatureBits(), role: .tenant,
                        tenantName: "mallory")
                    _ = try? UnixSeqpacket.send(s.raw, MessageCodec.encode(.request(id: 1, .hello(hello))))
                }
                sockets[slot] = s
            }
            guard let socket = sockets[slot] else { continue }
            let (bytes, descriptorCount) = mutatedRecord(&rng)
            let fds = Array(repeating: devNull, count: descriptorCount)
            do {
                if try UnixSeqpacket.send(socket.raw, bytes, descriptors: fds) { stats.messages += 1 }
            } catch {
                // EPIPE/ECONNRESET: the daemon hung up on us, as it may.
                stats.disconnects += 1
                sockets[slot] = nil
                continue
            }
            // Read what is waiting now and then (replies may carry descriptors: they close here).
            if Int.random(in: 0..<3, using: &rng) == 0 {
                while let record = try? UnixSeqpacket.receive(socket.raw, into: buffer) {
                    if record.isEndOfStream { sockets[slot] = nil; stats.disconnects += 1; break }
                    stats.repliesRead += 1
                }
            }
        }
        for s in sockets { s?.close() }
    }

    /// One hostile record and how many stray descriptors to attach to it.
    static func mutatedRecord(_ rng: inout SeededGenerator) -> ([UInt8], Int) {
        // Requests the encoder refuses (empty batches, limits) fall back to a ping; the mutations
        // below produce the malformed shapes.
        let id = UInt32.random(in: 0...9, using: &rng)
        var bytes = (try? MessageCodec.encode(.request(id: id, randomRequest(&rng))))
            ?? (try? MessageCodec.encode(.request(id: id, .ping))) ?? []
        switch Int.random(in: 0..<10, using: &rng) {
        case 0:  // random bytes
            bytes = (0..<Int.random(in: 1...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        case 1:  // truncated
            bytes = Array(bytes.prefix(Int.random(in: 1...max(1, bytes.count - 1), using: &rng)))
        case 2:  // bit flips
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let i = Int.random(in: 0..<bytes.count, using: &rng)
                bytes[i] ^= 1 << UInt8.random(in: 0...7, using: &rng)
            }
        case 3:  // wrong version
            bytes[4] = UInt8.random(in: 2...255, using: &rng)
        case 4:  // bad body length
            bytes[12] &+= UInt8.random(in: 1...255, using: &rng)
        case 5:  // oversized record
            bytes += [UInt8](repeating: 0x41, count: WireLimits.maxMessageSize + 100)
        case 6:  // stray descriptors on a valid message
            return (bytes, Int.random(in: 1...3, using: &rng))
        case 7:  // excess descriptors
            return (bytes, WireLimits.maxDescriptorsPerMessage)
        case 8:  // a reply or event sent by a client
            bytes = (try? MessageCodec.encode(.event(.tokenRevoked(tokenID: 7)))) ?? bytes
        default:  // valid, as-is
            break
        }
        return (bytes, 0)
    }

    static func randomRequest(_ rng: inout SeededGenerator) -> Request {
        let frames = (0..<Int.random(in: 1...4, using: &rng)).map { _ in FrameNumber.random(in: 0...300, using: &rng) }
        let token = (0..<Int.random(in: 0...90, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let page = Page(cursor: UInt32.random(in: 0...5, using: &rng), limit: UInt16.random(in: 0...600, using: &rng))
        switch Int.random(in: 0..<12, using: &rng) {
        case 0: return .hello(Hello(minVersion: 1, maxVersion: 1, features: FeatureBits(), role: .tenant, tenantName: "mallory"))
        case 1: return .allocate(frames: frames)
        case 2: return .allocateAny(count: UInt32.random(in: 0...300, using: &rng))
        case 3: return .unref(frames: frames)
        case 4: return .map(frames: frames)
        case 5: return .grant(frame: frames[0], rights: [.read], audience: Bool.random(using: &rng) ? "alice" : "nobody")
        case 6: return .redeem(token: token)
        case 7: return .ping
        case 8: return .status
        case 9: return .tenants(page)
        case 10: return .frames(tenant: nil, page: page)
        default: return .capabilities(tenant: "alice", page: page)
        }
    }
}
