// ExOS page management on frames held from a real daemon: protected pages fault on write and
// unprotected ones do not, every fault is counted once, dirty answers from ExOS's record agree
// with the kernel's (PAGEMAP_SCAN), and `exobench vm --smoke` runs every benchmark every way.

import ExOS
import ExoPlatform
import Foundation
import Synchronization
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "integration tests run as root (root attaches as a tenant)"))
struct VirtualMemoryTests {
    static let mechanisms: [WriteFaultMechanism] = [.mprotect, .userfault(handlerCPU: nil), .userfaultSignal]

    /// A daemon whose tenant "vm" is uid 0, so this test process can attach and map frames.
    func withRegion<R>(pages: Int, _ body: (FrameRegion) async throws -> R) async throws -> R {
        let daemon = try DaemonHarness(tenants: [("vm", 0, 256)], daemonExtra: "allow_root_tenants = true")
        defer { daemon.stop() }
        let session = try await ExOS.attach(tenant: "vm", socketPath: daemon.socketPath)
        defer { session.close() }
        let holdings = try await session.allocateAny(count: pages)
        let region = try await session.mapContiguous(holdings.map(\.frame))
        #expect(region.frames == holdings.map(\.frame))
        return try await body(region)
    }

    /// The pages a handler was called for, in order.
    final class FaultLog: Sendable {
        let pages = Mutex<[Int]>([])
    }

