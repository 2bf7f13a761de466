// "B cannot receive A's traffic by any route": besides A's own endpoint, the ARP for A's
// address, the ICMP errors about A's flows and fragments of A's datagrams on a shared address
// must never reach B. The host kernel (root namespace behind a TAP, or a veth's peer
// namespace) produces each of them for real.

import Foundation
import Testing

@Suite(.enabled(if: getuid() == 0, "needs root for TAP devices and tenant uids"))
struct ReceiveRoutesTests {
    @Test(arguments: Backend.allCases)
    func arpIcmpErrorsAndReassembledFragmentsNeverReachAnotherTenant(_ backend: Backend) throws {
        let net = try backend.net(second: 82, prefix: "exort")
        defer { net.remove() }
        let daemon = try net.daemon()
        defer { daemon.stop() }
        let a = try daemon.attachedTenant("alice", uid: TestUIDs.alice)
        defer { a.quit() }
        let b = try daemon.attachedTenant("bob", uid: TestUIDs.bob)
        defer { b.quit() }
        try a.openReceiving(frames: "0 1 2 3 4 5 6 7")
        try b.openReceiving(frames: "30 31 32 33 34 35 36 37")
        try a.ok("bind addr \(net.address(2))")
        try a.ok("bind udp \(net.address(10)) 5000")
        try b.ok("bind udp \(net.address(10)) 5100")

        // 1. ARP: the host resolving A's whole address asks by broadcast; only A hears it.
        _ = try net.peerCommand("/bin/ping", ["-c", "1", "-W", "1", "-I", net.peerLink, net.address(2)], timeout: 5)
        #expect(try receivedKinds(a).contains { $0.contains("ethertype=2054") }, "A never saw the ARP request")

        // 2. An ICMP error about A's flow: A sends from its endpoint to a closed host port; the
        //    host kernel answers port unreachable quoting A's datagram; only A gets it.
        try a.ok("alloc 20")
        try a.ok("map 20")
        try a.ok("dp-send-udp 20 \(net.address(10)) 5000 \(net.address(1)) 9 probe")
        #expect(try receivedKinds(a).contains { $0.contains("proto=1 icmp=3") }, "A never saw the port unreachable")

        // 3. Fragments to the shared address: a datagram larger than the MTU arrives in fragments;
        //    the daemon reassembles it and only the port's owner gets it, whole.
        let host = try net.peerSocket()
        try host.send(String(repeating: "F", count: 3000), to: net.address(10), port: 5000)
        // (The host may also re-resolve A's whole address meanwhile: ARP is not counted here.)
        let aAfterFragments = try receivedKinds(a).filter { !$0.contains("ethertype=2054") }
        #expect(aAfterFragments.count == 1, "\(aAfterFragments)")
        #expect(aAfterFragments.allSatisfy { $0.contains("csum=ok") && $0.hasSuffix("port=5000 payload=" + String(repeating: "F", count: 3000)) })

        // B saw nothing of any of it.
        #expect(try receivedKinds(b).isEmpty)
        let stats = try runCommand(BuildProducts.path("exoctl"), ["nic", "--json", "--socket", daemon.socketPath])
        #expect(stats.status == 0)
    }

    /// Everything a tenant receives within about half a second, one description per frame.
    private func receivedKinds(_ tenant: TenantProcess) throws -> [String] {
        var kinds: [String] = []
        while kinds.count < 16 {
            let answer = try tenant.send("dp-recv 500")
            guard answer.hasPrefix("ok") else { break }
            kinds.append(answer)
            // Give the frame back so the tenant never runs out of fill frames.
            if let frame = TenantProcess.value("frame", in: answer) { _ = try tenant.send("dp-fill \(frame)") }
        }
        return kinds
    }
}
