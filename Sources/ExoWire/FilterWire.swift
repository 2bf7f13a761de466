// Filters as the control protocol carries them: atoms (raw, validated by the daemon so a
// bad one gets a typed refusal, not a closed session), their text form, and the listing.

/// One DPF atom on the wire, 12 bytes: base (0 link, 1 network, 2 transport), offset,
/// width (1, 2 or 4), mask and value, the field read big-endian from the packet. The codec
/// carries any values; the daemon refuses bad ones with the filter errors (310-319).
public struct WireFilterAtom: Equatable, Hashable, Sendable {
    public var base: UInt8
    public var offset: UInt16
    public var width: UInt8
    public var mask: UInt32
    public var value: UInt32

    public init(base: UInt8, offset: UInt16, width: UInt8, mask: UInt32, value: UInt32) {
        self.base = base
        self.offset = offset
        self.width = width
        self.mask = mask
        self.value = value
    }
}

/// One installed filter, as `filters` lists it.
public struct FilterInfo: Equatable, Sendable {
    public var tenant: String
    public var session: SessionID
    /// The binding it narrows.
    public var endpoint: WireEndpoint
    public var filterID: UInt64
    /// 1 to `WireLimits.maxFilterAtoms` atoms, sorted by shape.
    public var atoms: [WireFilterAtom]

    public init(tenant: String, session: SessionID, endpoint: WireEndpoint, filterID: UInt64, atoms: [WireFilterAtom]) {
        self.tenant = tenant
        self.session = session
        self.endpoint = endpoint
        self.filterID = filterID
        self.atoms = atoms
    }
}

extension WireLimits {
    /// Most atoms an installFilter request (or a listed filter) carries on the wire; the
    /// daemon's own limit may be lower (and is refused with a typed error, not a closed session).
    public static let maxFilterAtoms = 255
}

extension FieldRange {
    /// Atoms of one filter on the wire: 0 to 255 (the daemon refuses counts it does not take).
    static let atoms = 0...WireLimits.maxFilterAtoms
}

extension WireFilterAtom: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        base = try reader.read()
        offset = try reader.read()
        width = try reader.read()
        mask = try reader.read()
        value = try reader.read()
    }

    func emit(into writer: inout WireWriter) {
        writer.write(base)
        writer.write(offset)
        writer.write(width)
        writer.write(mask)
        writer.write(value)
    }
}

extension FilterInfo: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        tenant = try reader.readName(field: "filter.tenant")
        session = try reader.read()
        endpoint = try WireEndpoint(parsing: &reader)
        filterID = try reader.read()
        atoms = try reader.readList(field: "filter.atoms", allowed: FieldRange.atoms)
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        try writer.writeName(tenant, field: "filter.tenant")
        writer.write(session)
        try endpoint.emit(into: &writer)
        writer.write(filterID)
        try writer.writeList(atoms, field: "filter.atoms", allowed: FieldRange.atoms)
    }
}

extension WireFilterAtom {
    /// Base values on the wire.
    public static let link: UInt8 = 0
    public static let network: UInt8 = 1
    public static let transport: UInt8 = 2

    /// Parses `BASE+OFFSET/WIDTH=VALUE` or `BASE+OFFSET/WIDTH&MASK=VALUE` (BASE is link,
    /// network or transport; numbers decimal or 0x-hex), e.g. `transport+0/2=5353`.
    public init?(parsing text: String) {
        let (lhs, rhs) = text.splitOnce("=")
        guard let lhs, let rhs, let value = Self.number(rhs) else { return nil }
        var place: String? = lhs
        var maskText: String?
        if lhs.contains("&") { (place, maskText) = lhs.splitOnce("&") }
        guard let place else { return nil }
        let (baseAndOffset, widthText) = place.splitOnce("/")
        guard let baseAndOffset, let widthText, let width = UInt8(widthText) else { return nil }
        let (baseText, offsetText) = baseAndOffset.splitOnce("+")
        guard let baseText, let offsetText, let offset = Self.number(offsetText), offset <= UInt16.max else {
            return nil
        }
        let bases = ["link": Self.link, "network": Self.network, "transport": Self.transport]
        guard let base = bases[baseText] else { return nil }
        let full: UInt32 = width >= 4 ? 0xFFFF_FFFF : (1 << (8 * UInt32(width))) - 1
        var mask = full
        if let maskText {
            guard let parsed = Self.number(maskText) else { return nil }
            mask = parsed
        }
        self.init(base: base, offset: UInt16(offset), width: width, mask: mask, value: value)
    }

    private static func number(_ text: String) -> UInt32? {
        text.hasPrefix("0x") ? UInt32(text.dropFirst(2), radix: 16) : UInt32(text)
    }

    /// The text form `init(parsing:)` reads, e.g. `transport+0/2&0xffff=0x14e9`.
    public var text: String {
        let names = [Self.link: "link", Self.network: "network", Self.transport: "transport"]
        let place = "\(names[base] ?? "base\(base)")+\(offset)/\(width)"
        return place + "&0x" + String(mask, radix: 16) + "=0x" + String(value, radix: 16)
    }
}

extension String {
    /// The parts before and after the first `separator`, or (nil, nil) without one.
    fileprivate func splitOnce(_ separator: Character) -> (String?, String?) {
        guard let index = firstIndex(of: separator) else { return (nil, nil) }
        return (String(self[..<index]), String(self[self.index(after: index)...]))
    }
}
