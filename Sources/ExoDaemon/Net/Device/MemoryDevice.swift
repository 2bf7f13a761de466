// The in-memory backend, for tests: two queues in place of a wire. A test injects the
// packets the daemon "receives" and reads back, in order, the packets it sent; no root, no
// interface, no descriptor (the test calls the data plane's receive itself).

import ExoPlatform

/// Two packet queues as a `NetworkDevice`. Unlike the kernel backends it allocates per
/// packet (each queued packet is an array): it exists for tests, never for a running daemon.
final class MemoryDevice: NetworkDevice {
    static let packetsPerWake = 64

    /// Injected packets not yet received, oldest from `nextInbound` on.
    private var inbound: [[UInt8]] = []
    private var nextInbound = 0
    /// Packets the daemon sent, oldest first, until a test takes them.
    private var outbound: [[UInt8]] = []
    private let slot: UnsafeMutableRawBufferPointer
    private var staged = PacketTransmitOutcome(sent: 0, sentBytes: 0, failed: 0, lastErrno: 0)
    /// While true every send fails, as a TAP's write does on a link that is down.
    var refusesTransmit = false

    init(slotSize: Int) {
        slot = .allocate(byteCount: slotSize, alignment: 64)
    }

    deinit { slot.deallocate() }

    /// Queues `packet` to be received by the next `receive`.
    func inject(_ packet: [UInt8]) { inbound.append(packet) }

    /// Packets injected and not yet received.
    var waitingCount: Int { inbound.count - nextInbound }

    /// The packets sent since the last call, oldest first.
    func takeSent() -> [[UInt8]] {
        defer { outbound.removeAll() }
        return outbound
    }

    var readinessDescriptor: Int32? { nil }
    var ifindex: Int32? { nil }
    var hasReadyPacket: Bool? { waitingCount > 0 }

    func receive(max: Int, into scratch: UnsafeMutableRawBufferPointer, _ body: (ReceivedPacket) -> Void)
        -> ReceiveOutcome
    {
        var outcome = ReceiveOutcome()
        while outcome.handed < max, nextInbound < inbound.count {
            let packet = inbound[nextInbound]
            nextInbound += 1
            // Like a TAP read: a packet longer than the buffer is cut to it.
            let length = min(packet.count, scratch.count)
            packet.withUnsafeBytes { scratch.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: length) }
            outcome.handed += 1
            body(ReceivedPacket(bytes: UnsafeRawBufferPointer(rebasing: scratch[..<length])))
        }
        if nextInbound == inbound.count {
            inbound.removeAll(keepingCapacity: true)
            nextInbound = 0
        }
        return outcome
    }

    func transmitSlot() -> UnsafeMutableRawBufferPointer { slot }

    func stage(length: Int) {
        if sendNow(UnsafeRawBufferPointer(rebasing: slot[..<length])) {
            staged.sent += 1
            staged.sentBytes += length
        } else {
            staged.failed += 1
        }
    }

    func flush() -> PacketTransmitOutcome {
        defer { staged = PacketTransmitOutcome(sent: 0, sentBytes: 0, failed: 0, lastErrno: 0) }
        return staged
    }

    func sendNow(_ packet: UnsafeRawBufferPointer) -> Bool {
        guard !refusesTransmit else { return false }
        outbound.append(Array(packet))
        return true
    }

    func hungUp(logName: String) -> Bool { true }

    func takeQueueDrops() -> UInt64 { 0 }
}
