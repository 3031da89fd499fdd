import Foundation
import Logging
import Synchronization
import TapedeckKafka
import TapedeckPOSIX
@_exported import KafkaTestSupport

/// Collects delivery reports and lets a test wait for a number of them.
final class DeliveryCollector: Sendable {
    private let lock = ConditionLock()
    private let reports = Mutex<[KafkaDeliveryReport]>([])

    /// The handler to give a producer.
    var handler: @Sendable (KafkaDeliveryReport) -> Void {
        { report in
            self.reports.withLock { $0.append(report) }
            self.lock.withLock { self.lock.broadcast() }
        }
    }

    /// The reports so far, in arrival order.
    var all: [KafkaDeliveryReport] { reports.withLock { $0 } }

    /// Waits until `count` reports arrived or `timeout` passed; returns the reports.
    func wait(for count: Int, timeout: Duration) -> [KafkaDeliveryReport] {
        let deadline = ContinuousClock.now + timeout
        lock.withLock {
            while all.count < count, ContinuousClock.now < deadline {
                lock.wait(timeoutSeconds: 0.05)
            }
        }
        return all
    }
}

/// Bytes of `text`.
func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

