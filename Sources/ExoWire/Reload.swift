// Configuration reload on the wire: the operator's `reload` request is answered by a
// `ReloadReport` (applied, or refused with the validator's errors), and a tenant session whose
// network grants a reload changed gets a `GrantsChange` event (docs/PROTOCOL.md §11).

/// What a `reload` did. `applied` false: the configuration in force is unchanged, and
/// `errors` says why (the same lines `exokerneld --check-config` prints).
public struct ReloadReport: Equatable, Sendable {
    /// Most lines in `errors` and in `warnings` each (a longer list is cut by the daemon,
    /// its last line saying how many more there were): 24 lines of at most 1024 bytes each,
    /// twice, fit a record.
    public static let maxLines = 24

    public var applied: Bool
    /// Why the file was refused, one problem a line (`FILE: KEY: MESSAGE`); empty when applied.
    public var errors: [String]
    /// Warnings about the file (printed, not refused).
    public var warnings: [String]
    public var tenantsAdded: UInt32
    public var tenantsRemoved: UInt32
    /// Tenants kept whose uids, gids, quota, addresses or ports changed.
    public var tenantsChanged: UInt32
    /// Sessions the reload ended (of removed tenants, or of peers no longer allowed).
    public var sessionsEnded: UInt32
    /// Bindings the reload ended because their grant is gone.
    public var bindingsEnded: UInt32

    public init(applied: Bool, errors: [String] = [], warnings: [String] = [], tenantsAdded: UInt32 = 0,
        tenantsRemoved: UInt32 = 0, tenantsChanged: UInt32 = 0, sessionsEnded: UInt32 = 0, bindingsEnded: UInt32 = 0)
    {
        self.applied = applied
        self.errors = errors
        self.warnings = warnings
        self.tenantsAdded = tenantsAdded
        self.tenantsRemoved = tenantsRemoved
        self.tenantsChanged = tenantsChanged
        self.sessionsEnded = sessionsEnded
        self.bindingsEnded = bindingsEnded
    }
}

/// A tenant's network grants changed with a reload: the bindings of this session the daemon
/// ended because their grant is gone, and what the tenant is granted now (as in
/// `DataPathInfo`).
public struct GrantsChange: Equatable, Sendable {
    /// This session's bindings the daemon removed (their filters went with them).
    public var ended: [WireEndpoint]
    /// The addresses the tenant may send from now.
    public var addresses: [AddressGrant]
    /// The port (and echo identifier) shares the tenant holds now.
    public var portShares: [WirePortShare]

    public init(ended: [WireEndpoint], addresses: [AddressGrant], portShares: [WirePortShare]) {
        self.ended = ended
        self.addresses = addresses
        self.portShares = portShares
    }
}

extension ReloadReport: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        applied = try reader.readBool(field: "reloaded.applied")
        errors = try reader.readLines(field: "reloaded.errors")
        warnings = try reader.readLines(field: "reloaded.warnings")
        tenantsAdded = try reader.read()
        tenantsRemoved = try reader.read()
        tenantsChanged = try reader.read()
        sessionsEnded = try reader.read()
        bindingsEnded = try reader.read()
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        writer.writeBool(applied)
        try writer.writeLines(errors, field: "reloaded.errors")
        try writer.writeLines(warnings, field: "reloaded.warnings")
        writer.write(tenantsAdded)
        writer.write(tenantsRemoved)
        writer.write(tenantsChanged)
        writer.write(sessionsEnded)
        writer.write(bindingsEnded)
    }
}

extension GrantsChange: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        ended = try reader.readList(field: "grantsChanged.ended", allowed: FieldRange.list)
        addresses = try reader.readList(field: "grantsChanged.addresses", allowed: FieldRange.list)
        portShares = try reader.readList(field: "grantsChanged.portShares", allowed: FieldRange.list)
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        try writer.writeList(ended, field: "grantsChanged.ended", allowed: FieldRange.list)
        try writer.writeList(addresses, field: "grantsChanged.addresses", allowed: FieldRange.list)
        try writer.writeList(portShares, field: "grantsChanged.portShares", allowed: FieldRange.list)
    }
}

extension WireReader {
    /// A `u16` count (0 to `ReloadReport.maxLines`), then that many `text`s.
    mutating func readLines(field: String) throws(WireDecodeError) -> [String] {
        let count = Int(try read(UInt16.self))
        guard count <= ReloadReport.maxLines else { throw .tooLarge }
        var lines: [String] = []
        for _ in 0..<count { lines.append(try readString(field: field, allowed: FieldRange.text)) }
        return lines
    }
}

extension WireWriter {
    mutating func writeLines(_ lines: [String], field: String) throws(WireEncodeError) {
        guard lines.count <= ReloadReport.maxLines else { throw .limitExceeded(field) }
        write(UInt16(lines.count))
        for line in lines { try writeString(line, field: field, allowed: FieldRange.text) }
    }
}
