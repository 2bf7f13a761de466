// Host rules of the packet backend: the interface exists and its MTU fits a frame (errors);
// host addresses a tenant also uses, IPv4 forwarding, an ignored nic.mtu, no gateway MAC (warnings).

import ExoWire
import ExoPacket

/// One section's checks for `ConfigValidator.check` (pure; findings collected, nothing thrown).
enum PacketNicConfigCheck {
    /// Checks a packet-backend `[nic]` against what the host says about its interface.
    /// Nothing for the TAP backend (the daemon creates that interface itself).
    static func checkPacketNic(_ c: DaemonConfig, facts: NicHostFacts, _ findings: inout Findings) {
        guard let nic = c.nic, nic.isPacketBackend else { return }
        guard facts.exists else {
            findings.error("nic.name", "no interface '\(nic.name)' on this host: the packet backend uses an existing interface")
            return
        }
        if UInt64(c.frameSize) < UInt64(facts.mtu) + UInt64(ConfigValidator.ethernetHeaderBytes) {
            findings.error(
                "frames.size",
                "\(c.frameSize) bytes cannot hold a frame of '\(nic.name)' (nic.name): MTU \(facts.mtu) plus the \(ConfigValidator.ethernetHeaderBytes)-byte Ethernet header; jumbo MTUs need a larger frames.size")
        }
        if nic.mtu != facts.mtu {
            findings.warn("nic.mtu", "\(nic.mtu) is not used by the packet backend: '\(nic.name)' has MTU \(facts.mtu), which tenants are told")
        }
        if nic.gatewayMAC == nil {
            findings.warn(
                "nic.gateway_mac",
                "not set: tenants are told 00:00:00:00:00:00 and must resolve their gateway \(nic.hostAddress) by ARP")
        }
        if facts.forwarding == true {
            findings.warn(
                "nic.name",
                "IPv4 forwarding is on for '\(nic.name)' (/proc/sys/net/ipv4/conf/\(nic.name)/forwarding): the host may route frames sent to tenants' addresses as well")
        }
        let host = Set(facts.hostAddresses)
        for (index, tenant) in c.tenants.enumerated() {
            for (position, address) in tenant.addresses.enumerated() where host.contains(address) {
                findings.warn("tenant[\(index)].addresses[\(position)]", hostAddressWarning(address, nic.name))
            }
            for (position, share) in tenant.ports.enumerated() where host.contains(share.address) {
                findings.warn("tenant[\(index)].ports[\(position)]", hostAddressWarning(share.address, nic.name))
            }
        }
    }

    private static func hostAddressWarning(_ address: IPv4Address, _ name: String) -> String {
        "\(address) is also a host address on '\(name)': the host kernel answers it too (ARP, and TCP resets to tenants' connections)"
    }
}
