// The stack's timer queue for connections: a binary min-heap of slot indices keyed by each
// slot's next deadline, with each slot's position kept so a deadline moves in O(log n).
// `nextDeadline` reads the top in O(1); timer processing touches only due slots. Storage is
// allocated once, for every slot of the table it serves.

/// Deadlines of up to `capacity` slots (indices `0..<capacity`), earliest first.
struct DeadlineHeap {
    /// Slot indices in heap order.
    private var heap: [Int32]
    /// Each slot's deadline (meaningful while queued).
    private var deadlines: [Instant]
    /// Each slot's position in `heap`, or -1 when it has no deadline.
    private var positions: [Int32]
    private(set) var count = 0

    init(capacity: Int) {
        heap = Array(repeating: 0, count: max(capacity, 1))
        deadlines = Array(repeating: .zero, count: max(capacity, 1))
        positions = Array(repeating: -1, count: max(capacity, 1))
    }

    var isEmpty: Bool { count == 0 }

    /// The earliest deadline and its slot.
    var first: (slot: Int, deadline: Instant)? {
        guard count > 0 else { return nil }
        let slot = Int(heap[0])
        return (slot, deadlines[slot])
    }

    /// The slot's deadline, if queued.
    func deadline(of slot: Int) -> Instant? { positions[slot] >= 0 ? deadlines[slot] : nil }

    /// Sets (nil: removes) the deadline of `slot`.
    mutating func set(_ slot: Int, to deadline: Instant?) {
        guard let deadline else {
            remove(slot)
            return
        }
        let position = Int(positions[slot])
        if position < 0 {
            deadlines[slot] = deadline
            heap[count] = Int32(slot)
            positions[slot] = Int32(count)
            count += 1
            siftUp(count - 1)
            return
        }
        let earlier = deadline < deadlines[slot]
        deadlines[slot] = deadline
        if earlier { siftUp(position) } else { siftDown(position) }
    }

    /// Removes the slot's deadline, if any.
    mutating func remove(_ slot: Int) {
        let position = Int(positions[slot])
        guard position >= 0 else { return }
        count -= 1
        positions[slot] = -1
        guard position != count else { return }
        let last = Int(heap[count])
        heap[position] = Int32(last)
        positions[last] = Int32(position)
        siftUp(position)
        siftDown(Int(positions[last]))
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard deadlines[Int(heap[child])] < deadlines[Int(heap[parent])] else { return }
            swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < count else { return }
            var smallest = left
            let right = left + 1
            if right < count, deadlines[Int(heap[right])] < deadlines[Int(heap[left])] { smallest = right }
            guard deadlines[Int(heap[smallest])] < deadlines[Int(heap[parent])] else { return }
            swapAt(parent, smallest)
            parent = smallest
        }
    }

    private mutating func swapAt(_ a: Int, _ b: Int) {
        heap.swapAt(a, b)
        positions[Int(heap[a])] = Int32(a)
        positions[Int(heap[b])] = Int32(b)
    }
}
