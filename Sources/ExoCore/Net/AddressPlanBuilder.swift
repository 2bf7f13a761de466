// Validation of an address plan and construction of its lookup tables: every overlap
// between tenants is found here, once, so the packet path never meets one.
import ExoWire
import ExoPacket

/// Checks a list of grants and builds the plan's tables (control path; allocates freely).
struct AddressPlanBuilder {
    let daemonMAC: MACAddress
    let grants: [NetworkGrant]

    struct Tables {
        var index: [IPv4Address: Int] = [:]
        var entries: [AddressPlan.Entry] = []
        var spans: [AddressPlan.ShareSpan] = []
    }

    func build() throws(AddressPlanError) -> Tables {
        guard daemonMAC.isUnicast else { throw .unusableMAC(daemonMAC) }
        var seenTenants = Set<TenantID>()
        var macOwners: [MACAddress: TenantID] = [:]
        var wholeOwners: [IPv4Address: (tenant: TenantID, mac: MACAddress)] = [:]
        for grant in grants {
            guard seenTenants.insert(grant.tenant).inserted else { throw .duplicateTenant(grant.tenant) }
            for whole in grant.addresses {
                try checkUsable(whole.address)
                guard whole.mac.isUnicast else { throw .unusableMAC(whole.mac) }
                guard whole.mac != daemonMAC else { throw .daemonMAC(whole.mac, grant.tenant) }
                if let previous = wholeOwners[whole.address] {
                    throw .addressGrantedTwice(whole.address, previous.tenant, grant.tenant)
                }
                if let other = macOwners[whole.mac], other != grant.tenant {
                    throw .macOfTwoTenants(whole.mac, other, grant.tenant)
                }
                macOwners[whole.mac] = grant.tenant
                wholeOwners[whole.address] = (grant.tenant, whole.mac)
            }
        }
        // Shares, grouped by (address, protocol) and sorted, so overlaps are neighbours.
        var shares: [(share: PortShare, tenant: TenantID)] = []
        for grant in grants {
            for share in grant.shares {
                try checkUsable(share.address)
                guard share.ports.lowerBound != 0 else { throw .portZero(share.proto, share.address, grant.tenant) }
                if let whole = wholeOwners[share.address] {
                    throw .addressGrantedTwice(share.address, whole.tenant, grant.tenant)
                }
                shares.append((share, grant.tenant))
            }
        }
        shares.sort { a, b in
            (a.share.address, a.share.proto.rawValue, a.share.ports.lowerBound)
                < (b.share.address, b.share.proto.rawValue, b.share.ports.lowerBound)
        }
        for (a, b) in zip(shares, shares.dropFirst())
        where a.share.address == b.share.address && a.share.proto == b.share.proto
            && a.share.ports.upperBound >= b.share.ports.lowerBound
        {
            throw .overlappingShares(a.share.proto, a.share.address, a.tenant, b.tenant)
        }
        return tables(whole: wholeOwners, shares: shares)
    }

    private func checkUsable(_ address: IPv4Address) throws(AddressPlanError) {
        guard address.isUnicastHost else { throw .unusableAddress(address) }
    }

    private func tables(
        whole: [IPv4Address: (tenant: TenantID, mac: MACAddress)], shares: [(share: PortShare, tenant: TenantID)]
    ) -> Tables {
        var tables = Tables()
        for (address, owner) in whole.sorted(by: { $0.key < $1.key }) {
            tables.index[address] = tables.entries.count
            tables.entries.append(.init(owner: .whole(owner.tenant), mac: owner.mac, icmp: 0..<0, tcp: 0..<0, udp: 0..<0))
        }
        // Shares arrive sorted by address, then protocol (icmp 1, tcp 6, udp 17), then port:
        // each address's shares are one run of `spans`, split into the three protocols' runs.
        var position = 0
        while position < shares.count {
            let address = shares[position].share.address
            var end = position
            while end < shares.count, shares[end].share.address == address { end += 1 }
            func boundary(after proto: TransportProtocol) -> Int {
                var index = position
                while index < end, shares[index].share.proto.rawValue <= proto.rawValue { index += 1 }
                return index
            }
            let afterICMP = boundary(after: .icmp)
            let afterTCP = boundary(after: .tcp)
            tables.index[address] = tables.entries.count
            tables.entries.append(
                .init(
                    owner: .shared, mac: daemonMAC, icmp: position..<afterICMP, tcp: afterICMP..<afterTCP,
                    udp: afterTCP..<end))
            position = end
        }
        for item in shares {
            tables.spans.append(.init(lower: item.share.ports.lowerBound, upper: item.share.ports.upperBound, tenant: item.tenant))
        }
        return tables
    }
}
