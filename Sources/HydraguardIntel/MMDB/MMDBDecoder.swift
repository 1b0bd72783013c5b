/// Decodes values of an MMDB data section in place, from bytes held by the reader.
///
/// Offsets are absolute (into the whole file); pointers are relative to `pointerBase` (the data section
/// start). Every read is bounds-checked: a corrupt file gives an error, never a crash.
struct MMDBDecoder {
    let bytes: UnsafeBufferPointer<UInt8>
    let pointerBase: Int
    /// Where data may be read: the data section (or the metadata).
    let end: Int
    let file: String

    enum DataType: Int {
        case extended = 0
        case pointer, string, double, bytes, uint16, uint32, map, int32, uint64, uint128, array,
            container, endMarker, bool, float
    }

    struct Control {
        var type: DataType
        /// The size field (for a pointer: the absolute offset pointed to).
        var size: Int
        /// Offset of the payload (for a pointer: the offset after it).
        var payload: Int
    }

    func corrupt(_ message: String) -> IntelError {
        IntelError(kind: .badDatabase, file: file, message: "corrupt data section: \(message)")
    }

    @inline(__always) func byte(_ offset: Int) throws(IntelError) -> Int {
        guard offset >= 0, offset < end else { throw corrupt("read past the end at offset \(offset)") }
        return Int(bytes[offset])
    }

    func control(at start: Int) throws(IntelError) -> Control {
        var o = start
        let ctrl = try byte(o)
        o += 1
        var rawType = ctrl >> 5
        if rawType == 1 {
            let ss = (ctrl >> 3) & 3
            let vvv = ctrl & 7
            var p: Int
            switch ss {
            case 0:
                p = vvv << 8 | (try byte(o))
                o += 1
            case 1:
                p = (vvv << 16 | (try byte(o)) << 8 | (try byte(o + 1))) + 2048
                o += 2
            case 2:
                p = (vvv << 24 | (try byte(o)) << 16 | (try byte(o + 1)) << 8 | (try byte(o + 2))) + 526_336
                o += 3
            default:
                p = (try byte(o)) << 24 | (try byte(o + 1)) << 16 | (try byte(o + 2)) << 8 | (try byte(o + 3))
                o += 4
            }
            return Control(type: .pointer, size: pointerBase + p, payload: o)
        }
        if rawType == 0 {
            rawType = 7 + (try byte(o))
            o += 1
            guard rawType >= 8 else { throw corrupt("extended type \(rawType) at offset \(start)") }
        }
        guard let type = DataType(rawValue: rawType) else {
            throw corrupt("unknown type \(rawType) at offset \(start)")
        }
        var size = ctrl & 0x1f
        switch size {
        case 29:
            size = 29 + (try byte(o))
            o += 1
        case 30:
            size = 285 + ((try byte(o)) << 8 | (try byte(o + 1)))
            o += 2
        case 31:
            size = 65_821 + ((try byte(o)) << 16 | (try byte(o + 1)) << 8 | (try byte(o + 2)))
            o += 3
        default: break
        }
        return Control(type: type, size: size, payload: o)
    }

    /// The control of the value at `offset`, following one pointer.
    func resolved(at offset: Int) throws(IntelError) -> Control {
        let c = try control(at: offset)
        guard c.type == .pointer else { return c }
        let target = try control(at: c.size)
        guard target.type != .pointer else { throw corrupt("pointer to a pointer at offset \(offset)") }
        return target
    }

    /// The offset just after the value at `offset` (a pointer counts as its own bytes).
    func skip(at offset: Int, depth: Int = 0) throws(IntelError) -> Int {
        guard depth < 64 else { throw corrupt("values nested too deep") }
        let c = try control(at: offset)
        switch c.type {
        case .pointer: return c.payload
        case .map:
            var o = c.payload
            for _ in 0..<c.size {
                o = try skip(at: o, depth: depth + 1)
                o = try skip(at: o, depth: depth + 1)
            }
            return o
        case .array:
            var o = c.payload
            for _ in 0..<c.size { o = try skip(at: o, depth: depth + 1) }
            return o
        case .bool, .endMarker, .container: return c.payload
        default:
            let next = c.payload + c.size
            guard next <= end else { throw corrupt("value at offset \(offset) runs past the end") }
            return next
        }
    }

