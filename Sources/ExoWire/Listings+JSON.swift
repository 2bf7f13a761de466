// The JSON form of the operator listings (`exoctl ... --json`, schema in docs/PROTOCOL.md's
// exoctl section): the wire types themselves are Encodable, so a field added to a listing is
// added to its JSON in the same place. Addresses print as text, rights by name, protocols as
// words; every key is stable.

import ExoPacket

extension StatusInfo: Encodable {
    private enum CodingKeys: String, CodingKey {
        case daemonVersion, protocolVersion, pid, uptimeSeconds, poolFrames, frameSize, freeFrames
        case tenantsConfigured, sessions, holdings, outstandingTokens
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(daemonVersion, forKey: .daemonVersion)
        try c.encode(protocolVersion, forKey: .protocolVersion)
        try c.encode(pid, forKey: .pid)
        try c.encode(uptimeSeconds, forKey: .uptimeSeconds)
        try c.encode(poolFrames, forKey: .poolFrames)
        try c.encode(frameSize, forKey: .frameSize)
        try c.encode(freeFrames, forKey: .freeFrames)
        try c.encode(tenantsConfigured, forKey: .tenantsConfigured)
        try c.encode(sessions, forKey: .sessions)
        try c.encode(holdings, forKey: .holdings)
        try c.encode(outstandingTokens, forKey: .outstandingTokens)
    }
}

extension TenantInfo: Encodable {
    private enum CodingKeys: String, CodingKey { case id, name, frameQuota, framesHeld, sessions, uids, usage }

    /// `usage` is an object keyed by resource name: `{"tokensIssued": {"used", "limit", "refused"}, ...}`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(frameQuota, forKey: .frameQuota)
        try c.encode(framesHeld, forKey: .framesHeld)
        try c.encode(sessions, forKey: .sessions)
        try c.encode(uids, forKey: .uids)
        var byResource = c.nestedContainer(keyedBy: ResourceKey.self, forKey: .usage)
        for entry in usage { try byResource.encode(entry, forKey: ResourceKey(entry.resource)) }
    }

    /// A resource name as a JSON key.
    private struct ResourceKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension ResourceUsage: Encodable {
    private enum CodingKeys: String, CodingKey { case used, limit, refused }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(used, forKey: .used)
        try c.encode(limit, forKey: .limit)
        try c.encode(refused, forKey: .refused)
    }
}

extension FrameHolderInfo: Encodable {
    private enum CodingKeys: String, CodingKey { case tenant, tenantID, session, holding, rights }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tenantName, forKey: .tenant)
        try c.encode(tenant, forKey: .tenantID)
        try c.encode(session, forKey: .session)
        try c.encode(holding, forKey: .holding)
        try c.encode(rights.description, forKey: .rights)
    }
}

extension FrameInfo: Encodable {
    private enum CodingKeys: String, CodingKey { case frame, epoch, inFlight, holders }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(frame, forKey: .frame)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(inFlight, forKey: .inFlight)
        try c.encode(holders, forKey: .holders)
    }
}

extension CapabilityInfo: Encodable {
    private enum CodingKeys: String, CodingKey { case tokenID, frame, rights, issuerTenant, issuerHolding, audienceTenant }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tokenID, forKey: .tokenID)
        try c.encode(frame, forKey: .frame)
        try c.encode(rights.description, forKey: .rights)
        try c.encode(issuerTenant, forKey: .issuerTenant)
        try c.encode(issuerHolding, forKey: .issuerHolding)
        try c.encode(audienceTenant, forKey: .audienceTenant)
    }
}

extension WireEndpoint {
    /// The protocol as operators read it: addr (a whole address), icmp, tcp, udp, or the number.
    public var protocolName: String {
        switch proto {
        case 0: "addr"
        case 1: "icmp"
        case 6: "tcp"
        case 17: "udp"
        default: "\(proto)"
        }
    }
}

extension BindingInfo: Encodable {
    private enum CodingKeys: String, CodingKey { case tenant, session, proto, address, port }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tenant, forKey: .tenant)
        try c.encode(session, forKey: .session)
        try c.encode(endpoint.protocolName, forKey: .proto)
        try c.encode("\(IPv4Address(rawValue: endpoint.address))", forKey: .address)
        try c.encode(endpoint.port, forKey: .port)
    }
}

