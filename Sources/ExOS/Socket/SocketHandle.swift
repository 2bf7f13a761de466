// Handles: an index into a socket table and the generation of the slot when it was handed
// out, so a handle kept after `close` is refused instead of reaching the slot's next user.

/// The index and generation that every typed handle carries.
struct SlotHandle: Hashable, Sendable {
    var index: UInt32
    var generation: UInt32
}

/// A UDP socket of one stack.
public struct UDPHandle: Hashable, Sendable, CustomStringConvertible {
    let slot: SlotHandle
    public var description: String { "udp#\(slot.index).\(slot.generation)" }
}

/// An ICMP echo client (a pinger) of one stack.
public struct PingerHandle: Hashable, Sendable, CustomStringConvertible {
    let slot: SlotHandle
    public var description: String { "pinger#\(slot.index).\(slot.generation)" }
}

/// A TCP connection of one stack.
public struct TCPHandle: Hashable, Sendable, CustomStringConvertible {
    let slot: SlotHandle
    public var description: String { "tcp#\(slot.index).\(slot.generation)" }
}

/// A TCP listener of one stack.
public struct TCPListenerHandle: Hashable, Sendable, CustomStringConvertible {
    let slot: SlotHandle
    public var description: String { "tcp-listener#\(slot.index).\(slot.generation)" }
}
