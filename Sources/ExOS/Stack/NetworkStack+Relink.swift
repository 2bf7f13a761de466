// A stack that outlives its daemon: after a restart the daemon describes the same addresses,
// grants and link, but the MACs it owns (a shared address's, the gateway's) may be new. The
// stack takes those and keeps everything else: sockets, connections, neighbors, counters.

extension NetworkStack {
    /// Takes `configuration`'s MACs when it describes the same network identity as the
    /// stack's (addresses and ownership, subnet, gateway, MTU, grants); limits and secrets
    /// stay the stack's. Returns false, changing nothing, when the identity differs: the
    /// stack's sockets may be bound to what is no longer granted, so it cannot be kept.
    public mutating func relink(to configuration: StackConfiguration, now: Instant) -> Bool {
        guard core.configuration.hasSameIdentity(as: configuration) else { return false }
        advance(to: now)
        core.relink(configuration)
        return true
    }
}

extension StackCore {
    mutating func relink(_ fresh: StackConfiguration) {
        var kept = configuration
        kept.addresses = fresh.addresses
        kept.gatewayMAC = fresh.gatewayMAC
        configuration = kept
        link = LinkIdentity(kept)
        resolver.relink(link, gatewayMAC: kept.gatewayMAC, now: now)
    }
}

extension StackConfiguration {
    /// True when `other` differs at most in MACs, limits and secrets.
    func hasSameIdentity(as other: StackConfiguration) -> Bool {
        addresses.map(\.address) == other.addresses.map(\.address) && addresses.map(\.owned) == other.addresses.map(\.owned)
            && prefixLength == other.prefixLength && gateway == other.gateway && mtu == other.mtu && grants == other.grants
    }
}
