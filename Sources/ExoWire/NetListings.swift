// What the operator's data-path queries return: bindings, per-tenant traffic counters with
// named drop reasons, and the NIC's state. Field order here is the order on the wire.
import ExoPacket

/// One binding, as `bindings` lists it.
public struct BindingInfo: Equatable, Sendable {
    public var tenant: String
    public var session: SessionID
    public var endpoint: WireEndpoint

    public init(tenant: String, session: SessionID, endpoint: WireEndpoint) {
        self.tenant = tenant
        self.session = session
        self.endpoint = endpoint
    }
}

/// Packets dropped for one reason. `reason` is a stable name (a demultiplexer or egress
/// guard verdict, or a ring fault), 1 to 255 bytes.
public struct DropCount: Equatable, Sendable {
    public var reason: String
    public var count: UInt64

    public init(reason: String, count: UInt64) {
        self.reason = reason
        self.count = count
    }
}

/// One tenant's data-path counters since the daemon started (all its sessions summed).
public struct TenantStats: Equatable, Sendable {
    public var tenant: String
    /// Packets and bytes delivered onto the tenant's rx rings.
    public var rxPackets: UInt64
    public var rxBytes: UInt64
    /// Packets and bytes the tenant sent that reached the NIC.
    public var txPackets: UInt64
    public var txBytes: UInt64
    /// Nonzero drop counters only, in a stable order.
    public var drops: [DropCount]

    public init(
        tenant: String, rxPackets: UInt64, rxBytes: UInt64, txPackets: UInt64, txBytes: UInt64,
        drops: [DropCount]
    ) {
        self.tenant = tenant
        self.rxPackets = rxPackets
        self.rxBytes = rxBytes
        self.txPackets = txPackets
        self.txBytes = txBytes
        self.drops = drops
    }
}

/// The daemon's NIC, as `nic` reports it.
public struct NicInfo: Equatable, Sendable {
    /// "tap" or "packet", or "none" when no NIC is configured (the rest then zero).
    public var backend: String
    /// Interface name (0 to 255 bytes).
    public var name: String
    public var ifindex: UInt32
    public var isUp: Bool
    public var isRunning: Bool
    /// The link's current MTU (link events update it).
    public var mtu: UInt32
    /// The tenants' gateway MAC: a TAP's host side, or `nic.gateway_mac` (zero if unset).
    public var mac: MACAddress
    /// Host side address, host byte order.
    public var hostAddress: UInt32
    public var prefixLength: UInt8
    /// Frames the daemon read from (rx) and wrote to (tx) the device.
    public var rxPackets: UInt64
    public var txPackets: UInt64
    public var rxBytes: UInt64
    public var txBytes: UInt64
    /// Frames read from the device that no tenant received: the sum of `dropReasons`.
    public var drops: UInt64
    /// Times the link was seen going down or being deleted under the daemon.
    public var linkDownEvents: UInt64
    /// Times the link's MTU changed under the daemon.
    public var mtuChanges: UInt64
    /// The link was deleted under the daemon and is not (yet) back: the data path is down.
    public var linkDeleted: Bool
    /// Times a deleted link was reopened in place (`nic.on_link_loss = "reattach"`).
    public var reattachments: UInt64
    /// The nonzero received-frame drops by reason (demultiplexer and NIC reasons).
    public var dropReasons: [DropCount]
    /// The kernel's own counters for the link (rtnetlink), beside the daemon's.
    public var kernel: NicKernelCounters

    public init(
        backend: String, name: String, ifindex: UInt32, isUp: Bool, isRunning: Bool, mtu: UInt32,
        mac: MACAddress, hostAddress: UInt32, prefixLength: UInt8, rxPackets: UInt64, txPackets: UInt64,
        rxBytes: UInt64, txBytes: UInt64, drops: UInt64, linkDownEvents: UInt64, mtuChanges: UInt64 = 0,
        linkDeleted: Bool = false, reattachments: UInt64 = 0,
        dropReasons: [DropCount] = [], kernel: NicKernelCounters = NicKernelCounters()
    ) {
        self.mtuChanges = mtuChanges
        self.linkDeleted = linkDeleted
        self.reattachments = reattachments
        self.dropReasons = dropReasons
        self.kernel = kernel
        self.backend = backend
        self.name = name
        self.ifindex = ifindex
        self.isUp = isUp
        self.isRunning = isRunning
        self.mtu = mtu
        self.mac = mac
        self.hostAddress = hostAddress
        self.prefixLength = prefixLength
        self.rxPackets = rxPackets
        self.txPackets = txPackets
        self.rxBytes = rxBytes
        self.txBytes = txBytes
        self.drops = drops
        self.linkDownEvents = linkDownEvents
    }
}

