/// An instant in UTC with microsecond precision, as the usage log writes it (RFC 3339).
///
/// Parsing and formatting are hand-written: they run once per event on the audit's hot path, where
/// Foundation's date formatters would cost more than the rest of the line.
///
/// ```swift
/// let ts = Timestamp(rfc3339: "2026-04-22T10:15:03.123Z")!
/// ts.rfc3339 // "2026-04-22T10:15:03.123Z"
/// ```
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Microseconds since 1970-01-01T00:00:00Z.
    public var microseconds: Int64

    @inlinable
    public init(microseconds: Int64) { self.microseconds = microseconds }

    @inlinable
    public init(seconds: Int64) { self.microseconds = seconds &* 1_000_000 }

    @inlinable
    public init(secondsSince1970: Double) { self.microseconds = Int64((secondsSince1970 * 1_000_000).rounded()) }

    @inlinable
    public var seconds: Int64 { microseconds >= 0 ? microseconds / 1_000_000 : (microseconds - 999_999) / 1_000_000 }

    @inlinable
    public var secondsSince1970: Double { Double(microseconds) / 1_000_000 }

    @inlinable
    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool { lhs.microseconds < rhs.microseconds }

    @inlinable
    public func adding(seconds: Double) -> Timestamp {
        Timestamp(microseconds: microseconds &+ Int64((seconds * 1_000_000).rounded()))
    }

    /// Days since 1970-01-01 (UTC).
    @inlinable
    public var day: Int { Int(seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400) }

    /// Seconds since midnight UTC.
    @inlinable
    public var secondOfDay: Int { Int(seconds - Int64(day) * 86_400) }

    /// 0 = Monday ... 6 = Sunday (1970-01-01 was a Thursday).
    @inlinable
    public var weekday: Int { ((day % 7) + 7 + 3) % 7 }

    public var description: String { rfc3339 }

    /// The RFC 3339 form in UTC: whole seconds print without a fraction, others with milliseconds, or
    /// microseconds where the milliseconds would lose precision.
    public var rfc3339: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(27)
        appendRFC3339(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the RFC 3339 form to a byte buffer (the writers' path).
    public func appendRFC3339(to out: inout [UInt8]) {
        let secs = seconds
        let micros = Int(microseconds - secs * 1_000_000)
        let days = Int(secs >= 0 ? secs / 86_400 : (secs - 86_399) / 86_400)
        let sod = Int(secs - Int64(days) * 86_400)
        let (y, m, d) = Timestamp.civil(fromDays: days)
        // Digits written in place at the end of `out` (no buffer per field: this runs for every record).
        func put(_ v: Int, _ width: Int) {
            let start = out.count
            for _ in 0..<width { out.append(48) }
            var v = v
            var i = start + width - 1
            while i >= start {
                out[i] = UInt8(truncatingIfNeeded: 48 + v % 10)
                v /= 10
                i -= 1
            }
        }
        put(y, 4)
        out.append(45)
        put(m, 2)
        out.append(45)
        put(d, 2)
        out.append(84)  // T
        put(sod / 3600, 2)
        out.append(58)
        put((sod / 60) % 60, 2)
        out.append(58)
        put(sod % 60, 2)
        if micros != 0 {
            out.append(46)
            if micros % 1000 == 0 {
                put(micros / 1000, 3)
            } else {
                put(micros, 6)
            }
        }
        out.append(90)  // Z
    }

    /// Parses RFC 3339 (`2026-04-22T10:15:03Z`, `...03.123456Z`, `...03+02:00`); nil when malformed.
    public init?(rfc3339 text: String) {
        var text = text
        guard let value = text.withUTF8({ Timestamp.parse(UnsafeRawBufferPointer($0)) }) else { return nil }
        self = value
    }

    /// Parses RFC 3339 from raw bytes; nil when malformed.
    public static func parse(_ b: UnsafeRawBufferPointer) -> Timestamp? {
        let n = b.count
        guard n >= 20 else { return nil }
        @inline(__always) func digit(_ i: Int) -> Int? {
            let c = b[i]
            return c >= 48 && c <= 57 ? Int(c - 48) : nil
        }
        @inline(__always) func number(_ i: Int, _ count: Int) -> Int? {
            var v = 0
            for k in i..<(i + count) {
                guard let d = digit(k) else { return nil }
                v = v * 10 + d
            }
            return v
        }
        guard let year = number(0, 4), b[4] == 45, let month = number(5, 2), b[7] == 45,
            let dayOfMonth = number(8, 2), b[10] == 84 || b[10] == 116 || b[10] == 32,
            let hour = number(11, 2), b[13] == 58, let minute = number(14, 2), b[16] == 58,
            let second = number(17, 2)
        else { return nil }
        guard (1...12).contains(month), dayOfMonth >= 1, dayOfMonth <= daysIn(month: month, year: year),
            hour < 24, minute < 60, second < 61
        else { return nil }
        var i = 19
        var micros = 0
        if i < n, b[i] == 46 {
            i += 1
            var digits = 0
            while i < n, let d = digit(i) {
                if digits < 6 { micros = micros * 10 + d }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            var pad = digits
            while pad < 6 {
                micros *= 10
                pad += 1
            }
        }
        guard i < n else { return nil }
        var offset = 0
        switch b[i] {
        case 90, 122:  // Z z
            i += 1
        case 43, 45:  // + -
            guard i + 6 == n, let oh = number(i + 1, 2), b[i + 3] == 58, let om = number(i + 4, 2), oh < 24, om < 60
            else { return nil }
            offset = (oh * 60 + om) * 60 * (b[i] == 43 ? 1 : -1)
            i += 6
        default:
            return nil
        }
        guard i == n else { return nil }
        let days = daysFromCivil(year: year, month: month, day: dayOfMonth)
        let secs = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + min(second, 59)) - Int64(offset)
        return Timestamp(microseconds: secs * 1_000_000 + Int64(micros))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Howard Hinnant's days_from_civil.
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Howard Hinnant's civil_from_days.
    public static func civil(fromDays z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (m <= 2 ? y + 1 : y, m, d)
    }
}
