// Wire layouts of the operator query bodies: page requests, status, and the entries of
// the tenant, frame and capability listings. Field order here is the order on the wire.

extension Page: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        cursor = try reader.read()
        limit = try reader.read()
        guard limit >= 1 else { throw .badValue("page.limit") }
        guard limit <= WireLimits.maxPageSize else { throw .tooLarge }
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        guard limit >= 1 else { throw .badValue("page.limit") }
        guard limit <= WireLimits.maxPageSize else { throw .limitExceeded("page.limit") }
        writer.write(cursor)
        writer.write(limit)
    }
}

extension ListingPage where Entry: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        entries = try reader.readList(field: "page.entries", allowed: FieldRange.page)
        let more = try reader.readBool(field: "page.nextCursor")
        nextCursor = more ? try reader.read(UInt32.self) : nil
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        try writer.writeList(entries, field: "page.entries", allowed: FieldRange.page)
        writer.writeBool(nextCursor != nil)
        if let nextCursor { writer.write(nextCursor) }
    }
}

extension StatusInfo: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        daemonVersion = try reader.readString(field: "status.daemonVersion", allowed: FieldRange.text)
        protocolVersion = try reader.read()
        pid = try reader.read()
        uptimeSeconds = try reader.read()
        poolFrames = try reader.read()
        frameSize = try reader.read()
        freeFrames = try reader.read()
        tenantsConfigured = try reader.read()
        sessions = try reader.read()
        holdings = try reader.read()
        outstandingTokens = try reader.read()
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        try writer.writeString(daemonVersion, field: "status.daemonVersion", allowed: FieldRange.text)
        writer.write(protocolVersion)
        writer.write(pid)
        writer.write(uptimeSeconds)
        writer.write(poolFrames)
        writer.write(frameSize)
        writer.write(freeFrames)
        writer.write(tenantsConfigured)
        writer.write(sessions)
        writer.write(holdings)
        writer.write(outstandingTokens)
    }
}

extension TenantInfo: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        id = try reader.read()
        name = try reader.readName(field: "tenant.name")
        frameQuota = try reader.read()
        framesHeld = try reader.read()
        sessions = try reader.read()
        uids = try reader.readList(field: "tenant.uids", allowed: FieldRange.list)
        usage = try reader.readList(field: "tenant.usage", allowed: FieldRange.list)
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        writer.write(id)
        try writer.writeName(name, field: "tenant.name")
        writer.write(frameQuota)
        writer.write(framesHeld)
        writer.write(sessions)
        try writer.writeList(uids, field: "tenant.uids", allowed: FieldRange.list)
        try writer.writeList(usage, field: "tenant.usage", allowed: FieldRange.list)
    }
}

extension FrameHolderInfo: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        tenant = try reader.read()
        tenantName = try reader.readName(field: "holder.tenantName")
        session = try reader.read()
        holding = try reader.read()
        rights = try reader.readRights(field: "holder.rights")
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        writer.write(tenant)
        try writer.writeName(tenantName, field: "holder.tenantName")
        writer.write(session)
        writer.write(holding)
        try writer.writeRights(rights, field: "holder.rights")
    }
}

extension FrameInfo: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        frame = try reader.read()
        epoch = try reader.read()
        inFlight = try reader.read()
        holders = try reader.readList(field: "frame.holders", allowed: FieldRange.list)
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        writer.write(frame)
        writer.write(epoch)
        writer.write(inFlight)
        try writer.writeList(holders, field: "frame.holders", allowed: FieldRange.list)
    }
}

extension CapabilityInfo: WireRepresentable {
    init(parsing reader: inout WireReader) throws(WireDecodeError) {
        tokenID = try reader.read()
        frame = try reader.read()
        rights = try reader.readRights(field: "capability.rights")
        issuerTenant = try reader.readName(field: "capability.issuerTenant")
        issuerHolding = try reader.read()
        audienceTenant = try reader.readName(field: "capability.audienceTenant")
    }

    func emit(into writer: inout WireWriter) throws(WireEncodeError) {
        writer.write(tokenID)
        writer.write(frame)
        try writer.writeRights(rights, field: "capability.rights")
        try writer.writeName(issuerTenant, field: "capability.issuerTenant")
        writer.write(issuerHolding)
        try writer.writeName(audienceTenant, field: "capability.audienceTenant")
    }
}
