// SYN cookies: when a listener's half-open bound is reached (a SYN flood), its SYN-ACK
// carries the connection's state in the ISN (and the timestamp), and no state is kept; the
// ACK that completes the handshake proves the cookie and creates the connection.

import ExoPacket

extension TCPListeners {
    /// Answers a SYN with a SYN-ACK whose sequence number is a cookie.
    mutating func sendCookie(_ listenerIndex: Int, _ syn: TCPRepr, _ datagram: ReceivedDatagram, core: inout StackCore) {
        let listener = table[index: listenerIndex]
        let offered = syn.options
        let cookie = synCookies.make(
            localAddress: datagram.destination, localPort: syn.destinationPort, remoteAddress: datagram.source,
            remotePort: syn.sourcePort, clientSequence: syn.sequenceNumber,
            peerMSS: offered.maximumSegmentSize ?? 536, peerWindowScale: offered.windowScale,
            peerSACKPermitted: offered.sackPermitted, timestampsOffered: offered.timestamps != nil, now: core.now)
        var options = TCPOptions()
        options.maximumSegmentSize = cookie.options.maximumSegmentSize
        if cookie.options.windowScale != nil {
            options.windowScale = TCPReceiver.scale(for: listener.options.receiveBufferSize)
        }
        options.sackPermitted = cookie.options.sackPermitted
        if let value = cookie.timestampValue, let theirs = offered.timestamps {
            options.timestamps = TCPTimestamps(value: value, echoReply: theirs.value)
        }
        let reply = TCPRepr(
            sourcePort: syn.destinationPort, destinationPort: syn.sourcePort, sequenceNumber: cookie.sequence,
            acknowledgementNumber: syn.sequenceNumber + 1, flags: [.syn, .ack],
            window: UInt16(clamping: listener.options.receiveBufferSize), options: options)
        table[index: listenerIndex].lastCookieSent = core.now
        if Self.enqueueStatelessSegment(reply, datagram, core: &core) { core.counters.tcp.synCookiesSent &+= 1 }
    }

    /// Creates the connection an ACK's valid cookie describes; false when it is no cookie.
    mutating func acceptCookie(
        _ listenerIndex: Int, _ segment: TCPRepr, payload: PacketBytes, _ datagram: ReceivedDatagram,
        connections: inout TCPConnections, core: inout StackCore
    ) -> Bool {
        guard
            let options = synCookies.check(
                localAddress: datagram.destination, localPort: segment.destinationPort, remoteAddress: datagram.source,
                remotePort: segment.sourcePort, acknowledgement: segment.acknowledgementNumber,
                sequence: segment.sequenceNumber, timestampEcho: segment.options.timestamps?.echoReply, now: core.now)
        else {
            core.counters.count(.tcpBadCookie)
            return false
        }
        guard !table[index: listenerIndex].isSaturated else {
            core.counters.count(.tcpAcceptQueueFull)
            return true
        }
        let listener = table[index: listenerIndex]
        let remote = IPv4Endpoint(address: datagram.source, port: segment.sourcePort)
        var block = TCPControlBlock(
            local: listener.local, localIndex: listener.localIndex, remote: remote, options: listener.options,
            initialSequence: segment.acknowledgementNumber - 1, timestampOffset: 0, mtu: core.configuration.mtu,
            limits: core.configuration.limits, now: core.now)
        var peer = TCPOptions()
        peer.maximumSegmentSize = options.maximumSegmentSize
        peer.windowScale = options.windowScale
        peer.sackPermitted = options.sackPermitted
        if let timestamps = segment.options.timestamps {
            peer.timestamps = TCPTimestamps(value: timestamps.value, echoReply: 0)
        }
        block.negotiate(peer, now: core.now)
        block.state = .synReceived
        block.listener = table.handle(at: listenerIndex)
        block.countedHalfOpen = true
        block.receiver.synchronize(initial: segment.sequenceNumber - 1, next: segment.sequenceNumber)
        block.sender.space.resume(at: segment.acknowledgementNumber)
        guard let slot = connections.insert(block, core: &core, listeners: &self) else { return true }
        let index = Int(slot.index)
        table[index: listenerIndex].halfOpen += 1
        core.counters.tcp.synCookiesAccepted &+= 1
        core.counters.tcp.passiveOpens &+= 1
        core.glean(datagram)
        // The ACK itself completes the handshake (and may carry data).
        let outcome = connections.table[index: index].receive(
            segment, payload: payload, now: core.now, counters: &core.counters)
        connections.changed(index, outcome, core: &core, listeners: &self)
        return true
    }
}