    func randomPages(_ count: Int, seed: UInt64) -> Set<Int> {
        var state = seed
        var chosen = Set<Int>()
        for page in 0..<count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            if (state >> 33) % 3 == 0 { chosen.insert(page) }
        }
        return chosen
    }

    @Test(arguments: mechanisms)
    func protectedPagesFaultOnWriteAndUnprotectedOnesDoNot(_ mechanism: WriteFaultMechanism) async throws {
        try await withRegion(pages: 32) { region in
            let log = FaultLog()
            let manager = try PageManager(region: region, mechanism: mechanism) { manager, page in
                log.pages.withLock { $0.append(page) }
                try? manager.unprotect(page: page)
            }
            defer { manager.close() }
            let protected = randomPages(region.pageCount, seed: 7)
            for page in protected { try manager.protect(page: page) }
            #expect(protected.allSatisfy { !manager.entry($0).writable })

            for page in 0..<region.pageCount { region.pages.store(UInt8(page), page: page, offset: 9) }
            #expect(manager.faultCount == protected.count)
            #expect(log.pages.withLock { $0 } == protected.sorted(), "one fault per protected page, in write order")
            #expect((0..<region.pageCount).allSatisfy { region.pages.load(page: $0, offset: 9) == UInt8($0) })

            // The handler unprotected every page: a second pass writes without a fault.
            for page in 0..<region.pageCount { region.pages.store(2, page: page) }
            #expect(manager.faultCount == protected.count)
        }
    }

    @Test(arguments: mechanisms)
    func faultsEqualOperationsWhenProtectionIsChangedInRanges(_ mechanism: WriteFaultMechanism) async throws {
        try await withRegion(pages: 128) { region in
            let manager = try PageManager(region: region, mechanism: mechanism) { manager, page in
                try? manager.unprotect(page: page)
            }
            defer { manager.close() }
            var writes = 0
            for round in 0..<5 {
                try manager.protect(0..<100)  // appel2's pattern: 100 pages in one call, one fault each
                for page in (0..<100).reversed() {
                    region.pages.store(UInt8(round), page: page)
                    writes += 1
                }
                try manager.unprotect(100..<128)  // already writable: no call, no fault
                for page in 100..<128 { region.pages.store(1, page: page) }
            }
            #expect(manager.faultCount == writes)
        }
    }

    @Test(arguments: [WriteFaultMechanism.userfault(handlerCPU: nil), .userfaultSignal])
    func dirtyAnswersFromTheRecordAgreeWithTheKernel(_ mechanism: WriteFaultMechanism) async throws {
        try await withRegion(pages: 64) { region in
            let manager = try PageManager(region: region, mechanism: mechanism, tracksDirty: true) { manager, page in
                try? manager.unprotect(page: page)
            }
            defer { manager.close() }
            let scan = try PageMapScan()
            for seed in [UInt64(3), 11, 29] {
                try manager.clean(0..<region.pageCount)
                let written = randomPages(region.pageCount, seed: seed)
                for page in written { region.pages.store(UInt8(seed), page: page) }
                let ours = Set(try (0..<region.pageCount).filter { try manager.isDirty($0) })
                var kernels = Set<Int>()
                try scan.forEachWrittenRun(region.pages, pages: 0..<region.pageCount) { kernels.formUnion($0) }
                #expect(ours == written, "seed \(seed)")
                #expect(kernels == written, "seed \(seed): the kernel's PAGE_IS_WRITTEN")
            }
        }
    }

    @Test func oneSignalRouteAtATimeAndPagesOutsideTheRegionAreRefused() async throws {
        try await withRegion(pages: 8) { region in
            let first = try PageManager(region: region, mechanism: .mprotect) { manager, page in try? manager.unprotect(page: page) }
            // A second manager on SIGSEGV would take the first one's faults: refused, typed.
            #expect(throws: PageManagementError.system(SystemError(operation: "sigaction(segmentationFault)", errno: EBUSY))) {
                _ = try PageManager(region: region, mechanism: .mprotect) { _, _ in }
            }
            #expect(throws: PageManagementError.outOfRange(6..<9, pageCount: 8)) { try first.protect(6..<9) }
            #expect(throws: PageManagementError.notTrackingDirty) { try first.clean(0..<8) }
            first.close()
            // Closed, the route is free again and the pages are writable without a fault.
            let second = try PageManager(region: region, mechanism: .mprotect) { manager, page in try? manager.unprotect(page: page) }
            defer { second.close() }
            for page in 0..<8 { region.pages.store(3, page: page) }
            #expect(first.faultCount == 0 && second.faultCount == 0)
        }
    }

    @Test func theKernelsWriteTrackingFindsExactlyThePagesWritten() async throws {
        try await withRegion(pages: 64) { region in
            let tracking = try UserFaultFD(features: [.writeProtect, .writeProtectShmem, .writeProtectAsync])
            try tracking.registerWriteProtect(region.pages, pages: 0..<region.pageCount)
            defer { try? tracking.unregister(region.pages, pages: 0..<region.pageCount) }
            let scan = try PageMapScan()
            try tracking.writeProtect(region.pages, pages: 0..<region.pageCount, true)
            let written = randomPages(region.pageCount, seed: 5)
            for page in written { region.pages.store(1, page: page) }  // resolved in the kernel: no message
            #expect(try tracking.nextFault() == nil)
            #expect(Set(try (0..<region.pageCount).filter { try scan.isWritten(region.pages, page: $0) }) == written)
        }
    }

    @Test func exobenchVMSmokeRunsEveryBenchmarkEveryWay() throws {
        let daemon = try DaemonHarness(tenants: [("vm", 0, 256)], daemonExtra: "allow_root_tenants = true")
        defer { daemon.stop() }
        let result = try runCommand(
            BuildProducts.path("exobench"), ["vm", "--smoke", "--json", "--socket", daemon.socketPath, "--tenant", "vm"],
            timeout: 120)
        #expect(result.status == 0, "stderr: \(result.stderr)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "stdout: \(result.stdout)")
        let benchmarks = ["dirty", "prot1", "prot100", "unprot100", "trap", "appel1", "appel2"]
        #expect(object["benchmarks"] as? [String] == benchmarks)
        #expect(object["wayOrder"] as? [String] == ["kernel", "exos-uffd", "exos-sigbus", "exos-mprotect", "wp-async"])
        #expect((object["loadAverageBefore"] as? String)?.split(separator: " ").count == 3)
        let ways = try #require(object["ways"] as? [String: [String: Any]])
        for (key, way) in ways {
            let rows = try #require(way["rows"] as? [String: [String: Any]], "\(key)")
            let expected = key == "wp-async" ? ["dirty", "prot1", "prot100", "unprot100"] : benchmarks
            #expect(Set(rows.keys) == Set(expected), "\(key)")
            for (name, row) in rows {
                #expect(((row["median"] as? NSNumber)?.doubleValue ?? 0) > 0, "\(key) \(name)")
                let operations = (row["operations"] as? NSNumber)?.intValue ?? -1
                let faults = (row["faults"] as? NSNumber)?.intValue ?? -1
                switch name {
                case "trap", "appel1", "appel2": #expect(faults == operations && faults > 0, "\(key) \(name)")
                case "prot1", "prot100", "unprot100": #expect(faults == 0, "\(key) \(name)")
                default: break
                }
            }
        }
        let ratios = try #require(object["ratios"] as? [String: [String: Any]])
        #expect(Set(ratios.keys) == Set(benchmarks))
    }
}
