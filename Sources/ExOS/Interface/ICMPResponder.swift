// ICMP in the stack (RFC 792, RFC 1122 §3.2.2): echo replies for owned addresses, echo
// replies and errors handed to the pinger, UDP socket or connection they concern, and the
// errors the stack itself sends (destination unreachable; TCP's resets for segments nobody
// owns share their budget), rate-limited.

import ExoPacket

/// Answers and routes ICMP; owns the rate limit on every error the stack sends.
struct ICMPResponder: Sendable {
    private var errorLimiter: TokenBucket

    init(_ limits: StackLimits, now: Instant) {
        errorLimiter = TokenBucket(burst: limits.icmpErrorBurst, interval: limits.icmpErrorInterval, now: now)
    }

    /// Takes one error from the budget; false (counted) when it is spent.
    mutating func mayAnswerWithError(_ core: inout StackCore) -> Bool {
        guard errorLimiter.take(now: core.now) else {
            core.counters.count(.icmpErrorRateLimited)
            return false
        }
        return true
    }

    mutating func receive(
        _ datagram: ReceivedDatagram, core: inout StackCore, udp: inout UDPSockets, pingers: inout Pingers,
        tcp: inout TCPConnections, listeners: inout TCPListeners
    ) {
        guard let message = try? ICMPv4Message(checking: datagram.payload) else {
            core.counters.count(.icmpMalformed)
            return
        }
        guard message.checksumIsValid else {
            core.counters.count(.icmpBadChecksum)
            return
        }
        switch message.type {
        case .echoRequest where message.code == 0:
            answerEcho(message, datagram, core: &core)
        case .echoReply where message.code == 0:
            pingers.deliverReply(message, datagram, core: &core)
        case let type where type.isError:
            deliverError(message, datagram, core: &core, udp: &udp, pingers: &pingers, tcp: &tcp, listeners: &listeners)
        default:
            core.counters.count(.icmpUnhandledType)
        }
    }

    /// Answers an echo request to an owned address: same identifier, sequence and data.
    private func answerEcho(_ request: ICMPv4Message, _ datagram: ReceivedDatagram, core: inout StackCore) {
        let local = core.link.addresses[datagram.localIndex]
        guard local.owned else {
            core.counters.count(.icmpEchoForSharedAddress)
            return
        }
        let data = request.data
        let ip = IPv4Repr(
            source: local.address, destination: datagram.source, protocol: .icmp,
            payloadLength: ICMPv4Message.headerLength + data.count, identification: core.nextIdentification())
        let reply = ICMPv4Repr.echoReply(
            identifier: request.identifier, sequence: request.sequence, dataLength: data.count)
        let length = FrameBuilder.payloadOffset + reply.length
        guard length <= core.configuration.maximumFrameLength else {
            core.counters.count(.frameTooLong)
            return
        }
        if core.enqueueControl(
            length: length,
            { frame in
                FrameBuilder.writeHeaders(into: frame, destination: datagram.linkSource, source: local.mac, ip: ip)
                frame.copy(data, to: FrameBuilder.icmpDataOffset)
                _ = try? reply.emit(into: frame.dropFirst(FrameBuilder.payloadOffset))
            })
        {
            core.counters.echoRepliesSent &+= 1
            core.glean(datagram)
        }
    }

    /// Hands an ICMP error to the socket, pinger or connection whose datagram it quotes.
    private func deliverError(
        _ message: ICMPv4Message, _ datagram: ReceivedDatagram, core: inout StackCore, udp: inout UDPSockets,
        pingers: inout Pingers, tcp: inout TCPConnections, listeners: inout TCPListeners
    ) {
        guard let quote = try? ICMPv4Quote(checking: message.data), quote.fragmentOffset == 0,
            core.link.index(of: quote.source) != nil
        else {
            core.counters.count(.icmpMalformed)
            return
        }
        core.counters.icmpErrorsReceived &+= 1
        var report = ICMPErrorReport(
            type: message.type.rawValue, code: message.code, reporter: datagram.source, destination: quote.destination,
            destinationPort: 0)
        if quote.protocol == .udp {
            report.destinationPort = quote.destinationPort
            if udp.deliverError(report, quote: quote, core: &core) { return }
        } else if quote.protocol == .icmp, quote.quotedICMPType == .echoRequest {
            report.destinationPort = quote.bytes.u16(quote.headerLength + 6)
            if pingers.deliverError(report, quote: quote, core: &core) { return }
        } else if quote.protocol == .tcp {
            report.destinationPort = quote.destinationPort
            if tcp.deliverError(
                report, quote: quote, restOfHeader: message.restOfHeader, core: &core, listeners: &listeners)
            {
                return
            }
        }
        core.counters.count(.icmpErrorUnmatched)
    }

    /// Sends destination unreachable (`code`) about `datagram`, quoting its header and first
    /// 8 payload bytes (RFC 792), unless the rate limit is spent. Only from owned addresses,
    /// only about datagrams unicast to us (link and IP) from a valid peer (RFC 1122 §3.2.2).
    mutating func sendUnreachable(code: UInt8, about datagram: ReceivedDatagram, core: inout StackCore) {
        let local = core.link.addresses[datagram.localIndex]
        guard local.owned, !datagram.linkBroadcast else { return }
        guard mayAnswerWithError(&core) else { return }
        let original = datagram.packet
        let quoteLength = min(original.totalLength, original.headerLength + ICMPv4Quote.quotedPayload)
        let quote = original.bytes.prefix(quoteLength)
        let message = ICMPv4Repr.error(
            type: .destinationUnreachable, code: code, restOfHeader: 0, quoteLength: quoteLength)
        let ip = IPv4Repr(
            source: local.address, destination: datagram.source, protocol: .icmp, payloadLength: message.length,
            identification: core.nextIdentification())
        if core.enqueueControl(
            length: FrameBuilder.payloadOffset + message.length,
            { frame in
                FrameBuilder.writeHeaders(into: frame, destination: datagram.linkSource, source: local.mac, ip: ip)
                frame.copy(quote, to: FrameBuilder.icmpDataOffset)
                _ = try? message.emit(into: frame.dropFirst(FrameBuilder.payloadOffset))
            })
        {
            core.counters.icmpErrorsSent &+= 1
        }
    }
}
