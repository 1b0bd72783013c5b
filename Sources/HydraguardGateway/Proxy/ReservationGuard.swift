import Synchronization

/// Settles a reservation exactly once, even on a path that forgets to (then with what was reserved), so
/// that no error leaves a counter charged or an in-flight slot taken.
final class ReservationGuard: Sendable {
    let reservation: Reservation
    private let limiter: Limiter
    private let settled = Mutex(false)

    init(_ reservation: Reservation, limiter: Limiter) {
        self.reservation = reservation
        self.limiter = limiter
    }

    func settle(inputTokens: Int, outputTokens: Int) {
        let first = settled.withLock { done -> Bool in
            defer { done = true }
            return !done
        }
        if first { limiter.settle(reservation, inputTokens: inputTokens, outputTokens: outputTokens) }
    }

    deinit {
        if !settled.withLock({ $0 }) {
            limiter.settle(reservation, inputTokens: reservation.inputTokens, outputTokens: reservation.outputTokens)
        }
    }
}
