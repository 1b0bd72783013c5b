import NIOCore

/// Bytes a handler read that its decoder has not taken yet (the start of a message), kept for the next
/// read, as `ByteToMessageHandler` keeps them: ``ResponderHandler`` and ``UpstreamHandler`` run their
/// decoders themselves.
struct UnreadBytes {
    private var kept: ByteBuffer?

    /// `incoming` after the bytes kept from the reads before it.
    mutating func joined(with incoming: ByteBuffer) -> ByteBuffer {
        guard var kept = kept.take() else { return incoming }
        var incoming = incoming
        kept.writeBuffer(&incoming)
        return kept
    }

    /// Keeps what the decoder left of `buffer` for the next read, dropping the bytes already read once
    /// they are many.
    mutating func keep(_ buffer: ByteBuffer) {
        guard buffer.readableBytes > 0 else { return }
        var buffer = buffer
        if buffer.readerIndex >= 16 << 10 { buffer.discardReadBytes() }
        kept = buffer
    }

    /// Forgets the bytes kept (the connection ended, or what it sent cannot be read); returns them.
    @discardableResult
    mutating func drop() -> ByteBuffer? { kept.take() }
}
