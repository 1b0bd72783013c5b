extension MMDBReader {
    /// Every network of one family that the database holds data for, down to `maxPrefixLength` bits (in the
    /// family's own terms, `/24` for IPv4), with the offset of its record; networks more specific than that
    /// are left out. A depth-first walk of the search tree, in address order.
    ///
    /// In an IPv6 database the IPv6 walk skips the subtrees that alias the IPv4 space (`::/96`,
    /// `::ffff:0:0/96`, `2002::/16`), so no IPv4 network appears twice.
    ///
    /// ```swift
    /// let db = try MMDBReader(path: "dbip-country-lite.mmdb")
    /// for (network, offset) in db.networks(ipv4: true, maxPrefixLength: 24) {
    ///     print(network, try db.countryCode(atOffset: offset) ?? "-")
    /// }
    /// ```
    public func networks(ipv4: Bool, maxPrefixLength: Int) -> [(network: IPNetwork, offset: Int)] {
        if !ipv4 && metadata.ipVersion != 6 { return [] }
        let familyBits = ipv4 ? 32 : 128
        let limit = min(max(0, maxPrefixLength), familyBits)
        let nodeCount = self.nodeCount
        let size = recordSize
        let base = dataStart - 16 - nodeCount
        let start = ipv4 ? ipv4Start : 0
        var found: [(network: IPNetwork, offset: Int)] = []
        bytes.withUnsafeBufferPointer { b in
            // (node, depth, the path's bits so far, left-aligned in 128 bits)
            var stack: [(Int, Int, UInt128)] = [(start, 0, 0)]
            while let (node, depth, path) = stack.popLast() {
                if node == nodeCount { continue }  // no data
                if node > nodeCount {
                    let offset = node + base
                    guard offset >= dataStart, offset < dataEnd else { continue }
                    let value = ipv4 ? IPAddress.ipv4Prefix | (path >> 96) : path
                    let address = IPAddress(value: value)
                    found.append((IPNetwork(address: address, prefixLength: depth), offset))
                    continue
                }
                if depth >= limit { continue }
                // The IPv4 subtree reached again from the IPv6 side is an alias.
                if !ipv4, depth > 0, node == ipv4Start, metadata.ipVersion == 6 { continue }
                let bit = UInt128(1) << (127 - depth)
                // Right first, so that the left child is popped first (address order).
                stack.append((Self.record(in: b, node: node, right: true, size: size), depth + 1, path | bit))
                stack.append((Self.record(in: b, node: node, right: false, size: size), depth + 1, path))
            }
        }
        return found
    }
}
