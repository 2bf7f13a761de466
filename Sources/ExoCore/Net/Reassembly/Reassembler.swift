// Bounded IPv4 reassembly, pure: fragments in, whole datagrams out, every refusal counted.
// Capped in datagrams, bytes and time (the caller's clock); overlaps drop the whole datagram.
import ExoWire
import ExoPacket

/// Reassembles IPv4 datagrams from fragments the demultiplexer classified `.reassemble`.
///
/// Bounds: at most `maximumDatagrams` datagrams and `maximumBytes` fragment bytes are held,
/// and at most `maximumDatagramsPerOwner` datagrams per owner (the tenant charged for them).
/// To make room the reassembler evicts a datagram of the owner that holds the most (first a
/// dropped datagram, then the oldest), and an owner at its own bound evicts its own: one
/// owner's fragments never push out the datagrams of an owner holding fewer. A datagram
/// not whole `timeoutNanoseconds` after its first fragment is dropped by `expire(now:)` (or
/// when its next fragment arrives late). Memory is allocated once, in `init`; `add` and
/// `expire` allocate nothing. Owned by one thread (the daemon's loop): not `Sendable`.
public final class Reassembler {
    /// Smallest maximum frame: Ethernet + IPv4 header + 8 bytes.
    public static let minimumFrame = EthernetPacket.headerLength + IPv4Packet.minimumHeaderLength + 8
    /// Largest maximum frame: Ethernet + the largest IPv4 datagram.
    public static let maximumFrameLimit = EthernetPacket.headerLength + Int(UInt16.max)

    public private(set) var limits: ReassemblyLimits
    private let store: ReassemblyStore
    private var heldBytesTotal = 0
    private var drops: [UInt64]
    /// Per owner (last: unattributed): datagrams held, and datagrams evicted.
    private var ownerHeld: [Int]
    private var ownerEvicted: [UInt64]

    public init(limits: ReassemblyLimits) {
        self.limits = limits
        store = ReassemblyStore(
            slotCount: limits.maximumDatagrams,
            payloadCapacity: limits.maximumFrame - EthernetPacket.headerLength - IPv4Packet.minimumHeaderLength)
        drops = Array(repeating: 0, count: ReassemblyDrop.allCases.count)
        ownerHeld = Array(repeating: 0, count: limits.owners + 1)
        ownerEvicted = Array(repeating: 0, count: limits.owners + 1)
    }

    /// Changes how many datagrams one owner may have held (a configuration reload). Owners
    /// already over the new bound keep what they hold; their next datagram evicts their own.
    public func setMaximumDatagramsPerOwner(_ count: Int) {
        limits.maximumDatagramsPerOwner = max(1, count)
    }

    /// Datagrams held on `owner`'s account (a tenant id below `limits.owners`; any other
    /// value is the unattributed owner).
    public func datagramCount(of owner: UInt32) -> Int { ownerHeld[index(of: owner)] }

    /// Datagrams of `owner` evicted to make room since `init`.
    public func evictions(of owner: UInt32) -> UInt64 { ownerEvicted[index(of: owner)] }

    private func index(of owner: UInt32) -> Int { Int(owner) < limits.owners ? Int(owner) : limits.owners }

    /// Fragments and datagrams dropped for `reason` since `init`.
    public func count(_ reason: ReassemblyDrop) -> UInt64 { drops[Int(reason.rawValue)] }

    /// Datagrams held (partial, or dropped and awaiting their deadline).
    public var datagramCount: Int { store.slots.reduce(0) { $0 + ($1.inUse ? 1 : 0) } }

    /// Fragment payload bytes held.
    public var heldBytes: Int { heldBytesTotal }

    /// The earliest deadline of a held datagram (when `expire` has work), or nil.
    public var nextDeadline: UInt64? {
        var earliest: UInt64?
        for slot in store.slots where slot.inUse { earliest = min(earliest ?? .max, slot.deadline) }
        return earliest
    }

