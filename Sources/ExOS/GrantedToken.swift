// What a grant returns: the sealed token bytes to hand to the audience tenant (by any
// channel), and the daemon's id for it, which revocation events and `exoctl caps` name.

/// A capability token minted by ``ExoSession/grant(frame:rights:to:)``. Plain bytes: safe to
/// copy and send anywhere; only the audience tenant can redeem it, once, while the granting
/// holding lives.
public struct GrantedToken: Sendable, Equatable {
    /// The sealed token, as the audience passes it to ``ExoSession/redeem(_:)``.
    public let bytes: [UInt8]
    /// The daemon's id for the token: what revocation events and `exoctl caps` name.
    public let tokenID: UInt64

    /// A token as the daemon returned it (or as a test makes one).
    public init(bytes: [UInt8], tokenID: UInt64) {
        self.bytes = bytes
        self.tokenID = tokenID
    }

    /// Lowercase hex of `bytes`, for passing a token on a command line.
    public var hex: String { Hex.encode(bytes) }
}

/// Lowercase hexadecimal for tokens on command lines.
public enum Hex {
    /// Two lowercase hex digits per byte, most significant first.
    public static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hex (either case); nil for odd length or a non-hex character.
    public static func decode(_ text: String) -> [UInt8]? {
        let chars = Array(text.utf8)
        guard chars.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(chars.count / 2)
        var index = 0
        while index < chars.count {
            guard let high = nibble(chars[index]), let low = nibble(chars[index + 1]) else { return nil }
            out.append(high << 4 | low)
            index += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
