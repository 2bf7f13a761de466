// A bounded queue of things to release at given times, earliest first and, at equal times,
// in the order they were added: where delayed and reordered packets wait.

/// A min-heap of `(release time, insertion order, element)` with a fixed capacity: storage
/// is reserved once, so insertion and removal never allocate (for elements that do not).
public struct TimedReleaseQueue<Element> {
    fileprivate struct Entry {
        var releaseAt: UInt64
        var order: UInt64
        var element: Element

        func precedes(_ other: Entry) -> Bool {
            releaseAt != other.releaseAt ? releaseAt < other.releaseAt : order < other.order
        }
    }

    private var heap: [Entry] = []
    private var nextOrder: UInt64 = 0
    /// Most entries it holds.
    public let capacity: Int

    public init(capacity: Int) {
        precondition(capacity > 0, "a release queue needs room")
        self.capacity = capacity
        heap.reserveCapacity(capacity)
    }

    public var count: Int { heap.count }
    public var isEmpty: Bool { heap.isEmpty }
    public var isFull: Bool { heap.count == capacity }
    /// When the earliest entry is due; nil when empty.
    public var nextRelease: UInt64? { heap.first?.releaseAt }

    /// Adds `element` for release at `releaseAt`; false (and nothing added) when full.
    @discardableResult
    public mutating func insert(_ element: Element, releaseAt: UInt64) -> Bool {
        guard heap.count < capacity else { return false }
        heap.append(Entry(releaseAt: releaseAt, order: nextOrder, element: element))
        nextOrder &+= 1
        siftUp(heap.count - 1)
        return true
    }

    /// Removes and returns the earliest element due at or before `now`.
    public mutating func popDue(now: UInt64) -> Element? {
        guard let first = heap.first, first.releaseAt <= now else { return nil }
        let last = heap.removeLast()
        if !heap.isEmpty {
            heap[0] = last
            siftDown(0)
        }
        return first.element
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            if left + 1 < heap.count, heap[left + 1].precedes(heap[left]) { smallest = left + 1 }
            guard heap[smallest].precedes(heap[parent]) else { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}

extension TimedReleaseQueue: Sendable where Element: Sendable {}
extension TimedReleaseQueue.Entry: Sendable where Element: Sendable {}
