// The checksum's inner loop: the bytes of a window summed as 32-bit words in memory order,
// with one range check for the whole window instead of one per load.

extension PacketBytes {
    /// The sum of the window's whole 32-bit words, each loaded in memory order and added as
    /// a plain 64-bit integer; the 0–3 bytes after the last whole word are left to the
    /// caller. No carry is lost: each word is below 2^32, so up to 2^32 words (16 GiB)
    /// cannot overflow 64 bits. Since 2^16 ≡ 1 (mod 0xFFFF), this sum and the 16-bit word
    /// sum fold to the same one's-complement value (RFC 1071 §2(C): wider words, same sum).
    ///
    /// Without a carry to propagate, no iteration depends on the one before but through the
    /// sum: the compiler vectorizes the loop (two 64-bit lanes per SSE2 register), about
    /// twice as fast as end-around-carry adds of 64-bit words with a range check per load.
    @inlinable func wholeWordSum() -> UInt64 {
        let words = count &>> 2
        guard words > 0 else { return 0 }
        // `words * 4 <= count`: every load below lies inside the window.
        let start = base.unsafelyUnwrapped
        var sum: UInt64 = 0
        for word in 0..<words {
            sum &+= UInt64(start.loadUnaligned(fromByteOffset: word &<< 2, as: UInt32.self))
        }
        return sum
    }
}
