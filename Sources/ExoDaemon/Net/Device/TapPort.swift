// The TAP backend: packets read one system call each into the caller's buffer, and written
// one system call each from the port's own transmit slot (a TAP has no batch interface).

import ExoPlatform

/// A TAP device the daemon created, as a `NetworkDevice`. Owns the device (deleted with it)
/// and its transmit slot (freed on deinit).
final class TapPort: NetworkDevice {
    static let packetsPerWake = 64

    let tap: TapDevice
    /// The daemon's private copy of one packet a tenant sends (checked, then written).
    private let slot: UnsafeMutableRawBufferPointer
    /// What `stage` wrote since the last `flush`.
    private var written = PacketTransmitOutcome(sent: 0, sentBytes: 0, failed: 0, lastErrno: 0)

    init(_ tap: TapDevice, slotSize: Int) {
        self.tap = tap
        slot = .allocate(byteCount: slotSize, alignment: 64)
    }

    deinit { slot.deallocate() }

    var readinessDescriptor: Int32? { tap.fd }
    var ifindex: Int32? { tap.ifindex }
    /// Only a read tells whether the TAP holds a packet.
    var hasReadyPacket: Bool? { nil }

    func receive(max: Int, into scratch: UnsafeMutableRawBufferPointer, _ body: (ReceivedPacket) -> Void)
        -> ReceiveOutcome
    {
        var outcome = ReceiveOutcome()
        while outcome.handed < max {
            let length: Int
            do {
                var span = scratch.mutableBytes
                guard let read = try tap.read(into: &span) else { break }
                length = read
            } catch {
                Log.warning("TAP read failed: \(error)")
                break
            }
            outcome.handed += 1
            body(ReceivedPacket(bytes: UnsafeRawBufferPointer(rebasing: scratch[..<length])))
        }
        return outcome
    }

    func transmitSlot() -> UnsafeMutableRawBufferPointer { slot }

    /// Writes the packet at once: counted now, reported by the next `flush`.
    func stage(length: Int) {
        if (try? tap.write(UnsafeRawBufferPointer(rebasing: slot[..<length]).bytes)) ?? false {
            written.sent += 1
            written.sentBytes += length
        } else {
            written.failed += 1
        }
    }

    func flush() -> PacketTransmitOutcome {
        defer { written = PacketTransmitOutcome(sent: 0, sentBytes: 0, failed: 0, lastErrno: 0) }
        return written
    }

    func sendNow(_ packet: UnsafeRawBufferPointer) -> Bool { (try? tap.write(packet.bytes)) ?? false }

    /// A TAP whose link is gone reports hangup forever: stop watching it, or the loop spins.
    /// A report this TAP does not confirm was about the one it replaced (a reattached TAP's
    /// predecessor, reported in the same wait): keep watching this one.
    func hungUp(logName: String) -> Bool { !tap.isDetached }

    func takeQueueDrops() -> UInt64 { 0 }
}
