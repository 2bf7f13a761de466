// httpd (clients/httpd) behind the real daemon, on both NIC backends, with the Linux kernel's
// curl and nc as its clients: a 50 MB file arrives with its SHA-256 (also through 2% loss, 1%
// duplication and reordering), ranges get their bytes,
// HEAD has the length and no body, the error statuses (404, 405, 400 for a bad request line,
// a too-long head and a `..` path; 404 for a directory and a symlink out of the root),
// keep-alive reuses one connection (and pipelined requests are answered in order), 200
// concurrent curls all get the right bytes, and an idle client is reset and frees its slot.

import Foundation
import Testing

@Suite(.serialized, .enabled(if: getuid() == 0, "needs root for TAP devices, namespaces and tenant uids"))
struct HTTPDTests {
    /// A served directory in the daemon's directory, readable by alice: `big.bin` (50 MB of
    /// random bytes) when `big`, `small.bin` (10 KB), `hello.txt`, a directory `sub/`, a
    /// directory `site/` with an `index.html`, and a
    /// symlink `escape` to the daemon's log, outside the root.
    static func makeRoot(_ daemon: DaemonHarness, big: Bool = false) throws -> String {
        let root = daemon.directory + "/www"
        let script = """
            set -e; mkdir -p "$0/sub" "$0/site"; printf 'hello, world\\n' > "$0/hello.txt"; printf '<p>home</p>' > "$0/site/index.html"
            head -c 10240 /dev/urandom > "$0/small.bin"
            [ "$1" = big ] && head -c 52428800 /dev/urandom > "$0/big.bin"
            ln -s "$2" "$0/escape"; chmod -R a+rX "$0"
            """
        let made = try runCommand("/bin/sh", ["-c", script, root, big ? "big" : "small", daemon.logPath], timeout: 30)
        guard made.status == 0 else { throw HarnessError("root: \(made.stderr)") }
        return root
    }

    /// alice's httpd on `.2` port 8080, as uid alice, with `extra` options.
    static func startHTTPD(_ net: any TestNet, _ daemon: DaemonHarness, root: String, _ extra: [String] = []) throws -> StartedClient {
        try StartedClient(
            "httpd",
            ["--tenant", "alice", "--socket", daemon.socketPath, "--as-uid", String(TestUIDs.alice),
             "--address", net.address(2), "--port", "8080", "--root", root, "--quiet"] + extra,
            until: "serving", in: daemon.directory)
    }

    /// Runs `body` with alice's httpd serving a fresh root (`makeRoot`) on `backend`, with
    /// `options` added, and removes the daemon, the link and everything they made after it.
    static func serving(
        _ backend: Backend, prefix: String, big: Bool = false, options: [String] = [],
        _ body: (any TestNet, DaemonHarness, String) throws -> Void
    ) throws {
        let net = try backend.net(second: 98, prefix: prefix)
        defer { net.remove() }
        let daemon = try net.daemon(quota: 256)
        defer { daemon.stop() }
        let root = try makeRoot(daemon, big: big)
        let httpd = try startHTTPD(net, daemon, root: root, options)
        defer { httpd.stop() }
        try body(net, daemon, root)
    }

    /// Runs `script` where the kernel is, with `$0` the server's address and `$1` the root.
    static func client(_ net: any TestNet, _ root: String, _ script: String, timeout: TimeInterval = 60) throws -> CommandResult {
        try net.peerCommand("/bin/sh", ["-c", script, net.address(2), root], timeout: timeout)
    }

    static func sha256(_ path: String) throws -> String {
        try runCommand("/bin/sh", ["-c", "sha256sum < \"$0\" | cut -d' ' -f1", path], timeout: 30).stdout
    }

