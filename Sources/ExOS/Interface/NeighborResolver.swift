// ARP in the stack (RFC 826, RFC 1122 §2.3.2.1, RFC 5227 announcements): the neighbor cache and
// the frames waiting for a neighbor being resolved; learning from packets, answering requests
// for owned addresses only, resolving next hops with retries and back-off, refreshing
// neighbors in use, giving up (the waiting frames dropped and their senders noted, for the
// stack to tell), and announcing owned addresses. Requests and replies go out as control frames.

import ExoPacket

/// What the output path learned about a next hop.
enum Resolution {
    case mac(MACAddress)
    /// Wait on neighbor entry `index`.
    case pending(Int)
    /// No entry could be made (every one is resolving).
    case cacheFull
}

/// The stack's ARP: its cache, its pending frames and its timers.
struct NeighborResolver {
    private var link: LinkIdentity
    private let limits: StackLimits
    private var cache: NeighborCache
    private var pending: PendingFrames
    /// Pending frames whose neighbor is now known (destination MAC written), oldest first.
    private var resolved = PendingList()
    /// When `runTimers` next has work (the earliest retry).
    private var nextRetry = Instant(nanoseconds: .max)
    /// Gratuitous ARPs still to send, and when the next is due.
    private var announcementsLeft: Int
    private var nextAnnouncement: Instant
    /// Senders of frames dropped because their neighbor never answered, with its address.
    private var unreachable: FixedQueue<(origin: PacketOrigin, address: IPv4Address)>

    init(_ configuration: StackConfiguration, link: LinkIdentity, now: Instant) {
        let limits = configuration.limits
        self.link = link
        self.limits = limits
        cache = NeighborCache(
            capacity: limits.neighbors, lifetime: limits.neighborLifetime, refreshBefore: limits.neighborRefreshBefore)
        if let gateway = configuration.gateway, let mac = configuration.gatewayMAC {
            cache.setPermanent(gateway, mac: mac)
        }
        pending = PendingFrames(slots: limits.pendingTotal, slotSize: configuration.maximumFrameLength)
        announcementsLeft = configuration.addresses.contains(where: \.owned) ? limits.announcements : 0
        nextAnnouncement = now
        unreachable = FixedQueue(capacity: limits.pendingTotal, filler: (.stack, .any))
    }

    /// Takes the link's new MACs after the daemon restarted (same addresses): the gateway's
    /// permanent entry follows, learned neighbors stay, and owned addresses are announced
    /// again, since the peers' caches may hold the old link's view.
    mutating func relink(_ link: LinkIdentity, gatewayMAC: MACAddress?, now: Instant) {
        self.link = link
        if let gateway = link.gateway, let gatewayMAC { cache.setPermanent(gateway, mac: gatewayMAC) }
        announcementsLeft = link.addresses.contains(where: \.owned) ? limits.announcements : 0
        nextAnnouncement = now
    }

    /// The earliest retry or announcement, or nil.
    @inline(__always) var nextDeadline: Instant? {
        let retry: Instant? = nextRetry.nanoseconds == .max ? nil : nextRetry
        return Instant.earliest(retry, announcementsLeft > 0 ? nextAnnouncement : nil)
    }

    /// True when frames whose neighbor answered wait to be sent.
    @inline(__always) var hasResolvedFrames: Bool { !resolved.isEmpty }

