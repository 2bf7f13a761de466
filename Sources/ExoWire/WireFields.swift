// The protocol's recurring field kinds (rights, names, tokens, free text, batches) and
// their allowed lengths, so each message states its layout without repeating a limit.

/// Allowed lengths of each recurring field kind (docs/PROTOCOL.md, "Encodings").
enum FieldRange {
    /// A tenant name: 1 to 255 UTF-8 bytes.
    static let name = 1...WireLimits.maxNameSize
    /// Free text (error detail, daemon version): up to 1024 UTF-8 bytes.
    static let text = 0...WireLimits.maxTextSize
    /// A capability token: 1 to 256 bytes.
    static let token = 1...WireLimits.maxTokenSize
    /// Frames of one batch request or reply: 1 to 253.
    static let batch = 1...WireLimits.maxBatch
    /// Entries of one listing page: 0 to 512.
    static let page = 0...WireLimits.maxPageSize
    /// Any other list: bounded only by its UInt16 count and the record size.
    static let list = 0...WireLimits.maxListCount
}

extension WireReader {
    /// Reads one rights byte; it must be well formed (known bits, read included).
    mutating func readRights(field: String) throws(WireDecodeError) -> Rights {
        let rights = Rights(rawValue: try read(UInt8.self))
        guard rights.isWellFormed else { throw .badValue(field) }
        return rights
    }

    /// Reads a tenant name (1 to 255 bytes of UTF-8).
    mutating func readName(field: String) throws(WireDecodeError) -> String {
        try readString(field: field, allowed: FieldRange.name)
    }

    /// Reads a capability token (1 to 256 bytes).
    mutating func readToken(field: String) throws(WireDecodeError) -> [UInt8] {
        try readBlob(field: field, allowed: FieldRange.token)
    }
}

extension WireWriter {
    /// Writes one rights byte, refusing rights that are not well formed.
    mutating func writeRights(_ rights: Rights, field: String) throws(WireEncodeError) {
        guard rights.isWellFormed else { throw .badValue(field) }
        write(rights.rawValue)
    }

    /// Writes a tenant name (1 to 255 bytes of UTF-8).
    mutating func writeName(_ name: String, field: String) throws(WireEncodeError) {
        try writeString(name, field: field, allowed: FieldRange.name)
    }

    /// Writes a capability token (1 to 256 bytes).
    mutating func writeToken(_ token: [UInt8], field: String) throws(WireEncodeError) {
        try writeBlob(token, field: field, allowed: FieldRange.token)
    }
}
