// Pingers: ICMP echo clients on an identifier the stack may use (any on an owned address,
// a granted one on a shared address), with the round trip of each reply. `NetworkStack`
// forwards its public pinger calls here.

import ExoPacket

/// The stack's pingers: their table, their identifiers in the flow table, their events.
struct Pingers: Sendable {
    var table: SocketTable<PingerState>

    init(_ limits: StackLimits) {
        table = SocketTable(capacity: limits.pingers, vacant: .vacant)
    }

    /// Opens a pinger sending echo requests with `identifier` from `address` (nil: the
    /// first address on which the identifier is granted).
    mutating func open(address: IPv4Address?, identifier: UInt16, core: inout StackCore) throws(StackError)
        -> PingerHandle
    {
        let localIndex = try core.chooseAddress(address, proto: .icmp, port: identifier)
        let local = core.link.addresses[localIndex]
        let key = FlowKey(proto: .icmp, localAddress: local.address, localPort: identifier)
        guard core.flows.find(key) == nil else { throw .endpointInUse }
        let state = PingerState(
            address: local.address, localIndex: localIndex, identifier: identifier, limits: core.configuration.limits,
            maximumData: core.configuration.maximumEchoData)
        guard let slot = table.insert(state) else { throw .tooManySockets }
        guard core.flows.insert(key, value: Int(slot.index)) else {
            table.remove(slot)
            throw .tooManySockets
        }
        return PingerHandle(slot: slot)
    }

    /// Closes the pinger: its queued requests and unread events are discarded.
    mutating func close(_ handle: PingerHandle, core: inout StackCore) {
        guard let index = table.resolve(handle.slot) else { return }
        let pinger = table[index: index]
        core.flows.remove(FlowKey(proto: .icmp, localAddress: pinger.address, localPort: pinger.identifier))
        if pinger.transmitScheduled { core.cancel(.pinger(handle.slot)) }
        table.remove(handle.slot)
    }

    /// Queues an echo request to `destination` with `sequence` and `dataLength` bytes of
    /// data (a counting pattern). Its send time is recorded when it leaves.
    mutating func ping(
        _ handle: PingerHandle, to destination: IPv4Address, sequence: UInt16, dataLength: Int, core: inout StackCore
    ) throws(SendError) {
        guard let index = table.resolve(handle.slot) else { throw .staleHandle }
        let maximum = core.configuration.maximumEchoData
        guard dataLength >= 0, dataLength <= maximum else { throw .datagramTooLarge(maximum: maximum) }
        guard core.link.nextHop(to: destination) != nil else { throw .unroutable(destination) }
        let request = PingRequest(destination: destination, sequence: sequence)
        guard
            table[index: index].transmitQueue.enqueue(
                length: dataLength, metadata: request,
                fill: { data in
                    for offset in 0..<data.count { data.setU8(offset, UInt8(truncatingIfNeeded: offset)) }
                })
        else { throw .queueFull }
        guard !table[index: index].transmitScheduled else { return }
        table[index: index].transmitScheduled = true
        core.schedule(.pinger(handle.slot))
    }

    /// The oldest reply, error or failure for the pinger; nil when none is waiting.
    mutating func nextEvent(_ handle: PingerHandle) -> PingEvent? {
        guard let index = table.resolve(handle.slot) else { return nil }
        return table[index: index].events.pop()
    }

    /// Clears the pinger's readable announcement; false when it has closed since.
    mutating func consume(_ handle: PingerHandle) -> Bool {
        guard let index = table.resolve(handle.slot) else { return false }
        table[index: index].readableAnnounced = false
        return true
    }

    /// Queues `event` for pinger `index` and announces it (once until consumed).
    private mutating func post(_ event: PingEvent, to index: Int, core: inout StackCore) {
        guard table[index: index].post(event) else {
            core.counters.count(.pingerQueueFull)
            return
        }
        guard !table[index: index].readableAnnounced else { return }
        table[index: index].readableAnnounced = core.post(.pingerReadable(PingerHandle(slot: table.handle(at: index))))
    }

    mutating func deliverReply(_ reply: ICMPv4Message, _ datagram: ReceivedDatagram, core: inout StackCore) {
        let key = FlowKey(proto: .icmp, localAddress: datagram.destination, localPort: reply.identifier)
        guard let index = core.flows.find(key), table.isOpen(index) else {
            core.counters.count(.icmpNoPinger)
            return
        }
        core.counters.echoRepliesReceived &+= 1
        core.glean(datagram)
        let sentAt = table[index: index].sentAt(reply.sequence)
        let event = PingEvent.reply(
            PingReply(
                sequence: reply.sequence, from: datagram.source, dataLength: reply.data.count,
                timeToLive: datagram.packet.timeToLive, roundTrip: sentAt.map { core.now - $0 }))
        post(event, to: index, core: &core)
    }

    /// Hands an ICMP error quoting one of a pinger's requests to it; false when none matches.
    mutating func deliverError(_ report: ICMPErrorReport, quote: ICMPv4Quote, core: inout StackCore) -> Bool {
        let key = FlowKey(proto: .icmp, localAddress: quote.source, localPort: quote.echoIdentifier)
        guard let index = core.flows.find(key), table.isOpen(index) else { return false }
        post(.error(report), to: index, core: &core)
        return true
    }

    /// ARP gave up on the neighbor of one of the pinger's requests.
    mutating func neighborUnreachable(_ handle: SlotHandle, _ address: IPv4Address, core: inout StackCore) {
        guard let index = table.resolve(handle) else { return }
        post(.hostUnreachable(address), to: index, core: &core)
    }

    /// Sends (or parks) the oldest echo request of pinger `handle`.
    mutating func transmit(_ handle: SlotHandle, into buffer: MutablePacketBytes, core: inout StackCore) -> Int? {
        guard let index = table.resolve(handle) else { return nil }
        guard let request = table[index: index].transmitQueue.frontMetadata else {
            table[index: index].transmitScheduled = false
            return nil
        }
        let local = core.link.addresses[table[index: index].localIndex]
        let identifier = table[index: index].identifier
        let resolution = core.route(to: request.destination, source: table[index: index].localIndex)
        let destinationMAC = resolution.mac ?? .zero
        let identification = core.nextIdentification()
        let length =
            table[index: index].transmitQueue.withFront { _, data -> Int in
                let message = ICMPv4Repr.echoRequest(
                    identifier: identifier, sequence: request.sequence, dataLength: data.count)
                let length = FrameBuilder.payloadOffset + message.length
                guard length <= buffer.count else { return -1 }
                let frame = buffer.prefix(length)
                frame.copy(data, to: FrameBuilder.icmpDataOffset)
                _ = try? message.emit(into: frame.dropFirst(FrameBuilder.payloadOffset))
                let ip = IPv4Repr(
                    source: local.address, destination: request.destination, protocol: .icmp,
                    payloadLength: message.length, identification: identification)
                FrameBuilder.writeHeaders(into: frame, destination: destinationMAC, source: local.mac, ip: ip)
                return length
            } ?? -1
        table[index: index].transmitQueue.removeFront()
        table[index: index].recordSent(request.sequence, at: core.now)
        if table[index: index].transmitQueue.isEmpty {
            table[index: index].transmitScheduled = false
        } else {
            core.schedule(.pinger(handle))
        }
        guard length >= 0 else {
            core.counters.count(.transmitBufferTooSmall)
            return nil
        }
        guard core.finish(buffer.prefix(length), resolution, origin: .pinger(handle)) else { return nil }
        core.counters.echoRequestsSent &+= 1
        return length
    }
}
