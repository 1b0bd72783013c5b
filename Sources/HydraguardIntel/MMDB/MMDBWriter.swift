/// Writes MaxMind DB files: an IPv6 search tree whose IPv4 subtree sits at `::/96` and is aliased from
/// `::ffff:0:0/96` (so both `1.2.3.4` and `::ffff:1.2.3.4` find it), the data section with each distinct
/// record stored once, and the metadata map. Used by the simulator for its synthetic address space and by
/// tests for fixtures; `mmdblookup` and libmaxminddb read its files.
///
/// Where networks overlap, the most specific wins (like ``RangeTable``); the same network inserted twice
/// keeps the later record.
///
/// ```swift
/// var writer = MMDBWriter(databaseType: "GeoLite2-Country", description: "synthetic countries")
/// writer.insert(try IPNetwork(parsing: "8.8.8.0/24"), ["country": ["iso_code": "US"]])
/// writer.insert(try IPNetwork(parsing: "2001:db8::/32"), ["country": ["iso_code": "DE"]])
/// try writer.write(to: "country.mmdb")
/// ```
public struct MMDBWriter: Sendable {
    public var databaseType: String
    public var description: String
    public var languages: [String]
    /// 24, 28 or 32; nil picks the smallest that fits.
    public var recordSize: Int?
    /// Seconds since 1970 written as `build_epoch`: fixed by default (2026-01-01), so output is
    /// reproducible; libmaxminddb refuses 0.
    public var buildEpoch: UInt64
    private var entries: [(network: IPNetwork, value: MMDBValue)] = []

    public init(
        databaseType: String,
        description: String,
        languages: [String] = ["en"],
        recordSize: Int? = nil,
        buildEpoch: UInt64 = 1_767_225_600
    ) {
        self.databaseType = databaseType
        self.description = description
        self.languages = languages
        self.recordSize = recordSize
        self.buildEpoch = buildEpoch
    }

    /// Adds a network and its record.
    public mutating func insert(_ network: IPNetwork, _ value: MMDBValue) {
        entries.append((network, value))
    }

    /// How many networks were inserted.
    public var count: Int { entries.count }

    private enum Ref: Hashable {
        case empty
        case node(Int)
        case data(Int)
    }

