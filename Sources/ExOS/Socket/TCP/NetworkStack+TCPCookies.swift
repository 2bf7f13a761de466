// SYN cookies: when a listener's half-open bound is reached (a SYN flood), its SYN-ACK
// carries the connection's state in the ISN (and the timestamp), and no state is kept; the
// ACK that completes the handshake proves the cookie and creates the connection.

import ExoPacket

extension NetworkStack {
    /// Answers a SYN with a SYN-ACK whose sequence number is a cookie.
    mutating func sendCookie(_ listenerIndex: Int, _ syn: TCPRepr, _ datagram: ReceivedDatagram) {
        let listener = tcpListeners[index: listenerIndex]
        let offered = syn.options
        let cookie = synCookies.make(
            localAddress: datagram.destination, localPort: syn.destinationPort, remoteAddress: datagram.source,
            remotePort: syn.sourcePort, clientSequence: syn.sequenceNumber,
            peerMSS: offered.maximumSegmentSize ?? 536, peerWindowScale: offered.windowScale,
            peerSACKPermitted: offered.sackPermitted, timestampsOffered: offered.timestamps != nil, now: now)
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
        tcpListeners[index: listenerIndex].lastCookieSent = now
        if enqueueStatelessSegment(reply, datagram) { counters.tcp.synCookiesSent &+= 1 }
    }

    /// Creates the connection an ACK's valid cookie describes; false when it is no cookie.
    mutating func acceptCookie(
        _ listenerIndex: Int, _ segment: TCPRepr, payload: PacketBytes, _ datagram: ReceivedDatagram
    ) -> Bool {
        guard
            let options = synCookies.check(
                localAddress: datagram.destination, localPort: segment.destinationPort, remoteAddress: datagram.source,
                remotePort: segment.sourcePort, acknowledgement: segment.acknowledgementNumber,
                sequence: segment.sequenceNumber, timestampEcho: segment.options.timestamps?.echoReply, now: now)
        else {
            counters.count(.tcpBadCookie)
            return false
        }
        guard !tcpListeners[index: listenerIndex].isSaturated else {
            counters.count(.tcpAcceptQueueFull)
            return true
        }
        let listener = tcpListeners[index: listenerIndex]
        let remote = IPv4Endpoint(address: datagram.source, port: segment.sourcePort)
        var block = TCPControlBlock(
            local: listener.local, localIndex: listener.localIndex, remote: remote, options: listener.options,
            initialSequence: segment.acknowledgementNumber - 1, timestampOffset: 0, mtu: configuration.mtu,
            limits: configuration.limits, now: now)
        var peer = TCPOptions()
        peer.maximumSegmentSize = options.maximumSegmentSize
        peer.windowScale = options.windowScale
        peer.sackPermitted = options.sackPermitted
        if let timestamps = segment.options.timestamps {
            peer.timestamps = TCPTimestamps(value: timestamps.value, echoReply: 0)
        }
        block.negotiate(peer, now: now)
        block.state = .synReceived
        block.listener = tcpListeners.handle(at: listenerIndex)
        block.countedHalfOpen = true
        block.receiver.synchronize(initial: segment.sequenceNumber - 1, next: segment.sequenceNumber)
        block.sender.space.resume(at: segment.acknowledgementNumber)
        guard let slot = insertConnection(block) else { return true }
        let index = Int(slot.index)
        tcpListeners[index: listenerIndex].halfOpen += 1
        counters.tcp.synCookiesAccepted &+= 1
        counters.tcp.passiveOpens &+= 1
        glean(datagram)
        // The ACK itself completes the handshake (and may carry data).
        let outcome = tcpConnections[index: index].receive(segment, payload: payload, now: now, counters: &counters)
        connectionChanged(index, outcome)
        return true
    }
}
