// Tenants that change while the arbiter runs (a configuration reload): a tenant added, a
// quota or limit changed, a tenant removed once its sessions ended. It only uses the ledger
// and the token authority.
import ExoWire

extension Arbiter {
    /// Adds a tenant, or changes a configured tenant's quota and limits (matched by id). A
    /// quota below what the tenant holds takes nothing back: every holding stays until it is
    /// unreffed, and no allocation or redeem succeeds while the tenant is at or over the new
    /// quota (the quota check is `held + n <= quota`).
    public func setTenant(_ spec: TenantSpec) {
        tenants.set(spec)
    }

    /// Removes a tenant. Precondition: it has no open session (the daemon ends them first, so
    /// it holds nothing). Offers addressed to it are revoked and returned, so that an id of a
    /// removed tenant given to a later one can never redeem them.
    public func removeTenant(_ id: TenantID) -> Released {
        var released = Released()
        released.revokedTokens = authority.revoke(addressedTo: id)
        tenants.remove(id)
        released.sort()
        return released
    }
}
