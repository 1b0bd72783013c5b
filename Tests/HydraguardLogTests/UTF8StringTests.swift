import Testing
@testable import HydraguardLog

@Suite struct UTF8StringTests {
    func check(_ bytes: [UInt8]) {
        let expectedValid = String(validating: bytes, as: UTF8.self) != nil
        let made = bytes.withUnsafeBufferPointer { b in
            UTF8String.make(b.baseAddress ?? UnsafePointer(bitPattern: 1)!, count: b.count)
        }
        let valid = bytes.withUnsafeBufferPointer { b in
            UTF8String.validate(b.baseAddress ?? UnsafePointer(bitPattern: 1)!, count: b.count)
        }
        #expect((valid != nil) == expectedValid, "\(bytes.map { String($0, radix: 16) })")
        #expect(valid != true || bytes.allSatisfy { $0 < 0x80 })
        #expect(made == String(decoding: bytes, as: UTF8.self), "\(bytes.map { String($0, radix: 16) })")
        #expect(Array(made.utf8) == Array(String(decoding: bytes, as: UTF8.self).utf8))
    }

    @Test func agreesWithTheStandardLibraryOnEdgeCases() {
        let cases: [[UInt8]] = [
            [], Array("plain ascii text longer than a word".utf8), Array("é中😀".utf8),
            [0xC0, 0x80], [0xC1, 0xBF], [0xC2, 0x80], [0xDF, 0xBF], [0xE0, 0x9F, 0x80], [0xE0, 0xA0, 0x80],
            [0xED, 0x9F, 0xBF], [0xED, 0xA0, 0x80], [0xEF, 0xBF, 0xBF], [0xF0, 0x8F, 0xBF, 0xBF],
            [0xF0, 0x90, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], [0xF4, 0x90, 0x80, 0x80], [0xF5, 0x80, 0x80, 0x80],
            [0xFF], [0x80], [0xE2, 0x82], [0xF0, 0x9F, 0x98], [0x41, 0xC3], [0xC3, 0x41], [0xE2, 0x28, 0xA1],
            Array(repeating: 0x61, count: 15) + [0xE2, 0x82, 0xAC] + Array(repeating: 0x62, count: 9),
            Array(repeating: 0x61, count: 16) + [0x80],
        ]
        for bytes in cases { check(bytes) }
    }

    @Test func agreesWithTheStandardLibraryOnRandomBytes() {
        var state: UInt64 = 12345
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let pieces: [[UInt8]] = [[0x61], [0x20], Array("é".utf8), Array("中".utf8), Array("😀".utf8), [0x80], [0xC3],
            [0xE2, 0x82], [0xF0], [0xED, 0xA0, 0x80], Array("abcdefgh".utf8)]
        for _ in 0..<1000 {
            var bytes: [UInt8] = []
            for _ in 0..<Int(next() % 40) {
                if next() % 10 == 0 {
                    bytes.append(UInt8(next() & 0xFF))
                } else {
                    bytes += pieces[Int(next() % UInt64(pieces.count))]
                }
            }
            check(bytes)
        }
    }

    @Test func invalidBytesInALineAreRepairedNotRejected() throws {
        var line = Array(eventLine().dropLast().utf8) + Array(#","prompt":"ok "#.utf8)
        line += [0xFF, 0x20, 0xC3] + Array(#" end","system":"a\nb "#.utf8) + [0xC3, 0x22, 0x7D]
        let event = try line.withUnsafeBytes { raw in
            var scanner = JSONLineScanner(raw)
            return try UsageEvent.decode(&scanner)
        }
        #expect(event.prompt == "ok \u{FFFD} \u{FFFD} end")
        #expect(event.system == "a\nb \u{FFFD}")
    }
}