    /// Adds one fragment: `frame` is an Ethernet frame that passed `InspectedPacket` and carries
    /// an IPv4 fragment. When it completes its datagram, the whole datagram is written to
    /// `output` as an Ethernet frame (the first fragment's Ethernet and IPv4 headers, options
    /// included, with the fragment fields cleared but DF, the total length and the header
    /// checksum fixed) and `.complete(length:)` says how long. `output` may be the memory
    /// `frame` lies in: the fragment is read in full before the output is written.
    /// `owner` is charged for a datagram this fragment opens (see `limits`).
    public func add(
        _ frame: PacketBytes, now: UInt64, owner: UInt32 = .max, into output: MutablePacketBytes
    ) -> ReassemblyResult {
        guard frame.count >= EthernetPacket.headerLength,
            let ip = try? IPv4Packet(checking: frame.dropFirst(EthernetPacket.headerLength)), ip.isFragment
        else { return counted(.notAFragment) }
        let key = ReassemblyKey(
            source: ip.source, destination: ip.destination, protocol: ip.protocol.rawValue, identification: ip.identification)
        let slot = find(key, now: now) ?? open(key, now: now, owner: index(of: owner))
        guard !store.slots[slot].dropped else { return counted(.afterDrop) }
        let data = ip.payload
        let offset = ip.fragmentOffset
        let end = offset + data.count
        if let reason = inconsistency(slot, offset: offset, end: end, last: !ip.moreFragments) { return kill(slot, reason) }
        if offset == 0, EthernetPacket.headerLength + ip.headerLength + max(end, store.slots[slot].highestEnd) > limits.maximumFrame {
            return kill(slot, .tooLarge)
        }
        let units = (offset / 8)..<((end + 7) / 8)
        let held = store.heldUnits(slot, units)
        let buffer = store.bytes(slot)
        if held == units.count {
            let same = buffer.readOnly.slice(ReassemblyStore.headerRoom + offset, data.count).bytesEqual(data)
            return same ? counted(.duplicate) : kill(slot, .conflictingDuplicate)
        }
        if held > 0 { return kill(slot, .overlap) }
        makeRoom(for: data.count, keeping: slot)
        buffer.copy(data, to: ReassemblyStore.headerRoom + offset)
        store.hold(slot, units)
        if offset == 0 {
            let headers = EthernetPacket.headerLength + ip.headerLength
            buffer.copy(frame.prefix(headers), to: ReassemblyStore.headerRoom - headers)
            store.slots[slot].ipHeaderLength = ip.headerLength
        }
        store.slots[slot].heldBytes += data.count
        heldBytesTotal += data.count
        store.slots[slot].highestEnd = max(store.slots[slot].highestEnd, end)
        if !ip.moreFragments { store.slots[slot].totalLength = end }
        return finishIfWhole(slot, into: output)
    }

    /// Drops every datagram whose deadline is at or before `now`; returns how many of them
    /// were still live (those are counted as `timedOut`).
    @discardableResult
    public func expire(now: UInt64) -> Int {
        var expired = 0
        for slot in 0..<store.slotCount where store.slots[slot].inUse && store.slots[slot].deadline <= now {
            if expireOne(slot) { expired += 1 }
        }
        return expired
    }

    // MARK: steps

    /// Length checks against what the datagram already said about its end.
    private func inconsistency(_ slot: Int, offset: Int, end: Int, last: Bool) -> ReassemblyDrop? {
        let state = store.slots[slot]
        guard end > offset, last || (end - offset) % 8 == 0 else { return .inconsistentLength }
        // Room after the smallest header; the first fragment's own header is checked when it comes.
        if end > store.payloadCapacity || IPv4Packet.minimumHeaderLength + end > Int(UInt16.max) { return .tooLarge }
        if state.ipHeaderLength > 0,
            EthernetPacket.headerLength + state.ipHeaderLength + end > limits.maximumFrame
                || state.ipHeaderLength + end > Int(UInt16.max)
        {
            return .tooLarge
        }
        if let total = state.totalLength {
            if end > total || (last && end != total) { return .inconsistentLength }
        } else if last, state.highestEnd > end {
            return .inconsistentLength
        }
        return nil
    }

    /// Writes the whole datagram to `output` when every byte up to the end has arrived.
    private func finishIfWhole(_ slot: Int, into output: MutablePacketBytes) -> ReassemblyResult {
        let state = store.slots[slot]
        guard let total = state.totalLength, state.ipHeaderLength > 0, state.heldBytes == total else { return .incomplete }
        let headers = EthernetPacket.headerLength + state.ipHeaderLength
        let length = headers + total
        guard length <= output.count else { return kill(slot, .tooLarge) }
        let buffer = store.bytes(slot).readOnly
        output.copy(buffer.slice(ReassemblyStore.headerRoom - headers, length), to: 0)
        let ip = output.slice(EthernetPacket.headerLength, state.ipHeaderLength + total)
        let flags = ip.readOnly.u16(IPv4Packet.Field.flagsAndFragmentOffset.lowerBound) & IPv4Packet.dontFragmentBit
        ip.setU16(IPv4Packet.Field.flagsAndFragmentOffset.lowerBound, flags)
        ip.setU16(IPv4Packet.Field.totalLength.lowerBound, UInt16(state.ipHeaderLength + total))
        ip.setU16(IPv4Packet.Field.checksum.lowerBound, 0)
        ip.setU16(IPv4Packet.Field.checksum.lowerBound, InternetChecksum.of(ip.readOnly.prefix(state.ipHeaderLength)))
        release(slot)
        return .complete(length: length)
    }

