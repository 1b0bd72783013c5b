/// The last key secret a connection presented that matched its key's stored hash, so that the next
/// request on that connection presenting the same secret is checked by a constant-time comparison with it
/// instead of a second HMAC (about 4% of the gateway's CPU per request). The principal is still looked up
/// for every request, so revocation and verdicts apply exactly as without the memo; a different secret,
/// or a key whose stored hash is not the one remembered, is hashed and compared as usual.
///
/// One per connection, dropped with it: the secret is held no longer than the connection that sent it.
/// Touched only on the connection's event loop, one request at a time; `@unchecked Sendable` only so that
/// a ``GatewayRequest`` can carry it.
final class KeyMemo: @unchecked Sendable {
    private var secret: [UInt8] = []
    private var storedHash = ""

    init() {}

    /// Whether `presented` is the secret remembered for `storedHash`. Every byte is compared, whatever
    /// the first difference; only a difference in length returns early (every secret the gateway issues
    /// has the same length).
    func remembers(_ presented: String, storedHash: String) -> Bool {
        guard !secret.isEmpty, storedHash == self.storedHash else { return false }
        var presented = presented
        return presented.withUTF8 { bytes -> Bool in
            guard bytes.count == secret.count else { return false }
            return secret.withUnsafeBufferPointer { known -> Bool in
                var diff: UInt8 = 0
                for i in 0..<bytes.count { diff |= bytes[i] ^ known[i] }
                return diff == 0
            }
        }
    }

    /// Remembers a secret that has just matched `storedHash`.
    func remember(_ secret: String, storedHash: String) {
        self.secret = Array(secret.utf8)
        self.storedHash = storedHash
    }
}
