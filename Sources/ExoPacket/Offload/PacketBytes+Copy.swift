// Bulk copy and comparison between packet windows: what segmentation and reassembly need
// beyond single loads and stores, without going through arrays.

extension MutablePacketBytes {
    /// Copies all of `source` to `offset` (the range is checked; the windows must not overlap).
    @inlinable public func copy(_ source: PacketBytes, to offset: Int) {
        check(offset, source.count)
        guard source.count > 0 else { return }
        base.unsafelyUnwrapped.advanced(by: offset).copyMemory(from: source.base.unsafelyUnwrapped, byteCount: source.count)
    }
}

extension PacketBytes {
    /// True when `other` holds the same bytes.
    @inlinable public func bytesEqual(_ other: PacketBytes) -> Bool {
        guard count == other.count else { return false }
        var offset = 0
        while offset + 8 <= count {
            if nativeU64(offset) != other.nativeU64(offset) { return false }
            offset += 8
        }
        while offset < count {
            if u8(offset) != other.u8(offset) { return false }
            offset += 1
        }
        return true
    }
}