    // MARK: slots

    private func find(_ key: ReassemblyKey, now: UInt64) -> Int? {
        for slot in 0..<store.slotCount where store.slots[slot].inUse && store.slots[slot].key == key {
            guard store.slots[slot].deadline > now else {
                _ = expireOne(slot)
                return nil
            }
            return slot
        }
        return nil
    }

    /// Ends a datagram at its deadline; returns whether it was live (and counted `timedOut`).
    private func expireOne(_ slot: Int) -> Bool {
        let live = !store.slots[slot].dropped
        if live { drops[Int(ReassemblyDrop.timedOut.rawValue)] &+= 1 }
        release(slot)
        return live
    }

    /// A fresh slot for `key` charged to `owner`: an owner at its bound evicts its own
    /// datagram; otherwise a free slot, or one of the heaviest owner's.
    private func open(_ key: ReassemblyKey, now: UInt64, owner: Int) -> Int {
        if ownerHeld[owner] >= limits.maximumDatagramsPerOwner, let own = evictionVictim(sparing: -1, of: owner) {
            evict(own)
        }
        let slot = firstFreeSlot() ?? evictionVictim(sparing: -1)!
        if store.slots[slot].inUse { evict(slot) }
        var state = ReassemblySlot()
        state.inUse = true
        state.key = key
        state.owner = owner
        ownerHeld[owner] += 1
        state.started = now
        state.deadline = now &+ limits.timeoutNanoseconds
        store.slots[slot] = state
        return slot
    }

    private func firstFreeSlot() -> Int? {
        for slot in 0..<store.slotCount where !store.slots[slot].inUse { return slot }
        return nil
    }

    /// A datagram of `owner` (by default the owner holding the most): a dropped one first,
    /// else the oldest; never `spared`.
    private func evictionVictim(sparing spared: Int, of owner: Int? = nil) -> Int? {
        let heaviest = owner ?? heaviestOwner(sparing: spared)
        var victim: Int?
        for slot in 0..<store.slotCount
        where slot != spared && store.slots[slot].inUse && store.slots[slot].owner == heaviest {
            guard let current = victim else {
                victim = slot
                continue
            }
            let a = store.slots[slot]
            let b = store.slots[current]
            if (a.dropped && !b.dropped) || (a.dropped == b.dropped && a.started < b.started) { victim = slot }
        }
        return victim
    }

    /// The owner holding the most datagrams other than `spared` (ties: the lowest index).
    private func heaviestOwner(sparing spared: Int) -> Int {
        let sparedOwner = spared >= 0 && store.slots[spared].inUse ? store.slots[spared].owner : -1
        var heaviest = 0
        var most = -1
        for owner in ownerHeld.indices {
            let held = ownerHeld[owner] - (owner == sparedOwner ? 1 : 0)
            if held > most {
                heaviest = owner
                most = held
            }
        }
        return heaviest
    }

    /// Evicts other datagrams until `bytes` more fit under the byte cap (always possible:
    /// the cap holds at least one maximum frame, and this datagram stays below that).
    private func makeRoom(for bytes: Int, keeping slot: Int) {
        while heldBytesTotal + bytes > limits.maximumBytes, let victim = evictionVictim(sparing: slot) {
            evict(victim)
        }
    }

    private func evict(_ slot: Int) {
        if !store.slots[slot].dropped { drops[Int(ReassemblyDrop.evicted.rawValue)] &+= 1 }
        ownerEvicted[store.slots[slot].owner] &+= 1
        release(slot)
    }

    /// Drops the datagram but keeps its slot, so that its later fragments are refused too.
    private func kill(_ slot: Int, _ reason: ReassemblyDrop) -> ReassemblyResult {
        heldBytesTotal -= store.slots[slot].heldBytes
        store.slots[slot].heldBytes = 0
        store.slots[slot].dropped = true
        store.clear(slot)
        return counted(reason)
    }

    private func release(_ slot: Int) {
        if store.slots[slot].inUse { ownerHeld[store.slots[slot].owner] -= 1 }
        heldBytesTotal -= store.slots[slot].heldBytes
        store.slots[slot] = ReassemblySlot()
        store.clear(slot)
    }

    private func counted(_ reason: ReassemblyDrop) -> ReassemblyResult {
        drops[Int(reason.rawValue)] &+= 1
        return .drop(reason)
    }
}
