// ARP in the stack (RFC 826, RFC 1122 §2.3.2.1, RFC 5227 announcements): learning from
// packets, answering requests for owned addresses only, resolving next hops with retries
// and back-off, refreshing neighbors in use, and giving up (the pending frames dropped and
// their sockets told).

import ExoPacket

/// What the output path learned about a next hop.
enum Resolution {
    case mac(MACAddress)
    /// Wait on neighbor entry `index`.
    case pending(Int)
    /// No entry could be made (every one is resolving).
    case cacheFull
}

extension NetworkStack {
    mutating func receiveARP(_ payload: PacketBytes) {
        guard let packet = try? ARPPacket(checking: payload), let arp = try? ARPRepr(parsing: packet) else {
            counters.count(.arpMalformed)
            return
        }
        guard arp.senderHardware.isUnicast, arp.senderProtocol.isUnicastHost, !link.isBroadcast(arp.senderProtocol)
        else {
            counters.count(.arpBadSender)
            return
        }
        guard link.index(of: arp.senderProtocol) == nil else {
            // Someone else claims one of our addresses; never let it into the cache.
            counters.count(.arpAddressConflict)
            return
        }
        let target = link.index(of: arp.targetProtocol)
        // RFC 826's merge: update a neighbor we know; add one only when the packet is for us.
        if let entry = neighbors.learn(arp.senderProtocol, mac: arp.senderHardware, now: now, create: target != nil) {
            releasePending(entry: entry, to: arp.senderHardware)
        }
        guard let target else {
            counters.count(.arpNotForUs)
            return
        }
        guard arp.operation == .request else { return }
        let local = link.addresses[target]
        guard local.owned else {
            // On a shared address the daemon answers; a second answer would be a conflict.
            counters.count(.arpForSharedAddress)
            return
        }
        let reply = ARPRepr(
            operation: .reply, senderHardware: local.mac, senderProtocol: local.address,
            targetHardware: arp.senderHardware, targetProtocol: arp.senderProtocol)
        if enqueueControl(
            length: FrameBuilder.arpFrameLength,
            { frame in
                FrameBuilder.writeARP(into: frame, destination: arp.senderHardware, arp: reply)
            })
        {
            counters.arpRepliesSent &+= 1
        }
    }

    /// Learns an on-link sender's MAC from a datagram the stack accepted (a socket took it,
    /// or an echo was answered). On a shared address this is the only way: the daemon
    /// answers ARP for the address, so replies to the stack's requests go to the daemon.
    /// It also saves a server an ARP round trip before its first answer. Only datagrams
    /// something accepted teach, so garbage cannot churn the cache.
    mutating func glean(_ datagram: ReceivedDatagram) {
        guard link.isOnLink(datagram.source) else { return }
        if let entry = neighbors.learn(datagram.source, mac: datagram.linkSource, now: now, create: true) {
            releasePending(entry: entry, to: datagram.linkSource)
        }
    }

    /// Queues an ARP request for `target` from local address `source`, broadcast or (to
    /// refresh a known neighbor) unicast to `destination`.
    mutating func queueARPRequest(for target: IPv4Address, from source: Int, to destination: MACAddress = .broadcast) {
        let local = link.addresses[source]
        let request = ARPRepr(
            operation: .request, senderHardware: local.mac, senderProtocol: local.address,
            targetHardware: destination.isBroadcast ? .zero : destination, targetProtocol: target)
        if enqueueControl(
            length: FrameBuilder.arpFrameLength,
            { frame in
                FrameBuilder.writeARP(into: frame, destination: destination, arp: request)
            })
        {
            counters.arpRequestsSent &+= 1
        }
    }

