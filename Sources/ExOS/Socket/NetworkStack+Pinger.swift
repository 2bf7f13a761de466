// Pingers: ICMP echo clients on an identifier the stack may use (any on an owned address,
// a granted one on a shared address), with the round trip of each reply.

import ExoPacket

extension NetworkStack {
    /// Opens a pinger sending echo requests with `identifier` from `address` (nil: the
    /// first address on which the identifier is granted).
    public mutating func openPinger(address: IPv4Address? = nil, identifier: UInt16) throws(StackError) -> PingerHandle
    {
        let localIndex = try chooseAddress(address, proto: .icmp, port: identifier)
        let local = link.addresses[localIndex]
        let key = FlowKey(proto: .icmp, localAddress: local.address, localPort: identifier)
        guard flows.find(key) == nil else { throw .endpointInUse }
        let state = PingerState(
            address: local.address, localIndex: localIndex, identifier: identifier, limits: configuration.limits,
            maximumData: maximumEchoData)
        guard let slot = pingers.insert(state) else { throw .tooManySockets }
        guard flows.insert(key, value: Int(slot.index)) else {
            pingers.remove(slot)
            throw .tooManySockets
        }
        return PingerHandle(slot: slot)
    }

    /// Closes the pinger: its queued requests and unread events are discarded. A stale
    /// handle (already closed) is ignored.
    public mutating func close(_ handle: PingerHandle) {
        guard let index = pingers.resolve(handle.slot) else { return }
        let pinger = pingers[index: index]
        flows.remove(FlowKey(proto: .icmp, localAddress: pinger.address, localPort: pinger.identifier))
        pingers.remove(handle.slot)
    }

    /// Queues an echo request to `destination` with `sequence` and `dataLength` bytes of
    /// data (a counting pattern). Its send time is recorded when it leaves.
    public mutating func ping(
        _ handle: PingerHandle, to destination: IPv4Address, sequence: UInt16, dataLength: Int = 56, now: Instant
    ) throws(SendError) {
        advance(to: now)
        guard let index = pingers.resolve(handle.slot) else { throw .staleHandle }
        guard dataLength >= 0, dataLength <= maximumEchoData else { throw .datagramTooLarge(maximum: maximumEchoData) }
        guard link.nextHop(to: destination) != nil else { throw .unroutable(destination) }
        let request = PingRequest(destination: destination, sequence: sequence)
        guard
            pingers[index: index].transmitQueue.enqueue(
                length: dataLength, metadata: request,
                fill: { data in
                    for offset in 0..<data.count { data.setU8(offset, UInt8(truncatingIfNeeded: offset)) }
                })
        else { throw .queueFull }
        scheduleTransmit(.pinger(handle.slot))
    }

    /// The oldest reply, error or failure for the pinger; nil when none is waiting.
    public mutating func nextPingEvent(_ handle: PingerHandle) -> PingEvent? {
        guard let index = pingers.resolve(handle.slot) else { return nil }
        return pingers[index: index].events.pop()
    }

    /// Sends (or parks) the oldest echo request of pinger `handle`.
    mutating func transmitPing(_ handle: SlotHandle, into buffer: MutablePacketBytes) -> Int? {
        guard let index = pingers.resolve(handle) else { return nil }
        guard let request = pingers[index: index].transmitQueue.frontMetadata else {
            pingers[index: index].transmitScheduled = false
            return nil
        }
        let local = link.addresses[pingers[index: index].localIndex]
        let identifier = pingers[index: index].identifier
        let resolution = route(to: request.destination, source: pingers[index: index].localIndex)
        let destinationMAC = resolution.mac ?? .zero
        let identification = nextIdentification()
        let length =
            pingers[index: index].transmitQueue.withFront { _, data -> Int in
                let message = ICMPv4Repr.echoRequest(
                    identifier: identifier, sequence: request.sequence, dataLength: data.count)
                let length = FrameBuilder.payloadOffset + message.length
                guard length <= buffer.count else { return -1 }
                let frame = buffer.prefix(length)
                frame.copy(data, to: FrameBuilder.icmpDataOffset)
                _ = try? message.emit(into: frame.dropFirst(FrameBuilder.payloadOffset))
                let ip = IPv4Repr(
                    source: local.address, destination: request.destination, protocol: .icmp,
                    payloadLength: message.length,
                    identification: identification)
                FrameBuilder.writeHeaders(into: frame, destination: destinationMAC, source: local.mac, ip: ip)
                return length
            } ?? -1
        pingers[index: index].transmitQueue.removeFront()
        pingers[index: index].recordSent(request.sequence, at: now)
        if pingers[index: index].transmitQueue.isEmpty {
            pingers[index: index].transmitScheduled = false
        } else {
            transmitTurns.push(.pinger(handle))
        }
        guard length >= 0 else {
            counters.count(.transmitBufferTooSmall)
            return nil
        }
        guard finish(buffer.prefix(length), resolution, origin: .pinger(handle)) else { return nil }
        counters.echoRequestsSent &+= 1
        return length
    }
}