    @Test(arguments: Backend.allCases)
    func fiftyMegabytesArriveWithTheirSHA256AndRangesGetTheirBytes(_ backend: Backend) throws {
        try Self.serving(backend, prefix: "exhdf", big: true) { net, daemon, root in
            let download = try Self.client(net, root, """
                f=$(mktemp); timeout 100 curl -sS --max-time 90 -o "$f" -w '%{http_code} %{size_download}\\n' "http://$0:8080/big.bin"
                sha256sum < "$f" | cut -d' ' -f1; rm -f "$f"
                """, timeout: 110)
            #expect(download.stdout == "200 52428800\n" + (try Self.sha256(root + "/big.bin")), "\(download.stderr)\n\(daemon.log)")
            // Each range against the same bytes cut from the file by tail and head.
            let ranges = try Self.client(net, root, """
                check() {  # $1: curl's range, $2: the expected bytes' command
                    got=$(timeout 30 curl -sS --max-time 20 -r "$1" -w '%{http_code}' -o /tmp/range.$$ "http://$3:8080/big.bin")
                    if sh -c "$2" < "$4/big.bin" | cmp -s - /tmp/range.$$; then echo "$1 $got same"; else echo "$1 $got differ"; fi
                    rm -f /tmp/range.$$
                }
                check 1000-1999 'tail -c +1001 | head -c 1000' "$0" "$1"
                check 52428000- 'tail -c +52428001' "$0" "$1"
                check -500 'tail -c 500' "$0" "$1"
                check 0-0 'head -c 1' "$0" "$1"
                check 52428799-99999999 'tail -c 1' "$0" "$1"
                timeout 30 curl -sS --max-time 20 -r 52428800- -o /dev/null -w '%{http_code}\\n' "http://$0:8080/big.bin"
                """)
            #expect(ranges.stdout == """
                1000-1999 206 same
                52428000- 206 same
                -500 206 same
                0-0 206 same
                52428799-99999999 206 same
                416

                """, "\(ranges.stderr)\n\(daemon.log)")
        }
    }

    @Test(arguments: Backend.allCases)
    func fiftyMegabytesArriveWholeThroughLossDuplicationAndReordering(_ backend: Backend) throws {
        try Self.serving(backend, prefix: "exhdl", big: true) { net, daemon, root in
            _ = try DataPathTests.exoctl(daemon, [
                "impair", "--tenant", "alice", "--loss", "2%", "--duplicate", "1%", "--reorder", "1%", "--seed", "12",
            ])
            let download = try Self.client(net, root, """
                f=$(mktemp); timeout 230 curl -sS --max-time 220 -o "$f" -w '%{http_code} %{size_download}\\n' "http://$0:8080/big.bin"
                sha256sum < "$f" | cut -d' ' -f1
                tail -c +1001 "$1/big.bin" | head -c 1000 > "$f"
                timeout 30 curl -sS --max-time 20 -r 1000-1999 "http://$0:8080/big.bin" | cmp -s - "$f" && echo range same; rm -f "$f"
                """, timeout: 260)
            #expect(download.stdout == "200 52428800\n" + (try Self.sha256(root + "/big.bin")) + "range same\n",
                    "\(download.stderr)\n\(daemon.log)")
            let stats = try DataPathTests.exoctl(daemon, ["stats"])
            #expect(stats.contains("tx.impair.lostRandom") && stats.contains("rx.impair.lostRandom"), "\(stats)")
        }
    }

    @Test(arguments: Backend.allCases)
    func headAndTheErrorStatuses(_ backend: Backend) throws {
        try Self.serving(backend, prefix: "exhde") { net, daemon, root in
            // HTTP/1.0 HEAD through nc: the raw answer ends with the head's blank line (no body).
            let head = try Self.client(net, root, "printf 'HEAD /hello.txt HTTP/1.0\\r\\n\\r\\n' | timeout 10 nc -N \"$0\" 8080")
            #expect(head.stdout.hasPrefix("HTTP/1.1 200 OK\r\n"), "\(head.stdout)\(head.stderr)")
            #expect(head.stdout.contains("\r\nContent-Length: 13\r\n"), "\(head.stdout)")
            #expect(head.stdout.contains("\r\nContent-Type: text/plain; charset=utf-8\r\n"), "\(head.stdout)")
            #expect(head.stdout.hasSuffix("\r\n\r\n"), "\(head.stdout)")
            let statuses = try Self.client(net, root, """
                code() { timeout 10 curl -s --max-time 5 -o /dev/null -w '%{http_code}\\n' "$@"; }
                code "http://$0:8080/hello.txt"
                code "http://$0:8080/missing"
                code "http://$0:8080/sub/"
                timeout 10 curl -s --max-time 5 -w ' %{http_code} %{content_type}\\n' "http://$0:8080/site/"
                code "http://$0:8080/escape"
                code --path-as-is "http://$0:8080/sub/../../daemon.log"
                code --path-as-is "http://$0:8080/%2e%2e/daemon.log"
                code -X DELETE "http://$0:8080/hello.txt"
                timeout 10 curl -s --max-time 5 -o /dev/null -D - -X POST -d x "http://$0:8080/hello.txt" | grep -i '^allow:' | tr -d '\\r'
                """)
            #expect(statuses.stdout == "200\n404\n404\n<p>home</p> 200 text/html; charset=utf-8\n404\n400\n400\n405\nAllow: GET, HEAD\n",
                    "\(statuses.stderr)\n\(daemon.log)")
            // Malformed heads through nc: a bad request line, a head longer than 8 KiB, HTTP/2.0.
            let malformed = try Self.client(net, root, """
                printf 'BOGUS\\r\\n\\r\\n' | timeout 10 nc -N "$0" 8080 | head -1 | tr -d '\\r'
                { printf 'GET / HTTP/1.1\\r\\nHost: h\\r\\nX: '; head -c 9000 /dev/zero | tr '\\0' a; printf '\\r\\n\\r\\n'; } \\
                    | timeout 10 nc -N "$0" 8080 | head -1 | tr -d '\\r'
                printf 'GET /hello.txt HTTP/2.0\\r\\nHost: h\\r\\n\\r\\n' | timeout 10 nc -N "$0" 8080 | head -1 | tr -d '\\r'
                """)
            #expect(malformed.stdout == "HTTP/1.1 400 Bad Request\nHTTP/1.1 400 Bad Request\nHTTP/1.1 505 HTTP Version Not Supported\n",
                    "\(malformed.stderr)\n\(daemon.log)")
        }
    }

    @Test(arguments: Backend.allCases)
    func keepAliveReusesOneConnectionUnlessAskedToClose(_ backend: Backend) throws {
        try Self.serving(backend, prefix: "exhdk") { net, daemon, root in
            // %{num_connects}: 1 for a transfer that opened a connection, 0 for one that reused it.
            let connects = try Self.client(net, root, """
                twice() { timeout 20 curl -sS --max-time 10 -o /dev/null -o /dev/null -w '%{num_connects} ' "$@" "http://$0:8080/small.bin" "http://$0:8080/small.bin"; echo; }
                twice
                twice -0
                twice -H 'Connection: close'
                twice -0 -H 'Connection: keep-alive'
                """)
            #expect(connects.stdout == "1 0 \n1 1 \n1 1 \n1 0 \n", "\(connects.stderr)\n\(daemon.log)")
            let verbose = try Self.client(net, root, """
                timeout 20 curl -sv --max-time 10 -o /dev/null -o /dev/null "http://$0:8080/hello.txt" "http://$0:8080/hello.txt" 2>&1 \\
                    | grep -c 'Re-using existing connection'
                """)
            #expect(verbose.stdout == "1\n", "\(verbose.stdout)\(verbose.stderr)")
            // Pipelined requests in one write are answered in order; the last one's close ends it.
            let pipelined = try Self.client(net, root, """
                printf 'GET /hello.txt HTTP/1.1\\r\\nHost: h\\r\\n\\r\\nHEAD /missing HTTP/1.1\\r\\nHost: h\\r\\n\\r\\nGET /hello.txt HTTP/1.1\\r\\nHost: h\\r\\nConnection: close\\r\\n\\r\\n' \\
                    | timeout 10 nc -N "$0" 8080 | tr -d '\\r'
                """)
            #expect(pipelined.stdout.components(separatedBy: "\n").filter { $0.hasPrefix("HTTP/") || $0.hasPrefix("hello") } == [
                "HTTP/1.1 200 OK", "hello, world", "HTTP/1.1 404 Not Found", "HTTP/1.1 200 OK", "hello, world",
            ], "\(pipelined.stdout)\(pipelined.stderr)")
        }
    }

    @Test(arguments: Backend.allCases)
    func twoHundredConcurrentCurlsAllGetTheRightBytes(_ backend: Backend) throws {
        try Self.serving(backend, prefix: "exhdc") { net, daemon, root in
            // xargs, not `&` and `wait`: under the test runner a shell's `wait` never sees its
            // children end (they stay zombies), while xargs waits for each one itself.
            let result = try Self.client(net, root, """
                d=$(mktemp -d); want=$(sha256sum < "$1/small.bin")
                seq 1 200 | xargs -P 200 -I @@ timeout 40 curl -sS --max-time 30 -o "$d/@@" "http://$0:8080/small.bin" 2>"$d/errors"
                ok=0; for i in $(seq 1 200); do [ "$(sha256sum < "$d/$i")" = "$want" ] && ok=$((ok+1)); done
                echo "$ok of 200"; sort "$d/errors" | uniq -c | head -5 >&2; rm -rf "$d"
                """, timeout: 90)
            #expect(result.stdout == "200 of 200\n", "\(result.stdout)\(result.stderr)\n\(daemon.log)")
        }
    }

    @Test(arguments: Backend.allCases)
    func anIdleClientIsResetAndFreesItsSlot(_ backend: Backend) throws {
        try Self.serving(backend, prefix: "exhdi", options: ["--idle-timeout", "1", "--max-connections", "1"]) { net, daemon, root in
            // One slot: a client that connects and sends nothing holds it until the reset (1 s,
            // checked every 0.5 s); nc then ends long before its stdin would, and the next
            // request gets the slot.
            let result = try Self.client(net, root, """
                t=$(mktemp); s=$(date +%s%N)
                sleep 5 | { timeout 10 nc "$0" 8080; date +%s%N > "$t"; }
                ms=$(( ($(cat "$t") - s) / 1000000 )); rm -f "$t"
                [ $ms -lt 3500 ] && echo reset early || echo "held $ms ms"
                timeout 10 curl -sS --max-time 5 -o /dev/null -w '%{http_code}\\n' "http://$0:8080/hello.txt"
                """)
            #expect(result.stdout == "reset early\n200\n", "\(result.stdout)\(result.stderr)\n\(daemon.log)")
        }
    }
}
