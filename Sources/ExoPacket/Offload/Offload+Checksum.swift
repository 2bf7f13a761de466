// Completes a partial (NEEDS_CSUM) transport checksum in place: the peer kernel left the
// pseudo-header sum in the field; the one's-complement sum from csum_start to the end finishes it.

/// Software offloads for frames a peer kernel handed over unfinished (GSO, partial checksums).
public enum Offload {
    /// Completes the partial checksum of `frame` in place, as the kernel's
    /// `skb_checksum_help` does: the field at `checksumStart + checksumOffset` (holding the
    /// pseudo-header sum) gets the complement of the sum of every byte from `checksumStart`
    /// to the end of `frame`; a computed zero is stored as 0xFFFF (equal in one's complement,
    /// and the only form UDP accepts). Does nothing without NEEDS_CSUM.
    ///
    /// `frame` must be memory only the daemon writes (a private copy, or the receive ring
    /// after the kernel released the slot to user space) and must start at the Ethernet header.
    /// Bounds are checked before anything is written; a GSO frame is refused (`needsSegmentation`).
    public static func completeChecksum(_ frame: MutablePacketBytes, header: VirtioNetHeader) throws(OffloadFault) {
        try header.check(frameLength: frame.count)
        guard header.flags.contains(.needsChecksum) else { return }
        guard !header.isSegmentationOffload else { throw .needsSegmentation }
        let start = Int(header.checksumStart)
        var sum = InternetChecksum()
        sum.add(frame.readOnly.dropFirst(start))
        let value = sum.value
        frame.setU16(start + Int(header.checksumOffset), value == 0 ? 0xFFFF : value)
    }
}
