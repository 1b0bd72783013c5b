import Foundation
import Testing
@testable import HydraguardLog

@Suite struct FindingsTests {
    static let valid = """
        {"version":1,"generated_at":"2026-06-06T00:00:00Z","window":{"from":"a","to":"b"},
         "accounts":[
           {"account_id":"acct_1","risk":0.97,"verdict":"block","campaign":"c1",
            "reasons":[{"signal":"prompt_template_shared","detail":"412 accounts","weight":0.4}]},
           {"account_id":"acct_2","risk":0.5,"verdict":"watch","campaign":null,"reasons":[]}],
         "campaigns":[
           {"id":"c1","accounts":["acct_1"],"requests":1234,"input_tokens":5,"output_tokens":6,
            "first_seen":"x","last_seen":"y","targets":["coding"],
            "evidence":[{"signal":"shared_payment_fp","detail":"3 cards"}]}],
         "extra_field_ignored": true}
        """

    func failure(_ json: String) -> FindingsError? {
        do {
            _ = try Findings.decode(Data(json.utf8), file: "f.json")
            return nil
        } catch let error as FindingsError {
            return error
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test func decodesTheSpecExample() throws {
        let findings = try Findings.decode(Data(Self.valid.utf8), file: "f.json")
        #expect(findings.accounts.count == 2)
        #expect(findings.accounts[0].verdict == .block)
        #expect(findings.accounts[1].campaign == nil)
        #expect(findings.campaigns[0].inputTokens == 5)
        #expect(findings.campaigns[0].evidence[0].weight == nil)
    }

    @Test func encodedFindingsRoundTripAndKeepNullCampaign() throws {
        let findings = try Findings.decode(Data(Self.valid.utf8), file: "f.json")
        let data = try findings.encoded()
        #expect(String(decoding: data, as: UTF8.self).contains(#""campaign" : null"#))
        #expect(try Findings.decode(data, file: "again.json") == findings)
    }

    @Test(arguments: [
        ("\"risk\":0.97,", "", "accounts[0].risk", "missing"),
        ("\"risk\":0.97", "\"risk\":\"high\"", "accounts[0].risk", "wrong type"),
        ("\"verdict\":\"block\"", "\"verdict\":\"ban\"", "accounts[0].verdict", "ban"),
        ("\"risk\":0.97", "\"risk\":1.5", "accounts[0].risk", "not in [0, 1]"),
        ("\"risk\":0.5", "\"risk\":-0.1", "accounts[1].risk", "not in [0, 1]"),
        ("\"requests\":1234", "\"requests\":null", "campaigns[0].requests", "null"),
        ("\"version\":1", "\"version\":2", "version", "expected 1"),
        ("\"signal\":\"prompt_template_shared\"", "\"signal\":\"\"", "accounts[0].reasons[0].signal", "empty"),
        ("\"account_id\":\"acct_2\"", "\"account_id\":\"acct_1\"", "accounts[1].account_id", "twice"),
        ("\"accounts\":[\"acct_1\"]", "\"accounts\":[\"acct_1\",\"acct_2\"]", "campaigns[0].accounts[1]", "null"),
        ("\"accounts\":[\"acct_1\"]", "\"accounts\":[\"acct_9\"]", "campaigns[0].accounts[0]", "no entry"),
        ("\"campaign\":\"c1\"", "\"campaign\":\"c2\"", "campaigns[0].accounts[0]", "c2"),
        ("\"id\":\"c1\",\"accounts\":[\"acct_1\"]", "\"id\":\"c1\",\"accounts\":[]", "accounts[0].campaign", "does not list"),
        ("\"window\":{\"from\":\"a\",\"to\":\"b\"},", "", "window", "missing"),
    ])
    func errorsNameTheField(find: String, replace: String, field: String, message: String) throws {
        let json = Self.valid.replacingOccurrences(of: find, with: replace)
        #expect(json != Self.valid)
        let error = try #require(failure(json))
        #expect(error.file == "f.json")
        #expect(error.field == field)
        #expect(error.message.contains(message), "\(error.message)")
        #expect(error.description.contains("`\(field)`"))
    }

    @Test func campaignMissingFromCampaigns() throws {
        let json = Self.valid.replacingOccurrences(of: "\"campaign\":null", with: "\"campaign\":\"c9\"")
        let error = try #require(failure(json))
        #expect(error.field == "accounts[1].campaign")
        #expect(error.message.contains("not in `campaigns`"))
    }

    @Test func brokenJSONIsAboutTheDocument() throws {
        let error = try #require(failure("{\"version\":1,"))
        #expect(error.field == "(document)")
        #expect(error.message.contains("not valid JSON"))
    }

    @Test func readAndWriteAFile() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let findings = try Findings.decode(Data(Self.valid.utf8), file: "f.json")
        let path = dir.file("findings.json")
        try findings.write(to: path)
        #expect(try Findings.read(path: path) == findings)
        #expect(try dir.contents() == ["findings.json"])
        #expect {
            _ = try Findings.read(path: dir.file("absent.json"))
        } throws: { error in
            (error as? FindingsError)?.field == "(file)" && (error as? FindingsError)?.file == dir.file("absent.json")
        }
    }

    @Test func verdictsOrderAndActions() {
        #expect(Findings.Verdict.allCases.filter(\.isAction) == [.throttle, .challenge, .block])
        #expect(Findings.Verdict.watch < .block)
    }
}
