// exo-testclient's filter commands: install a filter on one of the session's bindings,
// remove one by id, and (as operator) list them.

import ExoWire
import ExoPacket

extension ScriptedTenant {
    /// filter-add udp ADDRESS PORT ATOM... | filter-add addr ADDRESS ATOM... → "ok id=N";
    /// filter-remove ID → "ok removed=N"; op-filters → "ok id@tenant:binding:atoms;...".
    /// ATOM is `WireFilterAtom`'s text form, e.g. `transport+8/1=0x41`.
    func runFilter(_ command: String, _ args: [String]) -> String {
        let request: Request
        switch command {
        case "filter-add":
            let endpointArgs = args.first == "addr" ? 2 : 3
            guard args.count > endpointArgs, let endpoint = Self.endpoint(Array(args.prefix(endpointArgs))) else {
                return "err usage"
            }
            let atoms = args.dropFirst(endpointArgs).map { WireFilterAtom(parsing: $0) }
            guard atoms.allSatisfy({ $0 != nil }) else { return "err bad-atom" }
            request = .installFilter(endpoint, atoms: atoms.compactMap { $0 })
        case "filter-remove":
            guard let id = args.first.flatMap({ UInt64($0) }) else { return "err usage" }
            request = .removeFilter(filterID: id)
        default:
            request = .filters(tenant: nil, page: Page())
        }
        let (reply, _, failure) = self.request(request)
        switch reply {
        case .filterInstalled(let id)?: return "ok id=\(id)"
        case .filterRemoved(let id)?: return "ok removed=\(id)"
        case .filters(let page)?:
            return "ok " + page.entries.map { f in
                "\(f.filterID)@\(f.tenant):\(f.endpoint.proto)/\(IPv4Address(rawValue: f.endpoint.address))/\(f.endpoint.port):"
                    + f.atoms.map(\.text).joined(separator: ",")
            }.joined(separator: ";")
        case .error(let code, _)?: return "err \(code.name)"
        default: return "err \(failure ?? String(describing: reply))"
        }
    }
}
