/// A MaxMind DB (MMDB) file, read once into memory: the binary search tree (record size 24, 28 or 32),
/// the data section and the metadata, per the MaxMind DB File Format Specification 2.0.
///
/// IPv4 addresses in an IPv6 database are looked up in the IPv4 subtree at `::/96`, as libmaxminddb does.
///
/// ```swift
/// let db = try MMDBReader(path: "dbip-country-lite.mmdb")
/// db.metadata.databaseType                         // "DBIP-Country-Lite"
/// try db.record(for: IPAddress("8.8.8.8")!)?["country"]?["iso_code"]  // .string("US")
/// try db.countryCode(for: IPAddress("8.8.8.8")!)   // "US"
/// ```
public struct MMDBReader: Sendable {
    /// The file's path as given (for error messages).
    public let path: String
    public let metadata: Metadata
    let bytes: [UInt8]
    let nodeCount: Int
    let recordSize: Int
    let dataStart: Int
    let dataEnd: Int
    let ipv4Start: Int

    /// What the metadata map says about the database.
    public struct Metadata: Sendable, Hashable {
        public var databaseType: String
        public var ipVersion: Int
        public var nodeCount: Int
        public var recordSize: Int
        public var binaryFormatMajorVersion: Int
        public var binaryFormatMinorVersion: Int
        public var buildEpoch: UInt64
        public var languages: [String]
        /// Descriptions by language code.
        public var description: [String: String]
        /// The whole metadata map, for keys not named above.
        public var raw: MMDBValue
    }

    static let marker: [UInt8] = [0xAB, 0xCD, 0xEF] + Array("MaxMind.com".utf8)

    /// Reads and checks a database file; errors name the file.
    public init(path: String) throws(IntelError) {
        try self.init(bytes: try FileIO.read(path), path: path)
    }

    /// Opens a database held in memory (`path` names it in errors).
    public init(bytes: [UInt8], path: String = "(memory)") throws(IntelError) {
        self.path = path
        self.bytes = bytes
        func bad(_ message: String) -> IntelError {
            IntelError(kind: .badDatabase, file: path, message: message)
        }
        // The metadata starts after the last marker, within the last 128 KiB.
        let marker = Self.marker
        var markerAt = -1
        let lowest = max(0, bytes.count - 128 * 1024 - marker.count)
        var i = bytes.count - marker.count
        bytes.withUnsafeBufferPointer { b in
            while i >= lowest {
                if b[i] == 0xAB, b[i + 1] == 0xCD, b[i + 2] == 0xEF,
                    (0..<marker.count).allSatisfy({ b[i + $0] == marker[$0] })
                {
                    markerAt = i
                    return
                }
                i -= 1
            }
        }
        guard markerAt >= 0 else {
            throw bad("not a MaxMind DB file (no metadata marker \"\\xAB\\xCD\\xEFMaxMind.com\" near the end)")
        }
        let metadataStart = markerAt + marker.count
        let raw = try bytes.withUnsafeBufferPointer { b throws(IntelError) in
            let decoder = MMDBDecoder(bytes: b, pointerBase: metadataStart, end: b.count, file: path)
            do throws(IntelError) {
                return try decoder.decode(at: metadataStart)
            } catch {
                throw bad("corrupt metadata: \(error.message)")
            }
        }
        func int(_ key: String) throws(IntelError) -> Int {
            guard let v = raw[key]?.uintValue, v <= UInt64(Int.max) else {
                throw bad("metadata field `\(key)` is missing or not an unsigned integer")
            }
            return Int(v)
        }
        var languages: [String] = []
        if case .array(let a)? = raw["languages"] { languages = a.compactMap(\.stringValue) }
        var descriptions: [String: String] = [:]
        if case .map(let m)? = raw["description"] { descriptions = m.compactMapValues(\.stringValue) }
        let metadata = Metadata(
            databaseType: raw["database_type"]?.stringValue ?? "",
            ipVersion: try int("ip_version"),
            nodeCount: try int("node_count"),
            recordSize: try int("record_size"),
            binaryFormatMajorVersion: try int("binary_format_major_version"),
            binaryFormatMinorVersion: (try? int("binary_format_minor_version")) ?? 0,
            buildEpoch: raw["build_epoch"]?.uintValue ?? 0,
            languages: languages,
            description: descriptions,
            raw: raw
        )
        guard metadata.binaryFormatMajorVersion == 2 else {
            throw bad("binary format version \(metadata.binaryFormatMajorVersion) is not supported (expected 2)")
        }
        guard [24, 28, 32].contains(metadata.recordSize) else {
            throw bad("record size \(metadata.recordSize) is not 24, 28 or 32")
        }
        guard metadata.ipVersion == 4 || metadata.ipVersion == 6 else {
            throw bad("ip_version \(metadata.ipVersion) is not 4 or 6")
        }
        let treeSize = metadata.nodeCount * metadata.recordSize / 4
        guard metadata.nodeCount > 0, treeSize + 16 <= markerAt else {
            throw bad("the search tree (\(metadata.nodeCount) nodes) does not fit in the file")
        }
        self.metadata = metadata
        self.nodeCount = metadata.nodeCount
        self.recordSize = metadata.recordSize
        self.dataStart = treeSize + 16
        self.dataEnd = markerAt
        var node = 0
        if metadata.ipVersion == 6 {
            for _ in 0..<96 where node < metadata.nodeCount {
                node = bytes.withUnsafeBufferPointer {
                    Self.record(in: $0, node: node, right: false, size: metadata.recordSize)
                }
            }
        }
        self.ipv4Start = node
    }

