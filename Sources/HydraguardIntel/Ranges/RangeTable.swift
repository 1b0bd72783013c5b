/// A lookup table over range lists where overlapping ranges resolve to the most specific one.
///
/// At build time the ranges are flattened into sorted, disjoint intervals (each remembers the most
/// specific range covering it), kept as one table for IPv4 (32-bit keys) and one for the whole 128-bit
/// space, each with a bucket index on the top 16 bits; a lookup is a short binary search within a bucket.
/// Ranges listed twice with the same network: the later one wins.
///
/// ```swift
/// let table = RangeTable([
///     RangeEntry(network: try IPNetwork(parsing: "10.0.0.0/8"), kind: .business, provider: "Corp"),
///     RangeEntry(network: try IPNetwork(parsing: "10.1.0.0/16"), kind: .vpn, provider: "CorpVPN"),
/// ])
/// table.lookup(IPAddress("10.1.2.3")!)?.kind  // .vpn (the /16 is more specific)
/// table.lookup(IPAddress("10.2.0.1")!)?.kind  // .business
/// table.lookup(IPAddress("11.0.0.1")!)        // nil
/// ```
public struct RangeTable: Sendable {
    /// Intervals over the whole space, owned by an index in `entries` or -1.
    private let all: IntervalIndex<UInt128>
    /// The same intervals within the IPv4 space, keyed by the 32-bit address.
    private let ipv4: IntervalIndex<UInt32>
    /// The ranges as given (after removing exact duplicates).
    public let entries: [RangeEntry]

    /// An empty table.
    public init() { self.init([]) }

    public init(_ ranges: [RangeEntry]) {
        // Order: by first address, then the wider network first, then by position (later wins).
        let order = ranges.indices.sorted { a, b in
            let x = ranges[a].network
            let y = ranges[b].network
            if x.address != y.address { return x.address < y.address }
            if x.bits != y.bits { return x.bits < y.bits }
            return a < b
        }
        var starts: [UInt128] = [0]
        var owners: [Int32] = [-1]
        func set(_ start: UInt128, _ owner: Int32) {
            if starts[starts.count - 1] == start {
                owners[owners.count - 1] = owner
                if owners.count >= 2, owners[owners.count - 2] == owner {
                    starts.removeLast()
                    owners.removeLast()
                }
            } else if owners[owners.count - 1] != owner {
                starts.append(start)
                owners.append(owner)
            }
        }
        var stack: [(end: UInt128, owner: Int32)] = []
        func pop() {
            let top = stack.removeLast()
            if top.end != UInt128.max { set(top.end + 1, stack.last?.owner ?? -1) }
        }
        for index in order {
            let network = ranges[index].network
            while let top = stack.last, top.end < network.address.value { pop() }
            stack.append((network.last.value, Int32(index)))
            set(network.address.value, Int32(index))
        }
        while !stack.isEmpty { pop() }
        self.all = IntervalIndex(starts: starts, owners: owners)
        // The IPv4 space, ::ffff:0:0 to ::ffff:ffff:ffff, cut out of the whole.
        let low = IPAddress.ipv4Prefix
        let high = low | 0xffff_ffff
        var v4Starts: [UInt32] = [0]
        var v4Owners: [Int32] = [-1]
        for (start, owner) in zip(starts, owners) {
            if start <= low {
                v4Owners[0] = owner
            } else if start <= high {
                v4Starts.append(UInt32(truncatingIfNeeded: start))
                v4Owners.append(owner)
            } else {
                break
            }
        }
        self.ipv4 = IntervalIndex(starts: v4Starts, owners: v4Owners)
        self.entries = ranges
    }

    /// Reads and merges range list files.
    public init(paths: [String]) throws(IntelError) {
        var all: [RangeEntry] = []
        for path in paths { all += try RangeList.read(path: path) }
        self.init(all)
    }

    /// How many disjoint intervals the ranges flattened into (gaps included).
    public var intervalCount: Int { all.count }

    /// The most specific range containing `ip`, or nil.
    @inlinable public func lookup(_ ip: IPAddress) -> RangeEntry? {
        let owner = ownerIndex(ip.value)
        return owner < 0 ? nil : entries[owner]
    }

    @usableFromInline func ownerIndex(_ value: UInt128) -> Int {
        if value >> 32 == 0xffff { return Int(ipv4.owner(UInt32(truncatingIfNeeded: value))) }
        return Int(all.owner(value))
    }
}