    /// Finds the MAC for `hop`, starting or refreshing resolution as needed.
    mutating func resolve(_ hop: NextHop, source: Int) -> Resolution {
        guard case .neighbor(let address) = hop else { return .mac(.broadcast) }
        switch neighbors.lookup(address, now: now) {
        case .found(let mac):
            return .mac(mac)
        case .foundNeedsRefresh(let mac):
            queueARPRequest(for: address, from: source, to: mac)
            return .mac(mac)
        case .resolving(let entry):
            return .pending(entry)
        case .missing:
            guard let entry = neighbors.startResolving(address, source: source, now: now) else { return .cacheFull }
            sendResolutionRequest(entry: entry)
            return .pending(entry)
        }
    }

    /// Sends the next request for entry `entry` (incomplete) and schedules the one after,
    /// each retry waiting twice as long as the last; after the last attempt, gives up.
    private mutating func sendResolutionRequest(entry: Int) {
        guard case .incomplete(let attempts, _, let source) = neighbors[entry].state else { return }
        guard attempts < configuration.limits.arpAttempts else {
            giveUp(entry: entry)
            return
        }
        queueARPRequest(for: neighbors[entry].address, from: source)
        let retryAt = now + configuration.limits.arpRetryInterval.doubled(attempts)
        neighbors[entry].state = .incomplete(attempts: attempts + 1, retryAt: retryAt, source: source)
        if retryAt < nextNeighborTimer { nextNeighborTimer = retryAt }
    }

    /// Retries and give-ups due by `now`.
    mutating func runNeighborTimers() {
        guard now >= nextNeighborTimer else { return }
        for entry in neighbors.entries.indices {
            guard let state = neighbors.entries[entry]?.state, case .incomplete(_, let retryAt, _) = state,
                retryAt <= now
            else { continue }
            sendResolutionRequest(entry: entry)
        }
        nextNeighborTimer = neighbors.nextRetry ?? Instant(nanoseconds: .max)
    }

    /// Drops the frames waiting on entry `entry`, tells their sockets, frees the entry.
    private mutating func giveUp(entry: Int) {
        let address = neighbors[entry].address
        while let slot = pending.popFront(&neighbors[entry].pending) {
            counters.count(.neighborUnresolved)
            tellUnreachable(pending.origin(of: slot), address: address)
            pending.free(slot)
        }
        neighbors.remove(at: entry)
    }

    private mutating func tellUnreachable(_ origin: PacketOrigin, address: IPv4Address) {
        switch origin {
        case .stack, .tcp:
            // TCP treats it as a soft error (RFC 1122 §4.2.3.9): its retransmissions retry ARP.
            break
        case .udp(let handle):
            guard let socket = udpSockets.resolve(handle) else { return }
            udpSockets[index: socket].error = .hostUnreachable(address)
            announceReadable(udp: socket)
        case .pinger(let handle):
            guard let pinger = pingers.resolve(handle) else { return }
            if pingers[index: pinger].post(.hostUnreachable(address)) {
                announceReadable(pinger: pinger)
            } else {
                counters.count(.pingerQueueFull)
            }
        }
    }

    /// Moves frames waiting on entry `entry` to the resolved list, addressed to `mac`.
    private mutating func releasePending(entry: Int, to mac: MACAddress) {
        guard !neighbors[entry].pending.isEmpty else { return }
        pending.moveAll(from: &neighbors[entry].pending, to: &resolved) { frame in
            FrameBuilder.setDestination(mac, in: frame)
        }
    }

    /// Sends the gratuitous ARPs due (RFC 5227 announcements) for every owned address.
    mutating func runAnnouncements() {
        guard announcementsLeft > 0, now >= nextAnnouncement else { return }
        for index in link.addresses.indices where link.addresses[index].owned {
            queueARPRequest(for: link.addresses[index].address, from: index)
        }
        announcementsLeft -= 1
        nextAnnouncement = now + configuration.limits.announceInterval
    }

    /// Appends a ready-made frame to the control queue; false (counted) when it is full.
    mutating func enqueueControl(length: Int, _ fill: (MutablePacketBytes) -> Void) -> Bool {
        guard controlQueue.enqueue(length: length, metadata: (), fill: fill) else {
            counters.count(.controlQueueFull)
            return false
        }
        return true
    }
}
