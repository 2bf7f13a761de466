// ICMP in the stack (RFC 792, RFC 1122 §3.2.2): echo replies for owned addresses, echo
// replies and errors delivered to pingers and UDP sockets, and the port-unreachable errors
// the stack generates, rate-limited.

import ExoPacket

extension NetworkStack {
    mutating func receiveICMP(_ datagram: ReceivedDatagram) {
        guard let message = try? ICMPv4Message(checking: datagram.payload) else {
            counters.count(.icmpMalformed)
            return
        }
        guard message.checksumIsValid else {
            counters.count(.icmpBadChecksum)
            return
        }
        switch message.type {
        case .echoRequest where message.code == 0:
            answerEcho(message, datagram)
        case .echoReply where message.code == 0:
            deliverEchoReply(message, datagram)
        case let type where type.isError:
            deliverError(message, datagram)
        default:
            counters.count(.icmpUnhandledType)
        }
    }

    /// Answers an echo request to an owned address: same identifier, sequence and data.
    private mutating func answerEcho(_ request: ICMPv4Message, _ datagram: ReceivedDatagram) {
        let local = link.addresses[datagram.localIndex]
        guard local.owned else {
            counters.count(.icmpEchoForSharedAddress)
            return
        }
        let data = request.data
        let ip = IPv4Repr(
            source: local.address, destination: datagram.source, protocol: .icmp,
            payloadLength: ICMPv4Message.headerLength + data.count, identification: nextIdentification())
        let reply = ICMPv4Repr.echoReply(
            identifier: request.identifier, sequence: request.sequence, dataLength: data.count)
        let length = FrameBuilder.payloadOffset + reply.length
        guard length <= configuration.maximumFrameLength else {
            counters.count(.frameTooLong)
            return
        }
        if enqueueControl(
            length: length,
            { frame in
                FrameBuilder.writeHeaders(into: frame, destination: datagram.linkSource, source: local.mac, ip: ip)
                frame.copy(data, to: FrameBuilder.icmpDataOffset)
                _ = try? reply.emit(into: frame.dropFirst(FrameBuilder.payloadOffset))
            })
        {
            counters.echoRepliesSent &+= 1
            glean(datagram)
        }
    }

    private mutating func deliverEchoReply(_ reply: ICMPv4Message, _ datagram: ReceivedDatagram) {
        let key = FlowKey(proto: .icmp, localAddress: datagram.destination, localPort: reply.identifier)
        guard let index = flows.find(key), pingers.isOpen(index) else {
            counters.count(.icmpNoPinger)
            return
        }
        counters.echoRepliesReceived &+= 1
        glean(datagram)
        let sentAt = pingers[index: index].sentAt(reply.sequence)
        let event = PingEvent.reply(
            PingReply(
                sequence: reply.sequence, from: datagram.source, dataLength: reply.data.count,
                timeToLive: datagram.packet.timeToLive, roundTrip: sentAt.map { now - $0 }))
        if pingers[index: index].post(event) {
            announceReadable(pinger: index)
        } else {
            counters.count(.pingerQueueFull)
        }
    }

    /// Hands an ICMP error to the socket or pinger whose datagram it quotes.
    private mutating func deliverError(_ message: ICMPv4Message, _ datagram: ReceivedDatagram) {
        guard let quote = try? ICMPv4Quote(checking: message.data), quote.fragmentOffset == 0,
            link.index(of: quote.source) != nil
        else {
            counters.count(.icmpMalformed)
            return
        }
        counters.icmpErrorsReceived &+= 1
        var report = ICMPErrorReport(
            type: message.type.rawValue, code: message.code, reporter: datagram.source, destination: quote.destination,
            destinationPort: 0)
        if quote.protocol == .udp {
            report.destinationPort = quote.destinationPort
            let key = FlowKey(proto: .udp, localAddress: quote.source, localPort: quote.sourcePort)
            let peer = UDPEndpoint(address: quote.destination, port: quote.destinationPort)
            if let index = flows.find(key), udpSockets.isOpen(index), udpSockets[index: index].accepts(from: peer) {
                udpSockets[index: index].error = .icmp(report)
                announceReadable(udp: index)
                return
            }
        } else if quote.protocol == .icmp, quote.quotedICMPType == .echoRequest {
            report.destinationPort = quote.bytes.u16(quote.headerLength + 6)
            let key = FlowKey(proto: .icmp, localAddress: quote.source, localPort: quote.echoIdentifier)
            if let index = flows.find(key), pingers.isOpen(index) {
                if pingers[index: index].post(.error(report)) {
                    announceReadable(pinger: index)
                } else {
                    counters.count(.pingerQueueFull)
                }
                return
            }
        } else if quote.protocol == .tcp {
            report.destinationPort = quote.destinationPort
            if deliverTCPError(report, quote: quote, restOfHeader: message.restOfHeader) { return }
        }
        counters.count(.icmpErrorUnmatched)
    }

    /// Sends destination unreachable (`code`) about `datagram`, quoting its header and first
    /// 8 payload bytes (RFC 792), unless the rate limit is spent. Only from owned addresses,
    /// only about datagrams unicast to us (link and IP) from a valid peer (RFC 1122 §3.2.2).
    mutating func sendUnreachable(code: UInt8, about datagram: ReceivedDatagram) {
        let local = link.addresses[datagram.localIndex]
        guard local.owned, !datagram.linkBroadcast else { return }
        guard icmpErrorLimiter.take(now: now) else {
            counters.count(.icmpErrorRateLimited)
            return
        }
        let original = datagram.packet
        let quoteLength = min(original.totalLength, original.headerLength + ICMPv4Quote.quotedPayload)
        let quote = original.bytes.prefix(quoteLength)
        let message = ICMPv4Repr.error(
            type: .destinationUnreachable, code: code, restOfHeader: 0, quoteLength: quoteLength)
        let ip = IPv4Repr(
            source: local.address, destination: datagram.source, protocol: .icmp, payloadLength: message.length,
            identification: nextIdentification())
        if enqueueControl(
            length: FrameBuilder.payloadOffset + message.length,
            { frame in
                FrameBuilder.writeHeaders(into: frame, destination: datagram.linkSource, source: local.mac, ip: ip)
                frame.copy(quote, to: FrameBuilder.icmpDataOffset)
                _ = try? message.emit(into: frame.dropFirst(FrameBuilder.payloadOffset))
            })
        {
            counters.icmpErrorsSent &+= 1
        }
    }
}
