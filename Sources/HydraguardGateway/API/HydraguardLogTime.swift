import HydraguardLog

enum HydraguardLogTime {
    static func rfc3339(seconds: Int64) -> String { Timestamp(seconds: seconds).rfc3339 }
    static func now(_ seconds: Double) -> Timestamp { Timestamp(secondsSince1970: seconds) }
}
