/// A database's search tree copied into 32-bit words, with each record replaced by a dense index into
/// values decoded once at load: a lookup is one word load per bit and one array read, with no decoding and
/// no hashing. Built by ``IPIntelligence`` for the country and ASN layouts.
struct MMDBCompiledTree<Value: Sendable>: Sendable {
    /// Two words per node: below `nodeCount` another node, `nodeCount` no data, above it
    /// `nodeCount + 1 + i` for `values[i]`.
    private let records: [UInt32]
    private let nodeCount: UInt32
    private let ipv4Start: UInt32
    private let ipVersion: Int
    private let values: [Value?]

    /// Copies `reader`'s tree and decodes each distinct record with `decode` (given its offset).
    init(_ reader: MMDBReader, decode: (Int) throws(IntelError) -> Value?) throws(IntelError) {
        let nodeCount = reader.nodeCount
        guard nodeCount < Int(UInt32.max / 2) else {
            throw IntelError(kind: .unsupported, file: reader.path, message: "too many nodes (\(nodeCount))")
        }
        var records = [UInt32](repeating: 0, count: nodeCount * 2)
        var ids: [Int: UInt32] = [:]
        var values: [Value?] = []
        let base = reader.dataStart - 16 - nodeCount
        let dataEnd = reader.dataEnd
        var failure: IntelError?
        reader.bytes.withUnsafeBufferPointer { b in
            var lastRecord = -1
            var lastID: UInt32 = 0
            for i in 0..<(nodeCount * 2) {
                let record = MMDBReader.record(in: b, node: i >> 1, right: i & 1 == 1, size: reader.recordSize)
                if record <= nodeCount {
                    records[i] = UInt32(record)
                    continue
                }
                if record == lastRecord {
                    records[i] = lastID
                    continue
                }
                let offset = record + base
                guard offset < dataEnd else {
                    failure = IntelError(
                        kind: .badDatabase,
                        file: reader.path,
                        message: "corrupt search tree: record \(record) points outside the data section"
                    )
                    return
                }
                let id: UInt32
                if let known = ids[offset] {
                    id = known
                } else {
                    do throws(IntelError) {
                        values.append(try decode(offset))
                    } catch {
                        failure = error
                        return
                    }
                    id = UInt32(nodeCount + values.count)
                    ids[offset] = id
                }
                records[i] = id
                lastRecord = record
                lastID = id
            }
        }
        if let failure { throw failure }
        self.records = records
        self.nodeCount = UInt32(nodeCount)
        self.ipv4Start = UInt32(reader.ipv4Start)
        self.ipVersion = reader.metadata.ipVersion
        self.values = values
    }

    /// The value for `ip`, or nil.
    func lookup(_ ip: IPAddress) -> Value? {
        var node: UInt32
        let bitCount: Int
        let value: UInt128
        if ip.isIPv4 {
            node = ipv4Start
            bitCount = 32
            value = ip.value << 96
        } else {
            guard ipVersion == 6 else { return nil }
            node = 0
            bitCount = 128
            value = ip.value
        }
        let nodeCount = self.nodeCount
        var depth = 0
        records.withUnsafeBufferPointer { r in
            while depth < bitCount, node < nodeCount {
                node = r[Int(node) &* 2 &+ Int((value << depth) >> 127)]
                depth += 1
            }
        }
        guard node > nodeCount else { return nil }
        return values[Int(node - nodeCount - 1)]
    }
}
