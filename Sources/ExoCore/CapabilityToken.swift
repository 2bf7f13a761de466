// Capability token bytes: one fixed little-endian layout, sealed with HMAC-SHA256 under the
// daemon's key. `open` checks the MAC in constant time before it reads any field.
import Crypto
import ExoWire

/// The byte layout of a capability token, declared once. All integers are little-endian.
///
///     offset  size  field
///     0       1     format version (1)
///     1       8     run id
///     9       8     token id
///     17      4     frame
///     21      8     issuer holding id
///     29      8     issuer holding epoch
///     37      1     rights
///     38      4     audience tenant
///     42      32    HMAC-SHA256 over bytes 0..<42
public enum CapabilityToken {
    /// The only format version this daemon issues and accepts.
    public static let formatVersion: UInt8 = 1
    /// Length of a token on the wire.
    public static let byteCount = Field.mac.upperBound

    /// Byte ranges of each field.
    enum Field {
        static let version = 0..<1
        static let runID = 1..<9
        static let tokenID = 9..<17
        static let frame = 17..<21
        static let issuerHolding = 21..<29
        static let epoch = 29..<37
        static let rights = 37..<38
        static let audience = 38..<42
        /// Everything the MAC covers.
        static let body = 0..<42
        static let mac = 42..<74
    }

    /// The fields a token carries, decoded.
    struct Fields: Equatable {
        var version: UInt8 = CapabilityToken.formatVersion
        var runID: UInt64
        var tokenID: UInt64
        var frame: FrameNumber
        var issuerHolding: HoldingID
        var epoch: UInt64
        var rights: Rights
        var audience: TenantID
    }

    /// Encodes `fields` and appends their MAC under `key`.
    static func seal(_ fields: Fields, key: SymmetricKey) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: Field.body.upperBound)
        bytes[Field.version.lowerBound] = fields.version
        put(fields.runID, into: &bytes, at: Field.runID)
        put(fields.tokenID, into: &bytes, at: Field.tokenID)
        put(fields.frame, into: &bytes, at: Field.frame)
        put(fields.issuerHolding, into: &bytes, at: Field.issuerHolding)
        put(fields.epoch, into: &bytes, at: Field.epoch)
        bytes[Field.rights.lowerBound] = fields.rights.rawValue
        put(fields.audience, into: &bytes, at: Field.audience)
        bytes.append(contentsOf: HMAC<SHA256>.authenticationCode(for: bytes, using: key))
        return bytes
    }

    /// The token's fields if it has the right length and its MAC verifies under `key`
    /// (checked in constant time first); nil otherwise. Field values are not judged here.
    static func open(_ bytes: [UInt8], key: SymmetricKey) -> Fields? {
        guard bytes.count == byteCount else { return nil }
        let body = Array(bytes[Field.body])
        let mac = Array(bytes[Field.mac])
        guard HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: body, using: key) else { return nil }
        return Fields(
            version: body[Field.version.lowerBound],
            runID: get(body, Field.runID),
            tokenID: get(body, Field.tokenID),
            frame: get(body, Field.frame),
            issuerHolding: get(body, Field.issuerHolding),
            epoch: get(body, Field.epoch),
            rights: Rights(rawValue: body[Field.rights.lowerBound]),
            audience: get(body, Field.audience))
    }

    private static func put<T: FixedWidthInteger>(_ value: T, into bytes: inout [UInt8], at range: Range<Int>) {
        precondition(range.count == MemoryLayout<T>.size)
        for (i, index) in range.enumerated() { bytes[index] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
    }

    private static func get<T: FixedWidthInteger>(_ bytes: [UInt8], _ range: Range<Int>) -> T {
        precondition(range.count == MemoryLayout<T>.size)
        var value: T = 0
        for (i, index) in range.enumerated() { value |= T(bytes[index]) << (8 * i) }
        return value
    }
}