    /// In the map at `offset` (following a pointer), the offset of the value under `key`; nil when absent
    /// or when the value is not a map.
    func find(_ key: [UInt8], inMapAt offset: Int) throws(IntelError) -> Int? {
        let c = try resolved(at: offset)
        guard c.type == .map else { return nil }
        var o = c.payload
        for _ in 0..<c.size {
            let k = try resolved(at: o)
            guard k.type == .string else { throw corrupt("map key at offset \(o) is not a string") }
            guard k.payload + k.size <= end else { throw corrupt("key at offset \(o) runs past the end") }
            o = try skip(at: o)
            if k.size == key.count,
                key.withUnsafeBufferPointer({ keyBytes in
                    (0..<k.size).allSatisfy { bytes[k.payload + $0] == keyBytes[$0] }
                })
            {
                return o
            }
            o = try skip(at: o)
        }
        return nil
    }

    /// Follows a path of map keys from `offset`.
    func find(path: [[UInt8]], from offset: Int) throws(IntelError) -> Int? {
        var o = offset
        for key in path {
            guard let next = try find(key, inMapAt: o) else { return nil }
            o = next
        }
        return o
    }

    /// The string at `offset` (following a pointer); nil when it is another type.
    func string(at offset: Int) throws(IntelError) -> String? {
        let c = try resolved(at: offset)
        guard c.type == .string else { return nil }
        guard c.payload + c.size <= end else { throw corrupt("string at offset \(offset) runs past the end") }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[c.payload..<(c.payload + c.size)]), as: UTF8.self)
    }

    /// The unsigned integer at `offset` (following a pointer); nil when it is another type.
    func unsigned(at offset: Int) throws(IntelError) -> UInt64? {
        let c = try resolved(at: offset)
        switch c.type {
        case .uint16, .uint32, .uint64, .int32:
            guard c.size <= 8, c.payload + c.size <= end else {
                throw corrupt("integer at offset \(offset) is too long")
            }
            var v: UInt64 = 0
            for i in 0..<c.size { v = v << 8 | UInt64(bytes[c.payload + i]) }
            return v
        default: return nil
        }
    }

    /// Decodes the whole value at `offset`.
    func decode(at offset: Int, depth: Int = 0) throws(IntelError) -> MMDBValue {
        guard depth < 64 else { throw corrupt("values nested too deep") }
        let c = try resolved(at: offset)
        func payload(_ maxSize: Int? = nil) throws(IntelError) -> UnsafeBufferPointer<UInt8> {
            if let maxSize, c.size > maxSize { throw corrupt("\(c.type) at offset \(offset) has size \(c.size)") }
            guard c.payload + c.size <= end else { throw corrupt("\(c.type) at offset \(offset) runs past the end") }
            return UnsafeBufferPointer(rebasing: bytes[c.payload..<(c.payload + c.size)])
        }
        func unsignedBits(_ maxSize: Int) throws(IntelError) -> UInt128 {
            var v: UInt128 = 0
            for b in try payload(maxSize) { v = v << 8 | UInt128(b) }
            return v
        }
        switch c.type {
        case .string: return .string(String(decoding: try payload(), as: UTF8.self))
        case .double:
            guard c.size == 8 else { throw corrupt("double at offset \(offset) has size \(c.size)") }
            return .double(Double(bitPattern: UInt64(try unsignedBits(8))))
        case .float:
            guard c.size == 4 else { throw corrupt("float at offset \(offset) has size \(c.size)") }
            return .float(Float(bitPattern: UInt32(try unsignedBits(4))))
        case .bytes: return .bytes(Array(try payload()))
        case .uint16: return .uint16(UInt16(try unsignedBits(2)))
        case .uint32: return .uint32(UInt32(try unsignedBits(4)))
        case .uint64: return .uint64(UInt64(try unsignedBits(8)))
        case .uint128: return .uint128(try unsignedBits(16))
        case .int32:
            let raw = UInt32(try unsignedBits(4))
            // Shorter encodings are sign-extended from their top bit only when 4 bytes long.
            return .int32(Int32(bitPattern: raw))
        case .bool:
            guard c.size <= 1 else { throw corrupt("boolean at offset \(offset) has size \(c.size)") }
            return .bool(c.size == 1)
        case .map:
            var m: [String: MMDBValue] = [:]
            m.reserveCapacity(c.size)
            var o = c.payload
            for _ in 0..<c.size {
                guard case .string(let key) = try decode(at: o, depth: depth + 1) else {
                    throw corrupt("map key at offset \(o) is not a string")
                }
                o = try skip(at: o)
                m[key] = try decode(at: o, depth: depth + 1)
                o = try skip(at: o)
            }
            return .map(m)
        case .array:
            var a: [MMDBValue] = []
            var o = c.payload
            for _ in 0..<c.size {
                a.append(try decode(at: o, depth: depth + 1))
                o = try skip(at: o)
            }
            return .array(a)
        case .pointer, .extended, .container, .endMarker:
            throw corrupt("unexpected \(c.type) at offset \(offset)")
        }
    }
}
