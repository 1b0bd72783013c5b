/// Strings from the line's bytes without the standard library's byte-at-a-time UTF-8 check.
///
/// `String(decoding:as:)` validates (and repairs) its input one scalar at a time; on prompt text that
/// was a quarter of the parse. Here ASCII is skipped eight bytes at a time, multi-byte sequences are
/// checked by the rules of RFC 3629 (no overlongs, no surrogates, nothing above U+10FFFF), and a valid
/// run becomes a `String` through `UTF8Span(unchecked:)`. Invalid input takes the standard library's
/// repairing path, so the result is always the same as `String(decoding:as:)`'s.
@usableFromInline
enum UTF8String {
    /// A string from `count` bytes at `start`, invalid sequences replaced by U+FFFD.
    @inlinable @inline(__always)
    static func make(_ start: UnsafePointer<UInt8>, count: Int) -> String {
        let buffer = UnsafeBufferPointer(start: start, count: count)
        #if compiler(>=6.2)
        if #available(macOS 26.0, iOS 26.0, watchOS 26.0, tvOS 26.0, visionOS 26.0, *),
            let ascii = validate(start, count: count)
        {
            return String(copying: UTF8Span(unchecked: Span(_unsafeElements: buffer), isKnownASCII: ascii))
        }
        #endif
        return String(decoding: buffer, as: UTF8.self)
    }

    /// nil when the bytes are not valid UTF-8; otherwise whether they are all ASCII.
    @usableFromInline
    static func validate(_ p: UnsafePointer<UInt8>, count n: Int) -> Bool? {
        let raw = UnsafeRawPointer(p)
        var i = 0
        var ascii = true
        while true {
            while i &+ 16 <= n,
                (raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                    | raw.loadUnaligned(fromByteOffset: i &+ 8, as: UInt64.self)) & 0x8080_8080_8080_8080 == 0
            {
                i &+= 16
            }
            while i &+ 8 <= n, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
                i &+= 8
            }
            guard i < n else { return ascii }
            let c = p[i]
            if c < 0x80 {
                i &+= 1
                continue
            }
            ascii = false
            if c < 0xC2 { return nil }  // a continuation byte, or an overlong two-byte form
            if c < 0xE0 {
                guard i &+ 1 < n, p[i &+ 1] & 0xC0 == 0x80 else { return nil }
                i &+= 2
                continue
            }
            if c < 0xF0 {
                guard i &+ 2 < n else { return nil }
                let c1 = p[i &+ 1]
                guard p[i &+ 2] & 0xC0 == 0x80 else { return nil }
                switch c {
                case 0xE0: guard c1 >= 0xA0, c1 <= 0xBF else { return nil }  // overlong
                case 0xED: guard c1 >= 0x80, c1 <= 0x9F else { return nil }  // surrogates
                default: guard c1 & 0xC0 == 0x80 else { return nil }
                }
                i &+= 3
                continue
            }
            if c < 0xF5 {
                guard i &+ 3 < n else { return nil }
                let c1 = p[i &+ 1]
                guard p[i &+ 2] & 0xC0 == 0x80, p[i &+ 3] & 0xC0 == 0x80 else { return nil }
                switch c {
                case 0xF0: guard c1 >= 0x90, c1 <= 0xBF else { return nil }  // overlong
                case 0xF4: guard c1 >= 0x80, c1 <= 0x8F else { return nil }  // above U+10FFFF
                default: guard c1 & 0xC0 == 0x80 else { return nil }
                }
                i &+= 4
                continue
            }
            return nil
        }
    }
}