    @inline(__always)
    static func record(in b: UnsafeBufferPointer<UInt8>, node: Int, right: Bool, size: Int) -> Int {
        switch size {
        case 24:
            let o = node * 6 + (right ? 3 : 0)
            return Int(b[o]) << 16 | Int(b[o + 1]) << 8 | Int(b[o + 2])
        case 28:
            let o = node * 7
            if right {
                return (Int(b[o + 3]) & 0x0F) << 24 | Int(b[o + 4]) << 16 | Int(b[o + 5]) << 8 | Int(b[o + 6])
            }
            return (Int(b[o + 3]) & 0xF0) << 20 | Int(b[o]) << 16 | Int(b[o + 1]) << 8 | Int(b[o + 2])
        default:
            let o = node * 8 + (right ? 4 : 0)
            return Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3])
        }
    }

    /// Where the record for `ip` starts in the file (an opaque key: equal offsets hold equal records),
    /// and the prefix length of the network it was found in (in the address's own family); nil when the
    /// database has no data for the address.
    public func dataOffset(for ip: IPAddress) throws(IntelError) -> (offset: Int, prefixLength: Int)? {
        let nodeCount = self.nodeCount
        let size = recordSize
        var node: Int
        let bitCount: Int
        let value: UInt128
        if ip.isIPv4 {
            node = ipv4Start
            bitCount = 32
            value = ip.value << 96
        } else {
            guard metadata.ipVersion == 6 else { return nil }
            node = 0
            bitCount = 128
            value = ip.value
        }
        var depth = 0
        bytes.withUnsafeBufferPointer { b in
            // One loop per record size, so that the size is not switched on at every bit.
            switch size {
            case 24:
                while depth < bitCount, node < nodeCount {
                    let o = node * 6 + Int((value << depth) >> 127) * 3
                    node = Int(b[o]) << 16 | Int(b[o + 1]) << 8 | Int(b[o + 2])
                    depth += 1
                }
            case 28:
                while depth < bitCount, node < nodeCount {
                    let o = node * 7
                    if (value << depth) >> 127 == 1 {
                        node = (Int(b[o + 3]) & 0x0F) << 24 | Int(b[o + 4]) << 16 | Int(b[o + 5]) << 8 | Int(b[o + 6])
                    } else {
                        node = (Int(b[o + 3]) & 0xF0) << 20 | Int(b[o]) << 16 | Int(b[o + 1]) << 8 | Int(b[o + 2])
                    }
                    depth += 1
                }
            default:
                while depth < bitCount, node < nodeCount {
                    let o = node * 8 + Int((value << depth) >> 127) * 4
                    node = Int(b[o]) << 24 | Int(b[o + 1]) << 16 | Int(b[o + 2]) << 8 | Int(b[o + 3])
                    depth += 1
                }
            }
        }
        if node == nodeCount { return nil }
        guard node > nodeCount else {
            throw IntelError(
                kind: .badDatabase,
                file: path,
                message: "corrupt search tree: no record after all \(bitCount) bits"
            )
        }
        let offset = node - nodeCount - 16 + dataStart
        guard offset >= dataStart, offset < dataEnd else {
            throw IntelError(
                kind: .badDatabase,
                file: path,
                message: "corrupt search tree: record \(node) points outside the data section"
            )
        }
        return (offset, depth)
    }

    /// Every distinct record offset that the search tree points at (in no particular order), found by one
    /// pass over the node array: the keys to decode once, at load, for a lookup table per record.
    public func recordOffsets() -> Set<Int> {
        var offsets = Set<Int>()
        let nodeCount = self.nodeCount
        let size = recordSize
        let base = dataStart - 16 - nodeCount
        bytes.withUnsafeBufferPointer { b in
            var last = -1
            func note(_ record: Int) {
                if record > nodeCount, record != last {
                    last = record
                    let offset = record + base
                    if offset < dataEnd { offsets.insert(offset) }
                }
            }
            for node in 0..<nodeCount {
                note(Self.record(in: b, node: node, right: false, size: size))
                note(Self.record(in: b, node: node, right: true, size: size))
            }
        }
        return offsets
    }

    /// Runs `body` with a decoder over the data section.
    func withDecoder<T>(_ body: (MMDBDecoder) throws(IntelError) -> T) throws(IntelError) -> T {
        let result: Result<T, IntelError> = bytes.withUnsafeBufferPointer { b in
            let decoder = MMDBDecoder(bytes: b, pointerBase: dataStart, end: dataEnd, file: path)
            do throws(IntelError) {
                return .success(try body(decoder))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The whole record for `ip`, decoded; nil when the database has none.
    public func record(for ip: IPAddress) throws(IntelError) -> MMDBValue? {
        guard let (offset, _) = try dataOffset(for: ip) else { return nil }
        return try withDecoder { decoder throws(IntelError) in try decoder.decode(at: offset) }
    }

    /// The record at an offset from ``dataOffset(for:)``.
    public func record(atOffset offset: Int) throws(IntelError) -> MMDBValue {
        try withDecoder { decoder throws(IntelError) in try decoder.decode(at: offset) }
    }
}
