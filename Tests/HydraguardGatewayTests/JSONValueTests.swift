import Foundation
@testable import HydraguardGateway
import Testing

@Suite struct JSONValueTests {
    func parse(_ text: String) throws -> JSONValue { try JSONValue.parse(Array(text.utf8)) }

    @Test func documentsParseAndKeepOrderAndNumberText() throws {
        let v = try parse(#" {"b": [1, -2.50e+3, true, false, null], "a": {"x": "y"}, "c": 0} "#)
        guard case .object(let o) = v else { Issue.record("not an object"); return }
        #expect(o.entries.map(\.key) == ["b", "a", "c"])
        #expect(v["b"] == .array([.number("1"), .number("-2.50e+3"), .bool(true), .bool(false), .null]))
        #expect(v["a"]?["x"] == .string("y"))
        #expect(String(decoding: v.serialized(), as: UTF8.self) == #"{"b":[1,-2.50e+3,true,false,null],"a":{"x":"y"},"c":0}"#)
        #expect(v["b"]?.arrayValue?[1].doubleValue == -2500)
    }

    @Test func escapesAndUnicodeRoundTrip() throws {
        let v = try parse(#""q\" s\\ sl\/ \b\f\n\r\t é \u00e9 \ud83d\ude00 \ud800x""#)
        #expect(v == .string("q\" s\\ sl/ \u{8}\u{C}\n\r\t é é 😀 \u{FFFD}x"))
        let again = try JSONValue.parse(v.serialized())
        #expect(again == v)
        // Control characters are escaped on the way out.
        #expect(String(decoding: JSONValue.string("a\u{1}b").serialized(), as: UTF8.self) == #""a\u0001b""#)
    }

    @Test func malformedDocumentsAreRejectedWithTheirOffset() {
        let bad = [
            "", "{", "[1,]", #"{"a":1,}"#, "01", "1.", "-", "1e", "tru", "nul", #""\x""#, "\"a\u{1}b\"", "[1] 2",
            #"{"a" 1}"#, #"{1:2}"#, "\"unterminated", #""\u12""#, "NaN", "// c\n1",
        ]
        for text in bad {
            #expect(throws: JSONValue.SyntaxError.self, "\(text)") { try parse(text) }
        }
        #expect(throws: JSONValue.SyntaxError(offset: 3)) { try parse("[1,]") }
        // Invalid UTF-8 inside a string.
        #expect(throws: JSONValue.SyntaxError.self) { try JSONValue.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test func stringsWithoutEscapesAreDecodedOnlyWhenValidUTF8() throws {
        // ASCII and valid multi-byte text, unescaped, decode exactly.
        #expect(try parse(#""plain ascii, 0-9 ~""#) == .string("plain ascii, 0-9 ~"))
        #expect(try parse(#""ascii then é, € and 😀""#) == .string("ascii then é, € and 😀"))
        #expect(try parse(#"{"k":"日本語","a":"b"}"#)["k"] == .string("日本語"))
        // Invalid UTF-8 is refused wherever it sits: after ASCII, at the end, a lone continuation byte,
        // an overlong encoding, a truncated sequence, a surrogate's encoding, and with an escape later.
        let invalid: [[UInt8]] = [
            [0x22, 0x61, 0x62, 0xFF, 0x63, 0x22], [0x22, 0x61, 0x80, 0x22], [0x22, 0x61, 0x62, 0xC3, 0x22],
            [0x22, 0xC0, 0xAF, 0x22], [0x22, 0xE2, 0x82, 0x22], [0x22, 0xED, 0xA0, 0x80, 0x22],
            [0x22, 0xFF, 0x5C, 0x6E, 0x22],
        ]
        for bytes in invalid {
            #expect(throws: JSONValue.SyntaxError.self, "\(bytes)") { try JSONValue.parse(bytes) }
        }
    }

    @Test func nestingIsBounded() throws {
        let deep = String(repeating: "[", count: JSONValue.maxDepth) + String(repeating: "]", count: JSONValue.maxDepth)
        _ = try parse(deep)
        let tooDeep = "[" + deep + "]"
        #expect(throws: JSONValue.SyntaxError.self) { try parse(tooDeep) }
    }

    @Test func wholeNumbersAndMembersEdit() throws {
        #expect(JSONValue.number("12").wholeNumber == 12)
        #expect(JSONValue.number("1.2e1").wholeNumber == 12)
        #expect(JSONValue.number("1.5").wholeNumber == nil)
        #expect(JSONValue.number("1e300").wholeNumber == .max)
        #expect(JSONValue.bool(true).wholeNumber == nil)
        var v = try parse(#"{"k":1,"k":2,"z":3}"#)
        #expect(v["k"] == .number("2"))  // the last of a repeated key
        v["z"] = nil
        v["n"] = .string("new")
        v["k"] = .number("5")
        #expect(String(decoding: v.serialized(), as: UTF8.self) == #"{"k":1,"k":5,"n":"new"}"#)
    }

    @Test func agreesWithJSONSerializationOnValidDocuments() throws {
        let samples = [
            #"{"model":"m","max_tokens":64,"messages":[{"role":"user","content":[{"type":"text","text":"hi \"there\""}]}]}"#,
            #"[0, -0, 1e5, 3.25, "\u20ac", {"a":[[],{}]}, "tab\there"]"#,
        ]
        for text in samples {
            let ours = try parse(text)
            let roundTripped = try JSONSerialization.jsonObject(with: Data(ours.serialized()))
            let theirs = try JSONSerialization.jsonObject(with: Data(text.utf8))
            #expect(NSDictionary(dictionary: ["v": roundTripped]).isEqual(NSDictionary(dictionary: ["v": theirs])))
        }
    }
}
