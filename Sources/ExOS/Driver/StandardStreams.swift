// Standard input and output for library-OS applications, so that `import ExOS` is all a
// program needs: lines to stdout and stderr written whole, raw bytes to stdout, and stdin
// as an async sequence of chunks read by a thread of its own (never a cooperative one).

import ExoPlatform
import Foundation

/// The process's standard streams.
public enum StandardStreams {
    /// Writes `line` (and a newline) to standard output in one write.
    public static func print(_ line: String) { Console.out(line) }

    /// Writes `line` (and a newline) to standard error in one write.
    public static func printError(_ line: String) { Console.error(line) }

    /// Writes `bytes` to standard output as they are.
    public static func write(_ bytes: [UInt8]) { Console.write(bytes) }

    /// Standard input in chunks of at most `maximum` bytes, as they arrive; finishes at end
    /// of input. A thread blocks in read(2) for it and reads at most 8 chunks ahead of the
    /// consumer (back-pressure, not growth). Call once per process.
    public static func inputChunks(maximum: Int = 65_507) -> InputChunks {
        let credits = DispatchSemaphore(value: 8)
        let (stream, continuation) = AsyncStream.makeStream(of: [UInt8].self)
        let thread = Thread {
            while true {
                credits.wait()
                guard let chunk = Console.readInput(maximum: maximum) else { break }
                continuation.yield(chunk)
            }
            continuation.finish()
        }
        thread.name = "exos-stdin"
        thread.start()
        return InputChunks(stream: stream, credits: credits)
    }
}

/// Standard input as an async sequence of byte chunks (see `StandardStreams.inputChunks`).
public struct InputChunks: AsyncSequence, Sendable {
    let stream: AsyncStream<[UInt8]>
    let credits: DispatchSemaphore

    public struct AsyncIterator: AsyncIteratorProtocol {
        var base: AsyncStream<[UInt8]>.AsyncIterator
        let credits: DispatchSemaphore

        /// The next chunk; taking it lets the reader read one more.
        public mutating func next() async -> [UInt8]? {
            let chunk = await base.next()
            if chunk != nil { credits.signal() }
            return chunk
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(base: stream.makeAsyncIterator(), credits: credits)
    }
}
