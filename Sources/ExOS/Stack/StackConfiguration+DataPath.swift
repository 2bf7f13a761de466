// What the daemon tells a tenant (`DataPathInfo`) as a stack configuration: the same
// addresses, MACs, ownership, subnet, gateway, MTU and grants; limits and secret are the
// driver's to choose.

import ExoPacket
import ExoWire

extension StackConfiguration {
    /// The configuration of a stack on the data path `info` describes. `secret` keys the
    /// stack's hash tables: a driver draws it from a random source. `sequenceSecret` keys
    /// TCP's ISNs and timestamps (nil: `secret`): one the tenant keeps across restarts.
    public init(
        dataPath info: DataPathInfo, limits: StackLimits = StackLimits(), secret: UInt64, sequenceSecret: UInt64? = nil
    ) {
        let addresses = info.addresses.map {
            LocalAddress(address: IPv4Address(rawValue: $0.address), mac: $0.mac, owned: $0.whole)
        }
        let grants = info.portShares.compactMap { share -> EndpointGrant? in
            guard share.firstPort <= share.lastPort else { return nil }
            return EndpointGrant(
                proto: IPProtocol(rawValue: share.proto), address: IPv4Address(rawValue: share.address),
                ports: share.firstPort...share.lastPort)
        }
        let gateway = info.gateway == 0 ? nil : IPv4Address(rawValue: info.gateway)
        self.init(
            addresses: addresses, prefixLength: info.prefixLength, gateway: gateway,
            gatewayMAC: gateway == nil || info.gatewayMAC == .zero ? nil : info.gatewayMAC,
            mtu: Int(info.mtu), grants: grants, limits: limits, secret: secret,
            sequenceSecret: sequenceSecret)
    }
}
