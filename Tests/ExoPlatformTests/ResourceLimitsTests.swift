// Specification of the limit and usage readers against this machine's real /proc and
// rlimits: plausible values, and a descriptor count that follows opening and closing one.
import ExoPlatform
import Glibc
import Testing

@Suite struct ResourceLimitsTests {
    @Test func openFilesSoftLimitIsPositiveAndAtMostTheHardLimit() {
        let limit = ResourceLimits.openFiles()
        #expect(limit.soft >= 64)
        #expect(limit.soft <= limit.hard)
    }

    @Test func maxMapCountIsReadFromProc() throws {
        #expect(try #require(ResourceLimits.maxMapCount()) >= 1024)
    }

    @Test func residentBytesOfThisProcessArePlausibleAndUnknownPidsAreNil() {
        let resident = ResourceLimits.residentBytes(pid: getpid()) ?? 0
        #expect(resident > 1 << 20)
        #expect(resident < 1 << 40)
        #expect(ResourceLimits.residentBytes(pid: Int32.max) == nil)
        #expect(ResourceLimits.openDescriptorCount(pid: Int32.max) == nil)
    }

    @Test func openingOneDescriptorRaisesTheCountByOne() throws {
        // Other tests open and close descriptors in parallel, so look for one quiet moment
        // among several attempts; a miscount would never give exactly +1 and back.
        var sawExactChange = false
        for _ in 0..<50 where !sawExactChange {
            let before = try #require(ResourceLimits.openDescriptorCount())
            let extra = try EventFD()
            let during = try #require(ResourceLimits.openDescriptorCount())
            extra.descriptor.close()
            let after = try #require(ResourceLimits.openDescriptorCount())
            sawExactChange = during == before + 1 && after == before
        }
        #expect(sawExactChange)
    }

    @Test func descriptorsOfThisProcessCountIncludesStandardStreams() throws {
        #expect(try #require(ResourceLimits.openDescriptorCount()) >= 3)
    }
}
