@testable import HydraguardGateway
import Testing

@Suite struct KeyMemoTests {
    @Test func aKeyMemoRemembersOnlyTheExactSecretForItsStoredHash() {
        let memo = KeyMemo()
        #expect(!memo.remembers("", storedHash: ""))
        #expect(!memo.remembers("hg_key_a_0123456789", storedHash: "h1"))
        memo.remember("hg_key_a_0123456789", storedHash: "h1")
        #expect(memo.remembers("hg_key_a_0123456789", storedHash: "h1"))
        #expect(!memo.remembers("hg_key_a_0123456789", storedHash: "h2"))
        #expect(!memo.remembers("hg_key_a_0123456788", storedHash: "h1"))
        #expect(!memo.remembers("Hg_key_a_0123456789", storedHash: "h1"))
        #expect(!memo.remembers("hg_key_a_012345678", storedHash: "h1"))
        #expect(!memo.remembers("hg_key_a_01234567890", storedHash: "h1"))
        memo.remember("hg_key_b_abc", storedHash: "h2")
        #expect(!memo.remembers("hg_key_a_0123456789", storedHash: "h1"))
        #expect(memo.remembers("hg_key_b_abc", storedHash: "h2"))
    }

    @Test func secretsAreEqualOnlyByteForByte() {
        #expect(constantTimeEqual("", ""))
        #expect(constantTimeEqual("hg_key_a_xyz", "hg_key_a_xyz"))
        #expect(!constantTimeEqual("hg_key_a_xyz", "hg_key_a_xyZ"))
        #expect(!constantTimeEqual("Hg_key_a_xyz", "hg_key_a_xyz"))
        #expect(!constantTimeEqual("hg_key_a_xy", "hg_key_a_xyz"))
        #expect(!constantTimeEqual("hg_key_a_xyz", "hg_key_a_xy"))
        #expect(!constantTimeEqual("", "a"))
        // A longer string whose extra bytes are zero is still not equal.
        #expect(!constantTimeEqual("ab", "ab\u{0}"))
    }
}
