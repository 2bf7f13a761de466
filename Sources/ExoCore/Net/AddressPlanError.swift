// Why an address plan is refused: every way two tenants' grants could overlap, or a grant
// could name an address or MAC no one may own.
import ExoWire
import ExoPacket

/// A refusal of an `AddressPlan`, naming the address (or MAC) and the tenants involved.
public enum AddressPlanError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Not a unicast host address (0/8, loopback, multicast or reserved).
    case unusableAddress(IPv4Address)
    /// A MAC that is multicast or all zeros (the daemon's own, or an address's).
    case unusableMAC(MACAddress)
    /// The address is granted whole to one tenant and also granted (whole or in part) again.
    case addressGrantedTwice(IPv4Address, TenantID, TenantID)
    /// Two port (or echo identifier) shares of one (protocol, address) overlap.
    case overlappingShares(TransportProtocol, IPv4Address, TenantID, TenantID)
    /// A port share includes port 0 (or an icmp share identifier 0), which no endpoint may use.
    case portZero(TransportProtocol, IPv4Address, TenantID)
    /// One MAC would belong to addresses of two tenants.
    case macOfTwoTenants(MACAddress, TenantID, TenantID)
    /// A tenant address would use the daemon's MAC (reserved for shared addresses).
    case daemonMAC(MACAddress, TenantID)
    /// One tenant appears in two grants.
    case duplicateTenant(TenantID)

    public var description: String {
        switch self {
        case .unusableAddress(let a): "\(a) is not a unicast host address"
        case .unusableMAC(let m): "\(m) is multicast or zero"
        case .addressGrantedTwice(let a, let t, let u): "\(a) is granted whole to tenant \(t) and again to tenant \(u)"
        case .overlappingShares(let p, let a, let t, let u): "\(p) ports of \(a) overlap between tenants \(t) and \(u)"
        case .portZero(let p, let a, let t): "tenant \(t)'s \(p) share of \(a) includes port 0"
        case .macOfTwoTenants(let m, let t, let u): "\(m) is used by tenants \(t) and \(u)"
        case .daemonMAC(let m, let t): "tenant \(t) uses the daemon's MAC \(m)"
        case .duplicateTenant(let t): "tenant \(t) has two network grants"
        }
    }
}
