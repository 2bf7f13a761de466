// An ICMP echo client inside the stack: its address and identifier, echo requests waiting
// to go out, the replies and errors that came back, and when each recent request left.

import ExoPacket

/// An echo reply a pinger received.
public struct PingReply: Hashable, Sendable {
    /// The sequence number the reply echoes.
    public var sequence: UInt16
    /// Who answered.
    public var from: IPv4Address
    /// Echo data bytes (the reply's length less the 8-byte ICMP header).
    public var dataLength: Int
    /// The reply's IPv4 time to live, as it arrived.
    public var timeToLive: UInt8
    /// Time since the request with this sequence number left, if the pinger still knew it.
    public var roundTrip: Interval?
}

/// What came back for a pinger.
public enum PingEvent: Hashable, Sendable {
    /// An echo reply to one of the pinger's requests.
    case reply(PingReply)
    /// An ICMP error quoting one of the pinger's requests (`destinationPort` is its sequence).
    case error(ICMPErrorReport)
    /// ARP could not resolve the next hop toward this destination; the request was dropped.
    case hostUnreachable(IPv4Address)
}

/// An echo request waiting to be sent.
struct PingRequest {
    var destination: IPv4Address
    var sequence: UInt16
}

struct PingerState {
    let address: IPv4Address
    let localIndex: Int
    let identifier: UInt16
    var transmitQueue: PacketQueue<PingRequest>
    var events: FixedQueue<PingEvent>
    /// Send times by `sequence % count`, with the sequence they belong to.
    var sendTimes: [(sequence: UInt16, at: Instant)?]
    var readableAnnounced = false
    var transmitScheduled = false

    init(address: IPv4Address, localIndex: Int, identifier: UInt16, limits: StackLimits, maximumData: Int) {
        self.address = address
        self.localIndex = localIndex
        self.identifier = identifier
        transmitQueue = PacketQueue(
            packets: 16, bytes: 4 * max(maximumData, 64), filler: PingRequest(destination: .any, sequence: 0))
        events = FixedQueue(capacity: 64, filler: .hostUnreachable(.any))
        sendTimes = Array(repeating: nil, count: max(limits.pingerSendTimes, 1))
    }

    /// What a free slot of the socket table holds (never modified, only replaced).
    static let vacant: PingerState = {
        var tiny = StackLimits()
        tiny.pingerSendTimes = 1
        return PingerState(address: .any, localIndex: 0, identifier: 0, limits: tiny, maximumData: 1)
    }()

    mutating func recordSent(_ sequence: UInt16, at now: Instant) {
        sendTimes[Int(sequence) % sendTimes.count] = (sequence, now)
    }

    func sentAt(_ sequence: UInt16) -> Instant? {
        guard let entry = sendTimes[Int(sequence) % sendTimes.count], entry.sequence == sequence else { return nil }
        return entry.at
    }

    /// Queues an event; false (and a counted drop for the caller) when the queue is full.
    mutating func post(_ event: PingEvent) -> Bool {
        guard events.count < events.capacity else { return false }
        events.push(event)
        return true
    }
}
