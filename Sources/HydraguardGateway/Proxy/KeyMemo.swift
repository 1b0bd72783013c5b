/// The last key secret a connection presented that matched its key's stored hash, so that the next
/// request on that connection presenting the same secret is checked by a constant-time comparison with it
/// instead of a second HMAC (about 5% of the gateway's CPU per request). The principal is still looked up
/// for every request, so revocation and verdicts apply exactly as without the memo; a different secret,
/// or a key whose stored hash is not the one remembered, is hashed and compared as usual.
///
/// One per connection, dropped with it: the secret is held no longer than the connection that sent it.
/// Touched only on the connection's event loop, one request at a time; `@unchecked Sendable` only so that
/// a ``GatewayRequest`` can carry it.
final class KeyMemo: @unchecked Sendable {
    private var remembered: (secret: String, storedHash: String)?

    init() {}

    /// Whether `presented` is the secret remembered for `storedHash`, compared in constant time.
    func remembers(_ presented: String, storedHash: String) -> Bool {
        guard let remembered, storedHash == remembered.storedHash else { return false }
        return constantTimeEqual(presented, remembered.secret)
    }

    /// Remembers a secret that has just matched `storedHash`.
    func remember(_ secret: String, storedHash: String) {
        remembered = (secret, storedHash)
    }
}
