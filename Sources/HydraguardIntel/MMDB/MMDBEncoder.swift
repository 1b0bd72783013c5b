/// Encodes values in the MMDB data section format. Map keys are written in sorted order, so that equal
/// values always give equal bytes.
enum MMDBEncoder {
    static func control(_ type: MMDBDecoder.DataType, size: Int, into out: inout [UInt8]) {
        let raw = type.rawValue
        var first = raw <= 7 ? UInt8(raw << 5) : 0
        var sizeBytes: [UInt8] = []
        switch size {
        case ..<29: first |= UInt8(size)
        case ..<285:
            first |= 29
            sizeBytes = [UInt8(size - 29)]
        case ..<65_821:
            first |= 30
            let s = size - 285
            sizeBytes = [UInt8(s >> 8), UInt8(s & 0xff)]
        default:
            first |= 31
            let s = size - 65_821
            sizeBytes = [UInt8(s >> 16 & 0xff), UInt8(s >> 8 & 0xff), UInt8(s & 0xff)]
        }
        out.append(first)
        if raw > 7 { out.append(UInt8(raw - 7)) }
        out += sizeBytes
    }

    static func unsigned(_ type: MMDBDecoder.DataType, _ value: UInt128, into out: inout [UInt8]) {
        var digits: [UInt8] = []
        var v = value
        while v != 0 {
            digits.append(UInt8(truncatingIfNeeded: v))
            v >>= 8
        }
        control(type, size: digits.count, into: &out)
        out += digits.reversed()
    }

    static func encode(_ value: MMDBValue, into out: inout [UInt8]) {
        switch value {
        case .string(let s):
            let utf8 = Array(s.utf8)
            control(.string, size: utf8.count, into: &out)
            out += utf8
        case .double(let d):
            control(.double, size: 8, into: &out)
            let bits = d.bitPattern
            for shift in stride(from: 56, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: bits >> shift)) }
        case .float(let f):
            control(.float, size: 4, into: &out)
            let bits = f.bitPattern
            for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: bits >> shift)) }
        case .bytes(let b):
            control(.bytes, size: b.count, into: &out)
            out += b
        case .uint16(let v): unsigned(.uint16, UInt128(v), into: &out)
        case .uint32(let v): unsigned(.uint32, UInt128(v), into: &out)
        case .uint64(let v): unsigned(.uint64, UInt128(v), into: &out)
        case .uint128(let v): unsigned(.uint128, v, into: &out)
        case .int32(let v):
            control(.int32, size: 4, into: &out)
            let bits = UInt32(bitPattern: v)
            for shift in stride(from: 24, through: 0, by: -8) { out.append(UInt8(truncatingIfNeeded: bits >> shift)) }
        case .bool(let b): control(.bool, size: b ? 1 : 0, into: &out)
        case .map(let m):
            control(.map, size: m.count, into: &out)
            for key in m.keys.sorted() {
                encode(.string(key), into: &out)
                encode(m[key]!, into: &out)
            }
        case .array(let a):
            control(.array, size: a.count, into: &out)
            for element in a { encode(element, into: &out) }
        }
    }
}
