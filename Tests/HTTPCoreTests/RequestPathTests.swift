// Request targets to paths under the root: decoding before checking, `..` refused however it
// is spelled, and the prefix check on resolved paths at segment boundaries.
import HTTPCore
import Testing

@Suite struct RequestPathTests {
    @Test(arguments: [
        ("/", [String]()), ("/a/b.txt", ["a", "b.txt"]), ("//a///b/", ["a", "b"]), ("/./a/.", ["a"]),
        ("/a%20b?q=/../x#f", ["a b"]), ("/%61%2Fb", ["a", "b"]), ("/caf%C3%A9", ["café"]),
    ])
    func decodesTargets(target: String, segments: [String]) throws {
        #expect(try RequestPath(target: target).segments == segments)
    }

    @Test(arguments: ["/..", "/a/../b", "/%2e%2e/etc/passwd", "/a/%2E%2E", "/a%2f..%2fb", "/..?x"])
    func parentSegmentsAreRefused(target: String) {
        #expect(throws: RequestPathError.parentSegment) { try RequestPath(target: target) }
    }

    @Test(arguments: ["a", "*", "http://h/a", "/a%", "/a%4", "/a%zz", "/a%00b", "/%FF"])
    func malformedTargetsAreRefused(target: String) {
        #expect(throws: RequestPathError.malformed) { try RequestPath(target: target) }
    }

    @Test func joinsUnderTheRoot() throws {
        #expect(try RequestPath(target: "/a/b").joined(under: "/srv") == "/srv/a/b")
        #expect(try RequestPath(target: "/").joined(under: "/srv") == "/srv")
    }

    @Test func confinementChecksWholeSegments() {
        #expect(PathConfinement.contains(root: "/srv/www", resolved: "/srv/www"))
        #expect(PathConfinement.contains(root: "/srv/www", resolved: "/srv/www/a"))
        #expect(!PathConfinement.contains(root: "/srv/www", resolved: "/srv/www2/a"))
        #expect(!PathConfinement.contains(root: "/srv/www", resolved: "/etc/passwd"))
        #expect(PathConfinement.contains(root: "/", resolved: "/etc"))
    }
}
