// exoctl impair end to end, on both NIC backends: a real library-OS echo server (udp-echo)
// behind the daemon and the host kernel as its peer. With impairment off nothing is lost;
// with 10% loss to tenants, 5-15% of 1,000 datagrams are, exactly as `exoctl stats` counts;
// delay is honoured, duplicates and reordering reach the peer; exoping measures the loss.

import Foundation
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for TAP devices and tenant uids"))
struct ImpairmentTests {
    /// A daemon, its network and alice's echo server on `.2` port 7.
    struct Setup {
        let net: any TestNet
        let daemon: DaemonHarness
        let echo: EchoProcess
        let peer: UDPSocket
        /// When alice's echo server said it was ready (her stack's gratuitous ARPs start then).
        let readyAt = Date()

        /// Waits until alice's stack has sent its gratuitous ARPs (two, 2 s apart: RFC 5227,
        /// `StackLimits.announcements`), so a count of her frames is a count of her echoes.
        func waitUntilAnnounced() {
            let rest = readyAt.addingTimeInterval(2.5).timeIntervalSinceNow
            if rest > 0 { usleep(useconds_t(rest * 1_000_000)) }
        }

        func exoctl(_ arguments: [String]) throws -> String { try DataPathTests.exoctl(daemon, arguments) }

        /// Sends `count` numbered datagrams to the echo server in windows of `window`,
        /// collecting echoes until the line has been quiet for `quietMilliseconds`; returns
        /// the numbers echoed, in arrival order.
        func exchange(count: Int, window: Int = 20, quietMilliseconds: Int32 = 150) throws -> [Int] {
            var echoed: [Int] = []
            var next = 0
            while next < count {
                for _ in 0..<min(window, count - next) {
                    try peer.send("n\(next)", to: net.address(2), port: 7)
                    next += 1
                }
                while let reply = try peer.receive(timeoutMilliseconds: quietMilliseconds) {
                    if let number = Int(reply.dropFirst()) { echoed.append(number) }
                }
            }
            // The last window's echoes may come late on a loaded machine (a late one is not a
            // lost one): a longer quiet period before counting.
            while let reply = try peer.receive(timeoutMilliseconds: 1_000) {
                if let number = Int(reply.dropFirst()) { echoed.append(number) }
            }
            return echoed
        }

        func stop() {
            echo.stop()
            daemon.stop()
            net.remove()
        }
    }

    func start(_ backend: Backend, prefix: String) throws -> Setup {
        let net = try backend.net(second: 94, prefix: prefix)
        do {
            let daemon = try net.daemon()
            do {
                // 128 frames, 64 of them to receive into: a window of 20 and the next one
                // sent while a loaded machine holds the echo back still find fill frames
                // (with 32, a stall of two windows was counted lost: rx.noFillFrame).
                let echo = try EchoProcess(
                    daemon, tenant: "alice", uid: TestUIDs.alice, address: net.address(2), port: 7,
                    extra: ["--frames", "128"])
                do {
                    try echo.waitUntilReady()
                    return Setup(net: net, daemon: daemon, echo: echo, peer: try net.peerSocket())
                } catch {
                    echo.stop()
                    throw error
                }
            } catch {
                daemon.stop()
                throw error
            }
        } catch {
            net.remove()
            throw error
        }
    }

    /// `rx.impair.lostRandom=N` of alice in `exoctl stats`, 0 when absent.
    func aliceCounter(_ name: String, _ setup: Setup) throws -> Int {
        let stats = try setup.exoctl(["stats"])
        guard let line = stats.split(separator: "\n").first(where: { $0.hasPrefix("alice") }),
            let field = line.split(separator: " ").first(where: { $0.hasPrefix(name + "=") })
        else { return 0 }
        return Int(field.dropFirst(name.count + 1)) ?? -1
    }

    @Test(arguments: Backend.allCases)
    func tenPercentLossLosesFiveToFifteenPercentOfAThousandDatagramsAndNoneWhenOff(_ backend: Backend) throws {
        let setup = try start(backend, prefix: "exoil")
        defer { setup.stop() }

        let clean = try setup.exchange(count: 1_000)
        #expect(Set(clean).count == 1_000,
                "impairment off lost \(1_000 - Set(clean).count)\n\((try? setup.exoctl(["stats"])) ?? "")\n\((try? setup.exoctl(["nic"])) ?? "")\n\(setup.daemon.log)")

