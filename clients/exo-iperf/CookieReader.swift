// The first 37 bytes of every connection: iperf3's client sends its test's cookie first on
// the control connection and on each stream, and nothing more until the server answers, so
// reading exactly that many never takes a byte of what follows.

import ExOS
import IperfCore

enum CookieReader {
    /// How long a new connection may take to send its cookie.
    static let timeLimit: Duration = .seconds(10)

    /// The cookie, or nil (the connection is then reset) when the peer closed first, failed,
    /// or took longer than `timeLimit`.
    static func read(from connection: TCPConnection) async -> TestCookie? {
        let deadline = Task {
            if (try? await Task.sleep(for: timeLimit)) != nil { connection.abort() }
        }
        defer { deadline.cancel() }
        var bytes: [UInt8] = []
        while bytes.count < TestCookie.length {
            guard let more = try? await connection.read(maximumLength: TestCookie.length - bytes.count), !more.isEmpty else {
                connection.abort()
                return nil
            }
            bytes += more
        }
        return TestCookie(bytes)
    }
}