/// Named counts as one JSON object, reason -> count.
struct DropCountsJSON: Encodable {
    let counts: [DropCount]

    func encode(to encoder: any Encoder) throws {
        try Dictionary(counts.map { ($0.reason, $0.count) }, uniquingKeysWith: +).encode(to: encoder)
    }
}

extension TenantStats: Encodable {
    private enum CodingKeys: String, CodingKey { case tenant, rxPackets, rxBytes, txPackets, txBytes, drops }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tenant, forKey: .tenant)
        try c.encode(rxPackets, forKey: .rxPackets)
        try c.encode(rxBytes, forKey: .rxBytes)
        try c.encode(txPackets, forKey: .txPackets)
        try c.encode(txBytes, forKey: .txBytes)
        try c.encode(DropCountsJSON(counts: drops), forKey: .drops)
    }
}

extension NicKernelCounters: Encodable {
    private enum CodingKeys: String, CodingKey {
        case rxPackets, txPackets, rxBytes, txBytes, rxErrors, txErrors, rxDropped, txDropped
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(rxPackets, forKey: .rxPackets)
        try c.encode(txPackets, forKey: .txPackets)
        try c.encode(rxBytes, forKey: .rxBytes)
        try c.encode(txBytes, forKey: .txBytes)
        try c.encode(rxErrors, forKey: .rxErrors)
        try c.encode(txErrors, forKey: .txErrors)
        try c.encode(rxDropped, forKey: .rxDropped)
        try c.encode(txDropped, forKey: .txDropped)
    }
}

extension NicInfo: Encodable {
    private enum CodingKeys: String, CodingKey {
        case backend, name, ifindex, isUp, isRunning, mtu, mac, hostAddress, prefixLength
        case rxPackets, txPackets, rxBytes, txBytes, drops, linkDownEvents, mtuChanges, linkDeleted, reattachments
        case dropReasons, kernel
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(backend, forKey: .backend)
        try c.encode(name, forKey: .name)
        try c.encode(ifindex, forKey: .ifindex)
        try c.encode(isUp, forKey: .isUp)
        try c.encode(isRunning, forKey: .isRunning)
        try c.encode(mtu, forKey: .mtu)
        try c.encode("\(mac)", forKey: .mac)
        try c.encode("\(IPv4Address(rawValue: hostAddress))", forKey: .hostAddress)
        try c.encode(prefixLength, forKey: .prefixLength)
        try c.encode(rxPackets, forKey: .rxPackets)
        try c.encode(txPackets, forKey: .txPackets)
        try c.encode(rxBytes, forKey: .rxBytes)
        try c.encode(txBytes, forKey: .txBytes)
        try c.encode(drops, forKey: .drops)
        try c.encode(linkDownEvents, forKey: .linkDownEvents)
        try c.encode(mtuChanges, forKey: .mtuChanges)
        try c.encode(linkDeleted, forKey: .linkDeleted)
        try c.encode(reattachments, forKey: .reattachments)
        try c.encode(DropCountsJSON(counts: dropReasons), forKey: .dropReasons)
        try c.encode(kernel, forKey: .kernel)
    }
}

extension WireFilterAtom: Encodable {
    private enum CodingKeys: String, CodingKey { case base, offset, width, mask, value, text }

    /// The base a header-relative offset counts from, by name.
    public var baseName: String {
        switch base {
        case 0: "link"
        case 1: "network"
        case 2: "transport"
        default: "\(base)"
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(baseName, forKey: .base)
        try c.encode(offset, forKey: .offset)
        try c.encode(width, forKey: .width)
        try c.encode(mask, forKey: .mask)
        try c.encode(value, forKey: .value)
        try c.encode(text, forKey: .text)
    }
}

extension FilterInfo: Encodable {
    private enum CodingKeys: String, CodingKey { case tenant, session, filterID, binding, atoms }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(tenant, forKey: .tenant)
        try c.encode(session, forKey: .session)
        try c.encode(filterID, forKey: .filterID)
        try c.encode(BindingInfo(tenant: tenant, session: session, endpoint: endpoint), forKey: .binding)
        try c.encode(atoms, forKey: .atoms)
    }
}
