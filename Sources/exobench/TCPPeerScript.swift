// The Linux side of tcp-bulk and tcp-rr: a small Python socket tool run in a namespace (the
// peer's, the vde receiver's) or on the kernel path's root end. Written into the run's
// directory at set-up; every mode prints one `result key=value ...` line, servers `ready` first.

import Foundation

enum TCPPeerScript {
    static let fileName = "tcp-peer.py"

    /// Writes the script into `directory` and returns its path.
    static func install(in directory: String) throws -> String {
        let path = directory + "/" + fileName
        try source.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Modes: `sink` reads to the end of stream (bytes, seconds from the first byte to the
    /// end); `source` sends zeros for SECONDS, then FIN and waits for the peer's; `rr-server`
    /// answers every byte with one byte and closes after an answer to b"c" (so the server,
    /// not the measured client, keeps TIME_WAIT); `rr` and `cps` are its clients: 1-byte
    /// transactions on one connection, or connect + one transaction + close, for SECONDS.
    static let source = #"""
        import socket, sys, time
        mode, role, host, port, seconds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
        def out(line):
            print(line, flush=True)
        def nodelay(s):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        def one(listener):
            if listener is None:
                s = socket.create_connection((host, port), timeout=30)
                return s
            s, _ = listener.accept()
            return s
        def sink(s):
            buf = bytearray(1 << 20)
            view = memoryview(buf)
            total, first = 0, None
            while True:
                n = s.recv_into(view)
                if n == 0:
                    break
                if first is None:
                    first = time.monotonic()
                total += n
            end = time.monotonic()
            out("result bytes=%d seconds=%.6f" % (total, (end - first) if first else 0.0))
        def source(s):
            chunk = bytes(256 * 1024)
            total, start = 0, time.monotonic()
            deadline = start + seconds
            while time.monotonic() < deadline:
                s.sendall(chunk)
                total += len(chunk)
            s.shutdown(socket.SHUT_WR)
            while s.recv(65536):
                pass
            out("result bytes=%d seconds=%.6f" % (total, time.monotonic() - start))
        def serve_rr(listener):
            while True:
                s, _ = listener.accept()
                nodelay(s)
                while True:
                    b = s.recv(1)
                    if not b:
                        break
                    s.sendall(b)
                    if b == b"c":
                        break
                s.close()
        def rr():
            s = socket.create_connection((host, port), timeout=30)
            nodelay(s)
            count, start = 0, time.monotonic()
            deadline = start + seconds
            while time.monotonic() < deadline:
                s.sendall(b"r")
                if s.recv(1) != b"r":
                    raise SystemExit("rr: short answer")
                count += 1
            s.close()
            out("result transactions=%d seconds=%.6f" % (count, time.monotonic() - start))
        def cps():
            count, start = 0, time.monotonic()
            deadline = start + seconds
            while time.monotonic() < deadline:
                s = socket.create_connection((host, port), timeout=30)
                nodelay(s)
                s.sendall(b"c")
                if s.recv(1) != b"c" or s.recv(1) != b"":
                    raise SystemExit("cps: bad answer")
                s.close()
                count += 1
            out("result connections=%d seconds=%.6f" % (count, time.monotonic() - start))
        listener = None
        if role == "server":
            listener = socket.socket()
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((host, port))
            listener.listen(64)
            out("tcp-peer: ready")
        if mode == "sink":
            sink(one(listener))
        elif mode == "source":
            source(one(listener))
        elif mode == "rr-server":
            serve_rr(listener)
        elif mode == "rr":
            rr()
        elif mode == "cps":
            cps()
        else:
            raise SystemExit("unknown mode " + mode)
        """#
}
