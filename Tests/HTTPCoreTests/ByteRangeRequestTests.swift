// Range fields against a file's size: the three forms, clamping, 416 when nothing is
// inside, and what is ignored (whole file).
import HTTPCore
import Testing

@Suite struct ByteRangeRequestTests {
    @Test(arguments: [
        ("bytes=0-9", 100, ByteRangeSelection.partial(offset: 0, length: 10)),
        ("bytes=10-10", 100, .partial(offset: 10, length: 1)),
        ("bytes=90-200", 100, .partial(offset: 90, length: 10)),
        ("bytes=95-", 100, .partial(offset: 95, length: 5)),
        ("bytes=-5", 100, .partial(offset: 95, length: 5)),
        ("bytes=-500", 100, .partial(offset: 0, length: 100)),
        ("Bytes = 1-2", 100, .whole),
        (" bytes=1-2 ", 100, .partial(offset: 1, length: 2)),
        ("bytes=99-99999999999999999999999", 100, .partial(offset: 99, length: 1)),
    ])
    func satisfiableRanges(header: String, size: Int, selection: ByteRangeSelection) {
        #expect(ByteRangeRequest.select(header, size: size) == selection)
    }

    @Test(arguments: [
        ("bytes=100-", 100), ("bytes=100-200", 100), ("bytes=-0", 100), ("bytes=0-", 0), ("bytes=-1", 0),
        ("bytes=99999999999999999999-", 100),
    ])
    func unsatisfiableRanges(header: String, size: Int) {
        #expect(ByteRangeRequest.select(header, size: size) == .unsatisfiable)
    }

    @Test(arguments: [
        nil, "items=0-1", "bytes=5-3", "bytes=a-b", "bytes=", "bytes=-", "bytes=1", "bytes=0-1,5-6", "bytes=+1-2",
    ])
    func ignoredRangesMeanTheWholeFile(header: String?) {
        #expect(ByteRangeRequest.select(header, size: 100) == .whole)
    }
}
