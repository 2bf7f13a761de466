// exo-testclient: a scriptable tenant for the integration tests. It drops to a given uid,
// then reads one command per line on stdin and answers one line on stdout, so a test can
// interleave the moves of several distrustful tenants and check every answer.
//
// It speaks the control protocol directly (ExoWire + ExoPlatform), not through ExOS, so that
// it can keep the descriptors it receives and try what a hostile tenant would try with them.

import ExoPlatform
import ExoWire
import Glibc

@main
struct TestClient {
    static func main() {
        var arguments = CommandLine.arguments.dropFirst()
        var socketPath = ""
        var uid: UInt32?
        while let flag = arguments.popFirst() {
            switch flag {
            case "--socket": socketPath = arguments.popFirst() ?? ""
            case "--uid": uid = arguments.popFirst().flatMap { UInt32($0) }
            default: fatal("unknown argument \(flag)")
            }
        }
        if let uid {
            do { try Privileges.drop(toUID: uid, gid: uid) } catch { fatal("cannot drop privileges: \(error)") }
        }
        let client = ScriptedTenant(socketPath: socketPath)
        while let line = readLine() {
            let words = line.split(separator: " ").map(String.init)
            guard let command = words.first else { continue }
            if command == "quit" { break }
            let answer = client.run(command, Array(words.dropFirst()))
            emit(answer)
        }
    }

    static func emit(_ line: String) { Console.out(line) }

    static func fatal(_ message: String) -> Never {
        emit("fatal \(message)")
        exit(2)
    }
}
