// Property tests: random filters of two tenants on their bindings, frames derived from the
// filters (matches and near misses); the merged tries agree with the linear oracle.
import ExoCore
import ExoWire
import ExoPacket
import Testing

@Suite struct FilterPropertyTests {
    /// Every binding of `Net.bindings()` (ports, addresses and echo identifiers), with its
    /// session. Frames to an echo identifier are echo replies; all others are UDP.
    static let targets: [(BindingTarget, SessionID)] = Net.bindings().all.map { ($0.target, $0.session) }

    static func isEcho(_ target: BindingTarget) -> Bool {
        if case .endpoint(let e) = target { return e.proto == .icmp }
        return false
    }

    /// One round: install random filters on random bindings (and remove some), then check
    /// `frames` derived frames. Returns how many frames some filter matched.
    static func round(seed: UInt64, frames: Int) -> (checked: Int, matched: Int, matchedEcho: Int) {
        var gen = RandomFilters(seed: seed)
        var table = Net.bindings()
        var installed: [OracleFilter] = []
        for _ in 0..<gen.int(1..<24) {
            let (target, session) = gen.pick(targets)
            let atoms = gen.filter(for: target)
            do {
                let id = try table.installFilter(atoms, on: target, session: session)
                installed.append(OracleFilter(id: id, target: target, session: session, atoms: atoms))
            } catch {
                // Random atoms of overlapping shapes may ask two values of one bit; on an echo
                // identifier binding, UDP-minded atoms on the ICMP type and code (which the
                // binding pins to an echo reply) would widen it.
                let allowed: [ExoError] = Self.isEcho(target) ? [.filterContradictory, .filterWidensBinding] : [.filterContradictory]
                #expect(allowed.contains(error), "seed \(seed): \(atoms) refused with \(error)")
            }
            if !installed.isEmpty && gen.chance(15) {
                let victim = installed.remove(at: gen.int(0..<installed.count))
                #expect(throws: Never.self) { try table.removeFilter(victim.id, session: victim.session) }
            }
        }
        let unfiltered = Net.bindings()
        var matched = 0
        var matchedEcho = 0
        for _ in 0..<frames {
            let model = installed.isEmpty || gen.chance(20) ? nil : gen.pick(installed)
            let target = model?.target ?? gen.pick(targets).0
            var frame = gen.frame(to: target)
            if let model {
                RandomFilters.satisfy(model.atoms, &frame)
                RandomFilters.fixChecksums(&frame)
                gen.nearMiss(model.atoms, &frame)
            }
            // The merged structure picks what the oracle picks, on every binding.
            frame.withUnsafeBytes { raw in
                let bytes = PacketBytes(unsafeBuffer: raw)
                for (candidate, _) in targets {
                    let expected = FilterOracle.firstMatch(installed, on: candidate, frame)
                    #expect(table.filterMatch(on: candidate, bytes) == expected, "seed \(seed) \(candidate) \(frame)")
                    if expected != nil { matched += 1 }
                    if expected != nil && isEcho(candidate) { matchedEcho += 1 }
                }
            }
            // No frame is accepted by bindings (narrowed by filters) of two tenants.
            let tenants = Set(targets.filter { FilterOracle.accepts(installed, $0.0, frame) }.map { Net.tenant(of: $0.1) })
            #expect(tenants.count <= 1, "seed \(seed): \(frame) accepted by tenants \(tenants)")
            checkDemultiplexer(frame, table: table, unfiltered: unfiltered, installed: installed, seed: seed)
        }
        return (frames, matched, matchedEcho)
    }

    /// With filters, the demultiplexer delivers to the session it would deliver to without
    /// them exactly when that binding's filters (per the oracle) let the frame through.
    static func checkDemultiplexer(
        _ frame: [UInt8], table: BindingTable, unfiltered: BindingTable, installed: [OracleFilter], seed: UInt64
    ) {
        let before = Demultiplexer.classify(frame.span.bytes, plan: Net.plan, bindings: unfiltered)
        let after = Demultiplexer.classify(frame.span.bytes, plan: Net.plan, bindings: table)
        guard case .tenant(let session) = before else {
            #expect(after == before, "seed \(seed): filters changed a non-delivery \(before) into \(after)")
            return
        }
        // These frames are UDP to a bound endpoint or to a bound whole address; fragments
        // go to the address binding whatever their first bytes say.
        let fragment = (UInt16(frame[20]) << 8 | UInt16(frame[21])) & 0x3FFF != 0
        let endpoint = fragment ? nil : targets.first {
            $0.1 == session && FilterOracle.bindingTakes($0.0, frame) && !isAddress($0.0)
        }
        guard let target = endpoint?.0 ?? targets.first(where: { $0.1 == session && FilterOracle.bindingTakes($0.0, frame) })?.0
        else {
            Issue.record("seed \(seed): delivered to session \(session), but the oracle finds no binding of it taking \(frame)")
            return
        }
        let own = installed.filter { $0.target == target }
        let passes = own.isEmpty || FilterOracle.firstMatch(own, on: target, frame) != nil
        #expect(after == (passes ? .tenant(session) : .drop(.filteredOut(session))), "seed \(seed): \(frame)")
    }

    static func isAddress(_ target: BindingTarget) -> Bool {
        if case .address = target { return true }
        return false
    }

    @Test func mergedTriesSelectExactlyWhatTheOracleSelects() {
        var checked = 0
        var matched = 0
        var matchedEcho = 0
        for seed in UInt64(1)...150 {
            let result = Self.round(seed: seed, frames: 40)
            checked += result.checked
            matched += result.matched
            matchedEcho += result.matchedEcho
        }
        #expect(checked == 6_000)
        // Derived frames must hit filters often, or the comparison would prove little; echo
        // identifier bindings included.
        #expect(matched > checked / 4, "only \(matched) matches in \(checked) frames")
        #expect(matchedEcho > checked / 50, "only \(matchedEcho) matches on echo identifiers")
    }
}