/// A link's counters as the kernel keeps them (RTNL_LINK_* statistics). For a TAP, rx is
/// what the daemon wrote and tx what it read; for the packet backend, they count the wire.
public struct NicKernelCounters: Equatable, Sendable {
    public var rxPackets: UInt64
    public var txPackets: UInt64
    public var rxBytes: UInt64
    public var txBytes: UInt64
    public var rxErrors: UInt64
    public var txErrors: UInt64
    public var rxDropped: UInt64
    public var txDropped: UInt64

    public init(
        rxPackets: UInt64 = 0, txPackets: UInt64 = 0, rxBytes: UInt64 = 0, txBytes: UInt64 = 0, rxErrors: UInt64 = 0,
        txErrors: UInt64 = 0, rxDropped: UInt64 = 0, txDropped: UInt64 = 0
    ) {
        self.rxPackets = rxPackets
        self.txPackets = txPackets
        self.rxBytes = rxBytes
        self.txBytes = txBytes
        self.rxErrors = rxErrors
        self.txErrors = txErrors
        self.rxDropped = rxDropped
        self.txDropped = txDropped
    }

    /// The eight counters in wire order.
    var all: [UInt64] { [rxPackets, txPackets, rxBytes, txBytes, rxErrors, txErrors, rxDropped, txDropped] }
}

extension BindingInfo: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        tenant = try reader.readName(field: "binding.tenant")
        session = try reader.read()
        endpoint = try WireEndpoint(parsing: &reader)
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        try writer.writeName(tenant, field: "binding.tenant")
        writer.write(session)
        try endpoint.emit(into: &writer)
    }
}

extension DropCount: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        reason = try reader.readName(field: "drop.reason")
        count = try reader.read()
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        try writer.writeName(reason, field: "drop.reason")
        writer.write(count)
    }
}

extension TenantStats: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        tenant = try reader.readName(field: "stats.tenant")
        rxPackets = try reader.read()
        rxBytes = try reader.read()
        txPackets = try reader.read()
        txBytes = try reader.read()
        drops = try reader.readList(field: "stats.drops", allowed: FieldRange.list)
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        try writer.writeName(tenant, field: "stats.tenant")
        writer.write(rxPackets)
        writer.write(rxBytes)
        writer.write(txPackets)
        writer.write(txBytes)
        try writer.writeList(drops, field: "stats.drops", allowed: FieldRange.list)
    }
}

extension NicInfo: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        backend = try reader.readName(field: "nic.backend")
        name = try reader.readString(field: "nic.name", allowed: 0...WireLimits.maxNameSize)
        ifindex = try reader.read()
        isUp = try reader.readBool(field: "nic.isUp")
        isRunning = try reader.readBool(field: "nic.isRunning")
        mtu = try reader.read()
        mac = try reader.readMAC()
        hostAddress = try reader.read()
        prefixLength = try reader.read()
        guard prefixLength <= 32 else { throw .badValue("nic.prefixLength") }
        rxPackets = try reader.read()
        txPackets = try reader.read()
        rxBytes = try reader.read()
        txBytes = try reader.read()
        drops = try reader.read()
        linkDownEvents = try reader.read()
        mtuChanges = try reader.read()
        linkDeleted = try reader.readBool(field: "nic.linkDeleted")
        reattachments = try reader.read()
        dropReasons = try reader.readList(field: "nic.dropReasons", allowed: FieldRange.list)
        kernel = NicKernelCounters(
            rxPackets: try reader.read(), txPackets: try reader.read(), rxBytes: try reader.read(),
            txBytes: try reader.read(), rxErrors: try reader.read(), txErrors: try reader.read(),
            rxDropped: try reader.read(), txDropped: try reader.read())
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        guard prefixLength <= 32 else { throw .badValue("nic.prefixLength") }
        try writer.writeName(backend, field: "nic.backend")
        try writer.writeString(name, field: "nic.name", allowed: 0...WireLimits.maxNameSize)
        writer.write(ifindex)
        writer.writeBool(isUp)
        writer.writeBool(isRunning)
        writer.write(mtu)
        writer.writeMAC(mac)
        writer.write(hostAddress)
        writer.write(prefixLength)
        writer.write(rxPackets)
        writer.write(txPackets)
        writer.write(rxBytes)
        writer.write(txBytes)
        writer.write(drops)
        writer.write(linkDownEvents)
        writer.write(mtuChanges)
        writer.writeBool(linkDeleted)
        writer.write(reattachments)
        try writer.writeList(dropReasons, field: "nic.dropReasons", allowed: FieldRange.list)
        for counter in kernel.all { writer.write(counter) }
    }
}
