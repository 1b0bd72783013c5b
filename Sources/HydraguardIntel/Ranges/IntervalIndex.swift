/// Sorted, disjoint intervals over an unsigned key space, each with an owner, found by a bucket on the
/// key's top 16 bits and then a binary search within the bucket: a lookup touches a few cache lines
/// instead of the ~20 of a plain binary search over a large table.
struct IntervalIndex<Key: FixedWidthInteger & UnsignedInteger & Sendable>: Sendable {
    /// Interval starts, ascending, `starts[0] == 0`; interval `i` runs to `starts[i + 1] - 1`.
    private let starts: [Key]
    private let owners: [Int32]
    /// For bucket `b`, the index of the interval holding the bucket's first key; one more entry at the end.
    private let buckets: [Int32]
    private let shift: Int

    /// `starts` must be ascending and begin with 0; `owners` must be as long.
    init(starts: [Key], owners: [Int32]) {
        precondition(starts.first == 0 && starts.count == owners.count)
        self.starts = starts
        self.owners = owners
        shift = Key.bitWidth - 16
        var buckets = [Int32](repeating: 0, count: 65_537)
        var j = 0
        for b in 0..<65_536 {
            let first = Key(b) << shift
            while j + 1 < starts.count, starts[j + 1] <= first { j += 1 }
            buckets[b] = Int32(j)
        }
        buckets[65_536] = Int32(starts.count - 1)
        self.buckets = buckets
    }

    var count: Int { starts.count }

    /// The owner of the interval holding `key`.
    @inline(__always) func owner(_ key: Key) -> Int32 {
        let b = Int(key >> shift)
        var low = Int(buckets[b])
        var high = Int(buckets[b + 1]) + 1
        starts.withUnsafeBufferPointer { s in
            while high - low > 1 {
                let mid = (low + high) >> 1
                if s[mid] <= key { low = mid } else { high = mid }
            }
        }
        return owners[low]
    }
}
