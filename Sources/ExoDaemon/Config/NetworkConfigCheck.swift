// Network rules: a usable [nic] (backend, name, MTU that fits a frame, host address) and
// tenant grants inside its subnet that never overlap (the address plan's own checks).

import ExoCore
import ExoWire
import ExoPacket

/// One section's checks for `ConfigValidator.check` (pure; findings collected, nothing thrown).
enum NetworkConfigCheck {

    static func checkNetwork(_ c: DaemonConfig, _ findings: inout Findings) {
        guard let nic = c.nic else {
            for (index, tenant) in c.tenants.enumerated() where !tenant.addresses.isEmpty || !tenant.ports.isEmpty {
                let key = tenant.addresses.isEmpty ? "tenant[\(index)].ports" : "tenant[\(index)].addresses"
                findings.error(key, "network grants need a [nic] section: without one there is no data path")
            }
            return
        }
        checkNic(nic, frameSize: c.frameSize, &findings)
        var grantsInSubnet = true
        for (index, tenant) in c.tenants.enumerated() {
            for (position, address) in tenant.addresses.enumerated() {
                grantsInSubnet = checkGrantAddress(address, key: "tenant[\(index)].addresses[\(position)]", nic, &findings)
                    && grantsInSubnet
            }
            for (position, share) in tenant.ports.enumerated() {
                grantsInSubnet = checkGrantAddress(share.address, key: "tenant[\(index)].ports[\(position)]", nic, &findings)
                    && grantsInSubnet
            }
        }
        // Overlaps are judged only among addresses that are themselves acceptable.
        guard grantsInSubnet else { return }
        do {
            _ = try c.addressPlan()
        } catch {
            findings.error(planKey(error, in: c), planMessage(error, in: c))
        }
    }

    static func checkNic(_ nic: NicConfig, frameSize: UInt32, _ findings: inout Findings) {
        if !NicConfig.backends.contains(nic.backend) {
            findings.error("nic.backend", "'\(nic.backend)' is not a NIC backend: \"tap\" or \"packet\"")
        }
        if nic.gatewayMAC != nil && !nic.isPacketBackend {
            findings.error("nic.gateway_mac", "only the packet backend takes a gateway MAC (a TAP's gateway is its host side)")
        }
        let nameBytes = nic.name.utf8
        if nameBytes.isEmpty || nameBytes.count > NicConfig.maximumNameBytes
            || nameBytes.contains(where: { $0 <= 0x20 || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ":") || $0 >= 0x7F })
        {
            findings.error(
                "nic.name",
                "'\(nic.name)' is not an interface name: 1 to \(NicConfig.maximumNameBytes) printable ASCII characters without '/', ':' or spaces")
        }
        let largest = frameSize > ConfigValidator.ethernetHeaderBytes ? frameSize - ConfigValidator.ethernetHeaderBytes : 0
        if nic.mtu < ConfigValidator.minimumMTU || nic.mtu > min(largest, 65_535) {
            findings.error(
                "nic.mtu",
                "\(nic.mtu) is out of range: must be between \(ConfigValidator.minimumMTU) and \(min(largest, 65_535)) (frames.size minus the Ethernet header)")
        }
        if !nic.hostAddress.isUnicastHost {
            findings.error("nic.host_address", "\(nic.hostAddress) is not a unicast host address")
        } else if nic.prefixLength < 8 || nic.prefixLength > 30 {
            findings.error("nic.host_address", "/\(nic.prefixLength) is out of range: the prefix length must be between 8 and 30")
        } else if isNetworkOrBroadcast(nic.hostAddress, nic) {
            findings.error("nic.host_address", "\(nic.hostAddress) is the subnet's network or broadcast address")
        }
    }

    /// False (and an error) when a granted address is outside the subnet, the host address,
    /// or the subnet's network or broadcast address.
    static func checkGrantAddress(_ address: IPv4Address, key: String, _ nic: NicConfig, _ findings: inout Findings)
        -> Bool
    {
        let subnet = "\(IPv4Address(rawValue: nic.hostAddress.rawValue & nic.netmask))/\(nic.prefixLength)"
        if !nic.contains(address) {
            findings.error(key, "\(address) is outside the NIC's subnet \(subnet) (nic.host_address)")
        } else if address == nic.hostAddress {
            findings.error(key, "\(address) is the NIC's host address (nic.host_address), the tenants' gateway")
        } else if isNetworkOrBroadcast(address, nic) {
            findings.error(key, "\(address) is the network or broadcast address of \(subnet)")
        } else {
            return true
        }
        return false
    }

    static func isNetworkOrBroadcast(_ address: IPv4Address, _ nic: NicConfig) -> Bool {
        let host = address.rawValue & ~nic.netmask
        return host == 0 || host == ~nic.netmask
    }

    /// The key of the second tenant an address-plan refusal names (the one that conflicts).
    static func planKey(_ error: AddressPlanError, in c: DaemonConfig) -> String {
        switch error {
        case .addressGrantedTwice(let address, _, let tenant):
            let owned = c.tenant(tenant)?.addresses.contains(address) ?? false
            return "tenant[\(tenant)].\(owned ? "addresses" : "ports")"
        case .overlappingShares(_, _, _, let tenant), .portZero(_, _, let tenant):
            return "tenant[\(tenant)].ports"
        case .macOfTwoTenants(_, _, let tenant), .daemonMAC(_, let tenant), .duplicateTenant(let tenant):
            return "tenant[\(tenant)].addresses"
        case .unusableAddress, .unusableMAC:
            return "tenant"
        }
    }

    /// The plan's refusal with tenant ids replaced by names.
    static func planMessage(_ error: AddressPlanError, in c: DaemonConfig) -> String {
        func name(_ id: TenantID) -> String { "'\(c.tenant(id)?.name ?? "?")'" }
        switch error {
        case .addressGrantedTwice(let address, let first, let second) where first == second:
            return "\(address) is granted twice to tenant \(name(first))"
        case .addressGrantedTwice(let address, let first, let second):
            return "\(address) is already granted whole to tenant \(name(first)); it cannot be granted to \(name(second)) too"
        case .overlappingShares(let proto, let address, let first, let second):
            let what = proto == .icmp ? "echo identifiers" : "ports"
            return "\(proto) \(what) of \(address) overlap between tenants \(name(first)) and \(name(second))"
        case .portZero(let proto, let address, _):
            let what = proto == .icmp ? "identifier 0" : "port 0"
            return "the \(proto) share of \(address) includes \(what), which no endpoint may use"
        default:
            return error.description
        }
    }
}
