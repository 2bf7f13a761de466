// The device under the NIC: a place packets come from and go to. Three backends (a TAP, an
// interface through AF_PACKET, memory for tests) behind one protocol, so the data plane's
// packet loops are written once and specialized per backend (smoltcp's `phy` is the model).

import ExoPlatform

/// One received packet, lent to the receiver for the duration of a call. Its bytes are the
/// caller's scratch buffer (a device that copies) or the device's own memory (a packet
/// ring): read-only to the receiver either way, and never kept past the call.
struct ReceivedPacket {
    /// The bytes from the Ethernet header on.
    let bytes: UnsafeRawBufferPointer
    /// The packet's length on the wire: more than `bytes.count` when the device truncated it.
    let wireLength: Int
    /// The device stripped an 802.1Q/802.1ad tag into its metadata.
    let hasVLANTag: Bool
    /// The virtio_net_hdr the peer kernel left when it asked for software offload (a GSO
    /// super-packet or a partial checksum); nil for a packet complete as it is.
    let offloadHeader: UnsafeRawBufferPointer?

    /// A plain packet: whole, untagged, nothing left to finish.
    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
        wireLength = bytes.count
        hasVLANTag = false
        offloadHeader = nil
    }

    init(bytes: UnsafeRawBufferPointer, wireLength: Int, hasVLANTag: Bool, offloadHeader: UnsafeRawBufferPointer?) {
        self.bytes = bytes
        self.wireLength = wireLength
        self.hasVLANTag = hasVLANTag
        self.offloadHeader = offloadHeader
    }

    var isTruncated: Bool { bytes.count < wireLength }
}

/// What one `receive` call did besides handing packets over.
struct ReceiveOutcome {
    /// Packets handed to the receiver.
    var handed = 0
    /// Slots the device found malformed and skipped (a packet ring's headers out of bounds).
    var malformed: UInt64 = 0
}

/// A place packets come from and go to. Every method runs on the daemon's loop thread and
/// allocates nothing (the in-memory device excepted: it is a test's). Transmit is staged:
/// write a packet into `transmitSlot()`, commit it with `stage(length:)`, and count what
/// `flush()` reports — one system call per batch where the backend can batch, one per
/// packet where it cannot.
///
/// Link state: a kernel device names its link (`ifindex`), which the NIC watches over
/// rtnetlink (`LinkMonitor`); a device without a kernel link has none, and its link events
/// come from whoever drives it (`NicPort.apply(_:)`).
///
/// Captures and impairment are not decorators of a device, though both sit between the
/// wire and the tenants: both are per tenant (a capture records one tenant's packets, exactly
/// those posted on its rx ring or allowed by the egress guard; a tenant's impairment profile
/// replaces the link's for its traffic), and below the NIC a received packet has no tenant
/// yet and a sent one no longer carries it. Wrapping the device would mean classifying every
/// packet twice. They stay stages of the data plane where the tenant is known: after
/// classification (receive) and after the egress guard (transmit).
protocol NetworkDevice: AnyObject {
    /// Most packets one wake-up takes from this device before yielding to the sessions.
    static var packetsPerWake: Int { get }
    /// The descriptor epoll watches for received packets; nil when there is none.
    var readinessDescriptor: Int32? { get }
    /// The kernel link whose state and MTU the NIC follows; nil for a device without one.
    var ifindex: Int32? { get }
    /// Whether a received packet waits, when the device can tell without a system call
    /// (a ring, memory); nil when only a read would tell (a TAP).
    var hasReadyPacket: Bool? { get }
    /// Hands up to `max` received packets to `body`, in arrival order. A device that copies
    /// writes each packet into `scratch` (the caller's, a frame's worth) first; `body` must
    /// not call `receive` again.
    func receive(max: Int, into scratch: UnsafeMutableRawBufferPointer, _ body: (ReceivedPacket) -> Void)
        -> ReceiveOutcome
    /// Where the next packet to send is written; valid until the next `stage` or `flush`.
    func transmitSlot() -> UnsafeMutableRawBufferPointer
    /// Commits the first `length` bytes of `transmitSlot()` (14 through its size) for sending.
    func stage(length: Int)
    /// Sends what was staged and reports it (sent, bytes, failed) since the last flush.
    func flush() -> PacketTransmitOutcome
    /// Sends `packet` alone, now, from the caller's memory (borrowed for the call): the
    /// daemon's own replies and released held copies. Returns whether the device took it.
    func sendNow(_ packet: UnsafeRawBufferPointer) -> Bool
    /// The readiness descriptor reported hangup or error. Returns whether to keep watching
    /// it (false: it would report hangup forever).
    func hungUp(logName: String) -> Bool
    /// Packets the kernel dropped because the device's receive queue was full, since the
    /// last call (0 for a device that cannot tell).
    func takeQueueDrops() -> UInt64
}

/// The NIC's device: a closed choice, so the data plane switches once per batch and runs a
/// loop specialized for the backend (no existential, no dynamic dispatch per packet).
enum NicDevice {
    /// A non-persistent TAP device the daemon created; gone when the daemon is.
    case tap(TapPort)
    /// An existing interface, through a TPACKET_V2 ring and sendmmsg.
    case packet(PacketPort)
    /// Two queues in memory: a test injects received packets and reads what was sent.
    case memory(MemoryDevice)

    var readinessDescriptor: Int32? {
        switch self {
        case .tap(let d): d.readinessDescriptor
        case .packet(let d): d.readinessDescriptor
        case .memory(let d): d.readinessDescriptor
        }
    }

    var ifindex: Int32? {
        switch self {
        case .tap(let d): d.ifindex
        case .packet(let d): d.ifindex
        case .memory(let d): d.ifindex
        }
    }

    var hasReadyPacket: Bool? {
        switch self {
        case .tap(let d): d.hasReadyPacket
        case .packet(let d): d.hasReadyPacket
        case .memory(let d): d.hasReadyPacket
        }
    }

    func sendNow(_ packet: UnsafeRawBufferPointer) -> Bool {
        switch self {
        case .tap(let d): d.sendNow(packet)
        case .packet(let d): d.sendNow(packet)
        case .memory(let d): d.sendNow(packet)
        }
    }

    func hungUp(logName: String) -> Bool {
        switch self {
        case .tap(let d): d.hungUp(logName: logName)
        case .packet(let d): d.hungUp(logName: logName)
        case .memory(let d): d.hungUp(logName: logName)
        }
    }

    func takeQueueDrops() -> UInt64 {
        switch self {
        case .tap(let d): d.takeQueueDrops()
        case .packet(let d): d.takeQueueDrops()
        case .memory(let d): d.takeQueueDrops()
        }
    }
}
