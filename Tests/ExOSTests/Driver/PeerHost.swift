// The far end of the link for the runtime's tests: the daemon's side of the rings (DaemonRole)
// joined to a second, pure NetworkStack that serves UDP echo on port 9 and answers ARP and
// ping, driven by a thread of its own as a real peer would be.

@testable import ExOS
import ExoPacket
import Foundation
import Glibc
import Synchronization

/// A host on the far side of the tenant's rings. Its state is used only by its own thread
/// after `start()` (hence unchecked); `stop()` and `echoed` are atomics.
final class PeerHost: @unchecked Sendable {
    static let address = IPv4Address(10, 9, 0, 1)
    static let mac = MACAddress(0x02, 0, 0, 0, 0, 0x01)
    static let echoPort: UInt16 = 9

    let daemon: DaemonRole
    private var stack: NetworkStack
    private let echo: UDPHandle
    private let stopped = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)
    let echoed = Atomic<Int>(0)

    init(daemon: DaemonRole) throws {
        self.daemon = daemon
        stack = NetworkStack(
            configuration: StackConfiguration(
                addresses: [LocalAddress(address: Self.address, mac: Self.mac, owned: true)], prefixLength: 24,
                secret: 7),
            now: NetworkRuntime.now())
        echo = try stack.openUDP(port: Self.echoPort)
    }

    func start() {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .acquiring) {
                do {
                    try pump()
                } catch {
                    fatalError("peer host: \(error)")
                }
                usleep(20)
            }
            finished.store(true, ordering: .releasing)
        }
        thread.start()
    }

    /// Stops the thread and waits until it has.
    func stop() {
        stopped.store(true, ordering: .releasing)
        while !finished.load(ordering: .acquiring) { usleep(100) }
    }

    private func pump() throws {
        var device = RoleDevice(daemon: daemon)
        let now = NetworkRuntime.now()
        // The poll driver: frames both ways, and the peer's timers (ARP retries) run too.
        device.poll(&stack, now: now)
        while let (payload, source) = stack.receive(echo) {
            try? stack.send(echo, payload, to: source, now: now)
            echoed.add(1, ordering: .relaxed)
        }
        device.poll(&stack, now: now)
        if let failure = device.failure { throw failure }
    }
}

/// The daemon role as the peer stack's device: what the tenant sent is what the peer
/// receives; what the peer sends is delivered into the tenant's fill frames, and only when
/// one is free (so nothing the peer sends is lost: the stack keeps it until there is room).
struct RoleDevice: NetworkDevice {
    let daemon: DaemonRole
    var failure: (any Error)?

    var maximumFrameLength: Int { 1514 }

    mutating func receive(now: Instant, limit: Int, _ body: (PacketBytes) -> Void) -> Int {
        do {
            let sent = try daemon.takeTransmitted()
            for (frame, bytes) in sent {
                bytes.withUnsafeBytes { body(PacketBytes(unsafeBuffer: $0)) }
                try daemon.complete(frame)
            }
            return sent.count
        } catch {
            failure = error
            return 0
        }
    }

    mutating func transmit(now: Instant, _ body: (MutablePacketBytes) -> Int?) -> Bool {
        do {
            guard try daemon.canDeliver() else { return false }
            var buffer = [UInt8](repeating: 0, count: maximumFrameLength)
            guard let length = buffer.withUnsafeMutableBytes({ body(MutablePacketBytes(unsafeBuffer: $0)) }) else { return true }
            _ = try daemon.deliver(Array(buffer[..<length]))
            return true
        } catch {
            failure = error
            return false
        }
    }
}