    /// The database file's bytes.
    public func build() throws(IntelError) -> [UInt8] {
        // Values, each stored once.
        var valueIndex: [MMDBValue: Int] = [:]
        var values: [MMDBValue] = []
        var nodes: [(Ref, Ref)] = [(.empty, .empty)]
        func child(_ node: Int, _ right: Bool) -> Ref { right ? nodes[node].1 : nodes[node].0 }
        func setChild(_ node: Int, _ right: Bool, _ ref: Ref) {
            if right { nodes[node].1 = ref } else { nodes[node].0 = ref }
        }
        /// Walks `depth` bits of `path` from the root, creating nodes (and pushing data down) on the way.
        func walk(_ path: UInt128, depth: Int) -> Int {
            var node = 0
            for d in 0..<depth {
                let right = (path << d) >> 127 == 1
                switch child(node, right) {
                case .node(let next): node = next
                case .empty, .data:
                    let inherited = child(node, right)
                    nodes.append((inherited, inherited))
                    setChild(node, right, .node(nodes.count - 1))
                    node = nodes.count - 1
                }
            }
            return node
        }
        let ordered = entries.indices.sorted { (entries[$0].network.bits, $0) < (entries[$1].network.bits, $1) }
        var hasIPv4 = false
        for index in ordered {
            let (network, value) = entries[index]
            var path = network.address.value
            if network.isIPv4 {
                path &= 0xffff_ffff  // IPv4 lives at ::/96 in the tree
                hasIPv4 = true
            } else if network.bits >= 96, path >> 32 == 0 {
                throw IntelError(
                    kind: .unsupported,
                    message: "\(network): ::/96 holds the IPv4 subtree; write IPv4 networks instead"
                )
            } else if network.bits == 0 {
                throw IntelError(kind: .unsupported, message: "::/0 cannot be stored; insert ::/1 and 8000::/1")
            }
            let data: Int
            if let known = valueIndex[value] {
                data = known
            } else {
                data = values.count
                values.append(value)
                valueIndex[value] = data
            }
            let parent = walk(path, depth: network.bits - 1)
            setChild(parent, (path << (network.bits - 1)) >> 127 == 1, .data(data))
        }
        if hasIPv4 {
            let ipv4Root = walk(0, depth: 96)
            let mapped = IPAddress.ipv4Prefix
            let parent = walk(mapped, depth: 95)
            setChild(parent, true, .node(ipv4Root))
        }
        // Number the nodes breadth first (the alias makes the tree a DAG: number each node once).
        var number = [Int](repeating: -1, count: nodes.count)
        var queue = [0]
        number[0] = 0
        var head = 0
        while head < queue.count {
            let n = queue[head]
            head += 1
            for ref in [nodes[n].0, nodes[n].1] {
                if case .node(let k) = ref, number[k] < 0 {
                    number[k] = queue.count
                    queue.append(k)
                }
            }
        }
        let nodeCount = queue.count
        // The data section.
        var dataSection: [UInt8] = []
        var dataOffset: [Int] = []
        for value in values {
            dataOffset.append(dataSection.count)
            MMDBEncoder.encode(value, into: &dataSection)
        }
        guard buildEpoch > 0 else { throw IntelError(kind: .unsupported, message: "build_epoch must not be 0") }
        let largest = nodeCount + 16 + dataSection.count
        let size: Int
        if let recordSize {
            guard [24, 28, 32].contains(recordSize) else {
                throw IntelError(kind: .unsupported, message: "record size \(recordSize) is not 24, 28 or 32")
            }
            guard UInt64(largest) < (1 << UInt64(recordSize)) else {
                throw IntelError(
                    kind: .unsupported,
                    message: "record size \(recordSize) is too small for this database"
                )
            }
            size = recordSize
        } else {
            size = largest < 1 << 24 ? 24 : largest < 1 << 28 ? 28 : 32
            guard UInt64(largest) < 1 << 32 else {
                throw IntelError(kind: .unsupported, message: "the database is too large for 32-bit records")
            }
        }
        func recordValue(_ ref: Ref) -> Int {
            switch ref {
            case .empty: nodeCount
            case .node(let k): number[k]
            case .data(let d): nodeCount + 16 + dataOffset[d]
            }
        }
        var out: [UInt8] = []
        out.reserveCapacity(nodeCount * size / 4 + 16 + dataSection.count + 512)
        for n in queue {
            let left = recordValue(nodes[n].0)
            let right = recordValue(nodes[n].1)
            switch size {
            case 24:
                out += [UInt8(left >> 16 & 0xff), UInt8(left >> 8 & 0xff), UInt8(left & 0xff)]
                out += [UInt8(right >> 16 & 0xff), UInt8(right >> 8 & 0xff), UInt8(right & 0xff)]
            case 28:
                out += [UInt8(left >> 16 & 0xff), UInt8(left >> 8 & 0xff), UInt8(left & 0xff)]
                out.append(UInt8((left >> 24 & 0x0f) << 4 | (right >> 24 & 0x0f)))
                out += [UInt8(right >> 16 & 0xff), UInt8(right >> 8 & 0xff), UInt8(right & 0xff)]
            default:
                for v in [left, right] {
                    out += [UInt8(v >> 24 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)]
                }
            }
        }
        out += [UInt8](repeating: 0, count: 16)
        out += dataSection
        out += MMDBReader.marker
        let metadata: MMDBValue = .map([
            "binary_format_major_version": .uint16(2),
            "binary_format_minor_version": .uint16(0),
            "build_epoch": .uint64(buildEpoch),
            "database_type": .string(databaseType),
            "description": .map(["en": .string(description)]),
            "ip_version": .uint16(6),
            "languages": .array(languages.map { .string($0) }),
            "node_count": .uint32(UInt32(nodeCount)),
            "record_size": .uint16(UInt16(size)),
        ])
        MMDBEncoder.encode(metadata, into: &out)
        return out
    }

    /// Writes the database (atomically: never half a file).
    public func write(to path: String) throws(IntelError) {
        let bytes: [UInt8]
        do throws(IntelError) {
            bytes = try build()
        } catch {
            throw error.located(file: path)
        }
        try FileIO.writeAtomically(bytes, to: path)
    }
}

extension MMDBWriter {
    /// A country database in the GeoLite2 layout: `{"country": {"iso_code": CC}}` per network.
    ///
    /// ```swift
    /// let db = try MMDBWriter.country([(try IPNetwork(parsing: "8.8.8.0/24"), "US")])
    /// try db.write(to: "country.mmdb")
    /// ```
    public static func country(
        _ networks: [(IPNetwork, String)],
        databaseType: String = "GeoLite2-Country",
        description: String = "hydraguard synthetic country database"
    ) -> MMDBWriter {
        var writer = MMDBWriter(databaseType: databaseType, description: description)
        for (network, code) in networks { writer.insert(network, ["country": ["iso_code": .string(code)]]) }
        return writer
    }

    /// An ASN database in the GeoLite2 layout: `autonomous_system_number` and
    /// `autonomous_system_organization` per network.
    public static func asn(
        _ networks: [(IPNetwork, UInt32, String)],
        databaseType: String = "GeoLite2-ASN",
        description: String = "hydraguard synthetic ASN database"
    ) -> MMDBWriter {
        var writer = MMDBWriter(databaseType: databaseType, description: description)
        for (network, number, organization) in networks {
            writer.insert(
                network,
                ["autonomous_system_number": .uint32(number), "autonomous_system_organization": .string(organization)]
            )
        }
        return writer
    }
}
