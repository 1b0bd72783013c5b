import Testing
@testable import HydraguardLog

@Suite struct JSONLineScannerTests {
    /// The string value of the only field of `{"k": <json>}`.
    func stringValue(_ json: String) throws -> String {
        try scan(#"{"k":\#(json)}"#) { s in
            try s.beginObject()
            #expect(try s.nextKey { _ in 0 } == 0)
            let value = try s.readString(field: "k")
            #expect(try s.nextKey { _ in 0 } == nil)
            try s.end()
            return value
        }
    }

    @Test(arguments: [
        (#""plain""#, "plain"),
        (#""""#, ""),
        (#""a\"b""#, "a\"b"),
        (#""back\\slash""#, "back\\slash"),
        (#""sl\/ash""#, "sl/ash"),
        (#""\b\f\n\r\t""#, "\u{08}\u{0C}\n\r\t"),
        (#""\u0041\u00e9\u4E2D""#, "Aé中"),
        (#""\u0000""#, "\u{0}"),
        (#""\ud83d\ude00 grin""#, "😀 grin"),
        (#""\uD834\uDD1E""#, "𝄞"),
        (#""ends with escape\n""#, "ends with escape\n"),
        (#""raw unicode é 中 😀 kept""#, "raw unicode é 中 😀 kept"),
    ])
    func stringEscapes(json: String, expected: String) throws {
        #expect(try stringValue(json) == expected)
    }

    @Test func loneSurrogatesBecomeReplacementCharacters() throws {
        #expect(try stringValue(#""\ud83d""#) == "\u{FFFD}")
        #expect(try stringValue(#""\ude00x""#) == "\u{FFFD}x")
        #expect(try stringValue(#""\ud83d\u0041""#) == "\u{FFFD}A")
    }

    @Test(arguments: [#""\x""#, #""\u12""#, #""\u12G4""#, #""unterminated"#, #""\"#])
    func badStringsAreBrokenLines(json: String) {
        #expect {
            _ = try stringValue(json)
        } throws: { error in
            (error as? LineError)?.kind == .brokenLine
        }
    }

    @Test func scratchIsReusedAcrossStrings() throws {
        let values = try scan(#"{"a":"x\ny","b":"\u00e9"}"#) { s in
            try s.beginObject()
            var out: [String] = []
            while try s.nextKey({ _ in 0 }) != nil { out.append(try s.readString(field: "f")) }
            return out
        }
        #expect(values == ["x\ny", "é"])
    }

    @Test func escapedKeysAreMatchedDecoded() throws {
        let table = FieldTable(["ts", "account_id"])
        let index = try scan(#"{"account\u005fid":"a"}"#) { s in
            try s.beginObject()
            return try s.nextKey { table.index(of: $0) }
        }
        #expect(index == 1)
    }

    @Test func fieldTableFindsEveryNameAndNothingElse() {
        let names = ["ts", "ip", "model", "request_id", "account_id", "output_tokens", "input_tokens"]
        let table = FieldTable(names)
        for (index, name) in names.enumerated() {
            var name = name
            #expect(name.withUTF8 { table.index(of: UnsafeRawBufferPointer($0)) } == index)
        }
        for other in ["", "t", "tS", "model_", "account_ix", "a_very_long_name_longer_than_any_field_in_the_table"] {
            var other = other
            #expect(other.withUTF8 { table.index(of: UnsafeRawBufferPointer($0)) } == -1)
        }
    }

    @Test func unknownFieldsOfEveryTypeAreSkipped() throws {
        let extra = #","s":"str {with} [braces] and \"quotes\" and \\","n":-12.5e+3,"i":7,"t":true,"f":false,"#
            + #""z":null,"o":{"a":{"b":[1,{"c":"}"}]},"d":"]"},"arr":[[],{},"[",["]",{"x":null}]],"e":{},"ea":[]"#
        let event = try UsageEvent.decode(line: eventLine(extra: extra))
        #expect(event.requestID == "r1")
        #expect(event.outputTokens == 34)
        // Unknown fields also before the known ones.
        let line = #"{"first":{"nested":["}",1]},"#
            + eventLine(request: "r2").dropFirst()
        #expect(try UsageEvent.decode(line: line).requestID == "r2")
    }

    @Test func whitespaceAnywhereBetweenTokens() throws {
        let line = " \t{ \"ts\" : \"2026-04-22T10:15:03Z\" ,\r\n \"request_id\":\"r\", \"account_id\" :\"a\","
            + "\"key_id\":\t\"k\" , \"ip\":\"::1\",\"model\":\"m\",\"status\" : 200 ,\"input_tokens\":1,"
            + "\"output_tokens\":2, \"stream\" : true , \"org_id\" : null , \"x\" : [ 1 , 2 ] } \t"
        let event = try UsageEvent.decode(line: line)
        #expect(event.ip == "::1")
        #expect(event.stream == true)
        #expect(event.orgID == nil)
        #expect(event.inputTokens == 1)
    }

    @Test(arguments: [
        ("0", 0), ("7", 7), ("-3", -3), ("1.0", 1), ("1e3", 1000), ("2.50E1", 25), ("123456789012345678", 123456789012345678),
    ])
    func integers(json: String, expected: Int) throws {
        let value = try scan(#"{"k":\#(json)}"#) { s in
            try s.beginObject()
            _ = try s.nextKey { _ in 0 }
            return try s.readInt(field: "k")
        }
        #expect(value == expected)
    }

    @Test func integerErrors() throws {
        func kind(_ json: String) -> (LogFormatError.Kind, String?)? {
            do {
                _ = try scan(#"{"k":\#(json)}"#) { s in
                    try s.beginObject()
                    _ = try s.nextKey { _ in 0 }
                    return try s.readInt(field: "k")
                }
                return nil
            } catch let error as LineError {
                return (error.kind, error.field)
            } catch { return nil }
        }
        #expect(kind("1.5")! == (.wrongType, "k"))
        #expect(kind(#""12""#)! == (.wrongType, "k"))
        #expect(kind("true")! == (.wrongType, "k"))
        #expect(kind("1234567890123456789012")! == (.badValue, "k"))
        #expect(kind("-x")!.0 == .brokenLine)
    }

    @Test(arguments: [
        "", "   ", "[1,2]", #""string""#, "{", #"{"a":1"#, #"{"a" 1}"#, #"{"a":1,}"#, #"{"a":1}x"#, #"{"a":1 "b":2}"#,
        #"{a:1}"#, #"{"a":}"#, #"{"a":tru}"#, #"{"a":nul}"#, #"{"a":{"b":1}"#, #"{"a":"b}"#, #"{"a":@}"#,
    ])
    func malformedObjectsAreBrokenLines(line: String) {
        #expect {
            _ = try scan(line) { s in
                try s.beginObject()
                while try s.nextKey({ _ in -1 }) != nil { try s.skipValue() }
                try s.end()
            }
        } throws: { error in
            (error as? LineError)?.kind == .brokenLine
        }
    }

    @Test func brokenLineMessagesGiveTheColumn() {
        #expect {
            _ = try UsageEvent.decode(line: #"{"ts":"2026-04-22T10:15:03Z" "request_id":"r"}"#)
        } throws: { error in
            guard let error = error as? LineError else { return false }
            return error.kind == .brokenLine && error.message.contains("column 30")
        }
    }

    @Test func readBoolAndNull() throws {
        let values = try scan(#"{"a":true,"b":false,"c":null,"d":"x"}"#) { s in
            try s.beginObject()
            _ = try s.nextKey { _ in 0 }
            let a = try s.readOptionalBool(field: "a")
            _ = try s.nextKey { _ in 0 }
            let b = try s.readBool(field: "b")
            _ = try s.nextKey { _ in 0 }
            let c = try s.readOptionalBool(field: "c")
            _ = try s.nextKey { _ in 0 }
            #expect(try s.peekKind() == .string)
            #expect {
                _ = try s.readBool(field: "d")
            } throws: { error in
                (error as? LineError)?.kind == .wrongType && (error as? LineError)?.field == "d"
            }
            return (a, b, c)
        }
        #expect(values.0 == true)
        #expect(values.1 == false)
        #expect(values.2 == nil)
    }
}
