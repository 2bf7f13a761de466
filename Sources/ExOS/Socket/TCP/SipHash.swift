// SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed 64-bit hash that an attacker who does
// not know the key cannot predict or steer. TCP's initial sequence numbers and SYN cookies
// hash the four-tuple with it, so a remote host can neither guess them nor forge them.

/// SipHash-2-4 under one 128-bit key. Hashing a few words allocates nothing.
struct SipHash: Sendable {
    let key0: UInt64
    let key1: UInt64

    /// The key as the paper writes it: `key0` holds bytes 0–7 little-endian, `key1` bytes 8–15.
    init(key0: UInt64, key1: UInt64) {
        self.key0 = key0
        self.key1 = key1
    }

    /// A key drawn from a 64-bit configuration secret for one `purpose` (a constant per
    /// user, so the ISN key and the SYN cookie key differ): SipHash keyed by (secret,
    /// purpose) over the constants 0 and 1, so keys for different secrets or purposes are
    /// unrelated (a plain mix of `secret ^ purpose` would give (1, 2) and (2, 1) one key).
    init(secret: UInt64, purpose: UInt64) {
        let derivation = SipHash(key0: secret, key1: purpose)
        key0 = derivation.hash(0)
        key1 = derivation.hash(1)
    }

    /// The hash of the 8·n-byte message formed by the words, each little-endian.
    func hash(_ word0: UInt64) -> UInt64 {
        var state = State(self)
        state.compress(word0)
        return state.finish(lastBlock: 8 << 56)
    }

    func hash(_ word0: UInt64, _ word1: UInt64) -> UInt64 {
        var state = State(self)
        state.compress(word0)
        state.compress(word1)
        return state.finish(lastBlock: 16 << 56)
    }

    func hash(_ word0: UInt64, _ word1: UInt64, _ word2: UInt64) -> UInt64 {
        var state = State(self)
        state.compress(word0)
        state.compress(word1)
        state.compress(word2)
        return state.finish(lastBlock: 24 << 56)
    }

    /// The hash of any byte string (the form of the reference test vectors).
    func hash(bytes: some Collection<UInt8>) -> UInt64 {
        var state = State(self)
        var word: UInt64 = 0
        var filled = 0
        for byte in bytes {
            word |= UInt64(byte) << (8 * UInt64(filled))
            filled += 1
            if filled == 8 {
                state.compress(word)
                word = 0
                filled = 0
            }
        }
        // The last block: the leftover bytes, and the length mod 256 in the top byte.
        return state.finish(lastBlock: word | UInt64(truncatingIfNeeded: bytes.count) << 56)
    }

    /// The four 64-bit lanes between compressions.
    private struct State {
        var v0: UInt64
        var v1: UInt64
        var v2: UInt64
        var v3: UInt64

        init(_ key: SipHash) {
            v0 = key.key0 ^ 0x736F_6D65_7073_6575  // "somepseu"
            v1 = key.key1 ^ 0x646F_7261_6E64_6F6D  // "dorandom"
            v2 = key.key0 ^ 0x6C79_6765_6E65_7261  // "lygenera"
            v3 = key.key1 ^ 0x7465_6462_7974_6573  // "tedbytes"
        }

        mutating func round() {
            v0 &+= v1
            v1 = v1.rotatedLeft(13) ^ v0
            v0 = v0.rotatedLeft(32)
            v2 &+= v3
            v3 = v3.rotatedLeft(16) ^ v2
            v0 &+= v3
            v3 = v3.rotatedLeft(21) ^ v0
            v2 &+= v1
            v1 = v1.rotatedLeft(17) ^ v2
            v2 = v2.rotatedLeft(32)
        }

        /// Two rounds per message word (the "2" of 2-4).
        mutating func compress(_ word: UInt64) {
            v3 ^= word
            round()
            round()
            v0 ^= word
        }

        /// The last block, then four finalization rounds (the "4").
        mutating func finish(lastBlock: UInt64) -> UInt64 {
            compress(lastBlock)
            v2 ^= 0xFF
            round()
            round()
            round()
            round()
            return v0 ^ v1 ^ v2 ^ v3
        }
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(_ count: UInt64) -> UInt64 { self << count | self >> (64 - count) }
}