    /// Takes one received ARP packet (RFC 826's merge: update a neighbor we know; add one
    /// only when the packet is for us), and answers a request for an owned address.
    mutating func receive(
        _ payload: PacketBytes, now: Instant, control: inout ControlFrames, counters: inout StackCounters
    ) {
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
        if let entry = cache.learn(arp.senderProtocol, mac: arp.senderHardware, now: now, create: target != nil) {
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
        let queued = control.enqueue(length: FrameBuilder.arpFrameLength, counters: &counters) { frame in
            FrameBuilder.writeARP(into: frame, destination: arp.senderHardware, arp: reply)
        }
        if queued { counters.arpRepliesSent &+= 1 }
    }

    /// Learns an on-link sender's MAC from a datagram the stack accepted (see `glean` in
    /// `NetworkStack`): creating or renewing its entry.
    mutating func learn(_ datagram: ReceivedDatagram, now: Instant) {
        guard link.isOnLink(datagram.source) else { return }
        if let entry = cache.learn(datagram.source, mac: datagram.linkSource, now: now, create: true) {
            releasePending(entry: entry, to: datagram.linkSource)
        }
    }

    /// Finds the MAC for `hop` from local address `source`, starting or refreshing
    /// resolution as needed.
    mutating func resolve(
        _ hop: NextHop, source: Int, now: Instant, control: inout ControlFrames, counters: inout StackCounters
    ) -> Resolution {
        guard case .neighbor(let address) = hop else { return .mac(.broadcast) }
        switch cache.lookup(address, now: now) {
        case .found(let mac):
            return .mac(mac)
        case .foundNeedsRefresh(let mac):
            request(address, from: source, to: mac, control: &control, counters: &counters)
            return .mac(mac)
        case .resolving(let entry):
            return .pending(entry)
        case .missing:
            guard let entry = cache.startResolving(address, source: source, now: now) else { return .cacheFull }
            sendResolutionRequest(entry: entry, now: now, control: &control, counters: &counters)
            return .pending(entry)
        }
    }

    /// Parks `frame` (from `origin`) on entry `entry`'s pending list; false (counted
    /// `tx.neighborPendingFull`) when that list or the pool is full.
    mutating func park(_ frame: MutablePacketBytes, on entry: Int, origin: PacketOrigin, counters: inout StackCounters)
        -> Bool
    {
        let parked =
            cache[entry].pending.count < limits.pendingPerNeighbor
            && pending.append(to: &cache[entry].pending, length: frame.count, origin: origin) { slot in
                slot.copy(frame.readOnly, to: 0)
            }
        if !parked { counters.count(.neighborPendingFull) }
        return parked
    }

    /// Copies the oldest frame whose neighbor answered into `buffer`; nil when none waits.
    mutating func transmitResolved(into buffer: MutablePacketBytes, counters: inout StackCounters) -> Int? {
        while let slot = pending.popFront(&resolved) {
            let length = pending.withFrame(slot) { frame -> Int in
                guard frame.count <= buffer.count else { return -1 }
                buffer.copy(frame.readOnly, to: 0)
                return frame.count
            }
            pending.free(slot)
            if length >= 0 { return length }
            counters.count(.transmitBufferTooSmall)
        }
        return nil
    }

    /// Retries and give-ups due by `now`, then the gratuitous ARPs due (RFC 5227) for every
    /// owned address.
    mutating func runTimers(now: Instant, control: inout ControlFrames, counters: inout StackCounters) {
        if now >= nextRetry {
            for entry in cache.entries.indices {
                guard let state = cache.entries[entry]?.state, case .incomplete(_, let retryAt, _) = state,
                    retryAt <= now
                else { continue }
                sendResolutionRequest(entry: entry, now: now, control: &control, counters: &counters)
            }
            nextRetry = cache.nextRetry ?? Instant(nanoseconds: .max)
        }
        guard announcementsLeft > 0, now >= nextAnnouncement else { return }
        for index in link.addresses.indices where link.addresses[index].owned {
            request(link.addresses[index].address, from: index, control: &control, counters: &counters)
        }
        announcementsLeft -= 1
        nextAnnouncement = now + limits.announceInterval
    }

    /// The next sender whose frame was dropped unresolved, with the neighbor's address.
    mutating func nextUnreachable() -> (origin: PacketOrigin, address: IPv4Address)? { unreachable.pop() }

    /// Sends the next request for entry `entry` (incomplete) and schedules the one after,
    /// each retry waiting twice as long as the last; after the last attempt, gives up: the
    /// frames waiting are dropped (counted) and their senders noted.
    private mutating func sendResolutionRequest(
        entry: Int, now: Instant, control: inout ControlFrames, counters: inout StackCounters
    ) {
        guard case .incomplete(let attempts, _, let source) = cache[entry].state else { return }
        guard attempts < limits.arpAttempts else {
            let address = cache[entry].address
            while let slot = pending.popFront(&cache[entry].pending) {
                counters.count(.neighborUnresolved)
                unreachable.push((pending.origin(of: slot), address))
                pending.free(slot)
            }
            cache.remove(at: entry)
            return
        }
        request(cache[entry].address, from: source, control: &control, counters: &counters)
        let retryAt = now + limits.arpRetryInterval.doubled(attempts)
        cache[entry].state = .incomplete(attempts: attempts + 1, retryAt: retryAt, source: source)
        if retryAt < nextRetry { nextRetry = retryAt }
    }

    /// Queues an ARP request for `target` from local address `source`, broadcast or (to
    /// refresh a known neighbor) unicast to `destination`.
    private mutating func request(
        _ target: IPv4Address, from source: Int, to destination: MACAddress = .broadcast,
        control: inout ControlFrames, counters: inout StackCounters
    ) {
        let local = link.addresses[source]
        let request = ARPRepr(
            operation: .request, senderHardware: local.mac, senderProtocol: local.address,
            targetHardware: destination.isBroadcast ? .zero : destination, targetProtocol: target)
        let queued = control.enqueue(length: FrameBuilder.arpFrameLength, counters: &counters) { frame in
            FrameBuilder.writeARP(into: frame, destination: destination, arp: request)
        }
        if queued { counters.arpRequestsSent &+= 1 }
    }

    /// Moves frames waiting on entry `entry` to the resolved list, addressed to `mac`.
    private mutating func releasePending(entry: Int, to mac: MACAddress) {
        guard !cache[entry].pending.isEmpty else { return }
        pending.moveAll(from: &cache[entry].pending, to: &resolved) { frame in
            FrameBuilder.setDestination(mac, in: frame)
        }
    }
}
