// The host kernel fragments a datagram larger than the MTU and sends one with IPv4 options
// (IP_OPTIONS): tenants on a shared address get each whole, with checksums that verify.

import Foundation
import Glibc
import Testing

@Suite(.enabled(if: getuid() == 0, "needs root for TAP devices and tenant uids"))
struct ReassemblyAndOptionsTests {
    @Test func fragmentedDatagramsArriveWholeAndOptionsReachTheirTenant() throws {
        let net = TapNet(second: 84, tapPrefix: "exofr")
        let daemon = try net.daemon()
        defer { daemon.stop() }
        let a = try daemon.attachedTenant("alice", uid: TestUIDs.alice)
        defer { a.quit() }
        let b = try daemon.attachedTenant("bob", uid: TestUIDs.bob)
        defer { b.quit() }
        try a.openReceiving(frames: "0 1 2 3 4 5 6 7")
        try b.openReceiving(frames: "30 31 32 33 34 35 36 37")
        try a.ok("bind udp \(net.address(10)) 5000")
        try b.ok("bind udp \(net.address(10)) 5100")
        let host = try UDPSocket(address: net.address(1), port: 0)

        // A 3,500-byte datagram to B's port: three fragments on a 1,500-byte MTU, one frame for B.
        let big = String(repeating: "0123456789", count: 350)
        try host.send(big, to: net.address(10), port: 5100)
        let toB = try b.ok("dp-recv 3000")
        #expect(toB.contains("ihl=20 csum=ok") && toB.hasSuffix("port=5100 payload=\(big)"), "\(toB)\n\(daemon.log)")
        #expect(toB.contains("length=\(14 + 20 + 8 + 3500)"), "\(toB)")

        // Two fragmented datagrams back to back to A's port: each arrives whole and apart.
        try host.send(String(repeating: "a", count: 2000), to: net.address(10), port: 5000)
        try host.send(String(repeating: "b", count: 2500), to: net.address(10), port: 5000)
        let first = try a.ok("dp-recv 3000")
        let second = try a.ok("dp-recv 3000")
        #expect(first.contains("csum=ok") && first.hasSuffix("payload=" + String(repeating: "a", count: 2000)), "\(first)")
        #expect(second.contains("csum=ok") && second.hasSuffix("payload=" + String(repeating: "b", count: 2500)), "\(second)")

        // A datagram with IPv4 options (NOP + record route, 8 bytes) reaches its port's owner.
        let optioned = try UDPSocket(address: net.address(1), port: 0)
        let options: [UInt8] = [1, 0x07, 7, 4, 0, 0, 0, 0]
        #expect(setsockopt(optioned.fd, Int32(IPPROTO_IP), IP_OPTIONS, options, socklen_t(options.count)) == 0, "errno \(errno)")
        try optioned.send("with-options", to: net.address(10), port: 5000)
        let withOptions = try a.ok("dp-recv 3000")
        #expect(withOptions.contains("ihl=28 csum=ok") && withOptions.hasSuffix("port=5000 payload=with-options"), "\(withOptions)")

        // Fragmented and optioned at once: the first fragment's options come back with the whole.
        try optioned.send(String(repeating: "o", count: 3000), to: net.address(10), port: 5100)
        let both = try b.ok("dp-recv 3000")
        #expect(both.contains("ihl=28 csum=ok") && both.hasSuffix("payload=" + String(repeating: "o", count: 3000)), "\(both)")

        // Nothing else reached either tenant.
        #expect(try a.send("dp-recv 300").hasPrefix("err"))
        #expect(try b.send("dp-recv 300").hasPrefix("err"))
    }
}
