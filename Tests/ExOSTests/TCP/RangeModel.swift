// The reference model the assembler and scoreboard tests compare against: a plain set of
// byte offsets, and the maximal runs of consecutive offsets in it.

/// The maximal runs of consecutive integers in `offsets`, lowest first, end exclusive.
func runs(of offsets: Set<Int>) -> [(start: Int, end: Int)] {
    var result: [(start: Int, end: Int)] = []
    for offset in offsets.sorted() {
        if let last = result.last, last.end == offset {
            result[result.count - 1].end = offset + 1
        } else {
            result.append((offset, offset + 1))
        }
    }
    return result
}
