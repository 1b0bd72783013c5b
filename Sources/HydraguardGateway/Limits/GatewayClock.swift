import Foundation
import Synchronization

/// Wall-clock time for limits, injected so that tests move time by hand instead of sleeping.
///
/// ```swift
/// let clock = GatewayClock.manual(start: 1_700_000_000)
/// clock.advance(by: 60)
/// ```
public struct GatewayClock: Sendable {
    private let read: @Sendable () -> Double
    private let manualState: ManualState?

    /// Seconds since 1970.
    public func now() -> Double { read() }

    public static let system = GatewayClock(read: { Date().timeIntervalSince1970 }, manualState: nil)

    /// A clock that stands still until ``advance(by:)``.
    public static func manual(start: Double) -> GatewayClock {
        let state = ManualState(start)
        return GatewayClock(read: { state.value.withLock { $0 } }, manualState: state)
    }

    /// Moves a manual clock forward (does nothing to the system clock).
    public func advance(by seconds: Double) {
        manualState?.value.withLock { $0 += seconds }
    }

    final class ManualState: Sendable {
        let value: Mutex<Double>
        init(_ start: Double) { value = Mutex(start) }
    }
}