        _ = try setup.exoctl(["impair", "--direction", "to-tenants", "--loss", "10%", "--seed", "7"])
        let impaired = Set(try setup.exchange(count: 1_000))
        let lost = 1_000 - impaired.count
        #expect((50...150).contains(lost), "10% loss lost \(lost) of 1000 (seed 7)")
        // Only frames to alice were impaired: every loss is one the daemon counted for her.
        #expect(try aliceCounter("rx.impair.lostRandom", setup) == lost)

        _ = try setup.exoctl(["impair", "--off"])
        let again = try setup.exchange(count: 200)
        #expect(Set(again).count == 200,
                "after --off lost \(200 - Set(again).count)\n\((try? setup.exoctl(["stats"])) ?? "")\n\((try? setup.exoctl(["nic"])) ?? "")")
    }

    @Test(arguments: Backend.allCases)
    func delayIsHonouredAndDuplicatesAndReorderingReachThePeer(_ backend: Backend) throws {
        let setup = try start(backend, prefix: "exoid")
        defer { setup.stop() }
        _ = try setup.exchange(count: 1)  // ARP resolved both ways before timing anything

        _ = try setup.exoctl(["impair", "--direction", "from-tenants", "--delay", "80ms"])
        let sent = Date()
        try setup.peer.send("n0", to: setup.net.address(2), port: 7)
        let reply = try setup.peer.receive(timeoutMilliseconds: 2_000)
        let elapsed = Date().timeIntervalSince(sent)
        #expect(reply == "n0")
        #expect(elapsed >= 0.080, "echo came back after \(elapsed) s despite an 80 ms delay")
        #expect(try aliceCounter("tx.impair.delayed", setup) >= 1)

        setup.waitUntilAnnounced()  // a gratuitous ARP duplicated too would count
        _ = try setup.exoctl(["impair", "--direction", "from-tenants", "--duplicate", "100%"])
        let doubled = try setup.exchange(count: 10, window: 10)
        #expect(doubled.count == 20 && Set(doubled).count == 10, "with 100% duplication: \(doubled)")
        #expect(try aliceCounter("tx.impair.duplicated", setup) == 10)

        _ = try setup.exoctl(["impair", "--direction", "to-tenants", "--reorder", "30%", "--reorder-gap", "20ms",
            "--seed", "3"])
        let order = try setup.exchange(count: 40, window: 40, quietMilliseconds: 300)
        #expect(Set(order).count == 40, "reordering lost datagrams: \(order)")
        #expect(order != order.sorted(), "30% reordering left every datagram in order: \(order)")
        #expect(try aliceCounter("rx.impair.reordered", setup) > 0)
    }

    @Test(arguments: Backend.allCases)
    func aTenantsImpairmentLeavesOtherTenantsAloneAndAnUnknownTenantIsRefused(_ backend: Backend) throws {
        let setup = try start(backend, prefix: "exoit")
        defer { setup.stop() }
        _ = try setup.exoctl(["impair", "--tenant", "bob", "--loss", "100%"])
        let echoed = try setup.exchange(count: 50)
        #expect(Set(echoed).count == 50, "bob's 100% loss cost alice \(50 - Set(echoed).count) datagrams")
        #expect(try aliceCounter("rx.impair.lostRandom", setup) == 0)
        let refused = try runCommand(BuildProducts.path("exoctl"),
            ["impair", "--tenant", "nobody", "--loss", "1", "--socket", setup.daemon.socketPath])
        #expect(refused.status == 1, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stderr.contains("no such tenant (code 109)"), "\(refused.stderr)")
    }

    @Test(arguments: Backend.allCases)
    func exopingThroughTenPercentLossReportsFiveToFifteenPercent(_ backend: Backend) throws {
        let net = try backend.net(second: 94, prefix: "exoip")
        defer { net.remove() }
        // exoping's stack holds 128 fill frames plus its rings' worth.
        let daemon = try net.daemon(quota: 256)
        defer { daemon.stop() }
        _ = try DataPathTests.exoctl(daemon, ["impair", "--loss", "10%", "--direction", "to-tenants", "--seed", "11"])
        let ping = try runCommand(BuildProducts.path("exoping"),
            ["--tenant", "alice", "--socket", daemon.socketPath, "--as-uid", String(TestUIDs.alice),
             "-c", "200", "-i", "0.01", "-W", "1", "-q", net.address(1)], timeout: 60)
        let summary = ping.stdout.split(separator: "\n").first { $0.contains("packet loss") } ?? ""
        let loss = summary.split(separator: ",").first { $0.contains("packet loss") }
            .flatMap { Int($0.trimmingCharacters(in: .whitespaces).split(separator: "%")[0]) }
        #expect(loss.map { (5...15).contains($0) } == true, "exoping: \(ping.stdout)\(ping.stderr)\n\(daemon.log)")
    }
}
