import CRdKafka
import Logging

/// What a librdkafka instance calls back into: the logger, the delivery-report handler (producers)
/// and the rebalance handler (consumers).
///
/// The instance's configuration opaque (`rd_kafka_conf_set_opaque`) points at this object; the
/// ``RdKafkaClient`` that owns the instance keeps it alive until after `rd_kafka_destroy`.
/// Callbacks run on librdkafka's threads (logs) or on the thread that polls (delivery reports,
/// errors, rebalances), so everything here is immutable and `Sendable`.
final class RdKafkaCallbacks: Sendable {
    /// A partition assignment change delivered to a consumer's rebalance callback.
    enum Rebalance {
        /// The group assigned these partitions; the handler must call `assign`.
        case assign([KafkaTopicPartition])
        /// The group took the assignment back; the handler must clear it.
        case revoke([KafkaTopicPartition])
        /// The rebalance failed (`err` other than the two above); the handler must clear the assignment.
        case error(KafkaError)
    }

    let logger: Logger
    let delivery: (@Sendable (KafkaDeliveryReport) -> Void)?
    let rebalance: (@Sendable (RdKafkaHandle, Rebalance) -> Void)?

    init(logger: Logger, delivery: (@Sendable (KafkaDeliveryReport) -> Void)? = nil,
         rebalance: (@Sendable (RdKafkaHandle, Rebalance) -> Void)? = nil) {
        self.logger = logger
        self.delivery = delivery
        self.rebalance = rebalance
    }

    /// The callbacks of the instance `rk` (`rd_kafka_opaque`).
    static func of(_ rk: OpaquePointer?) -> RdKafkaCallbacks {
        Unmanaged<RdKafkaCallbacks>.fromOpaque(rd_kafka_opaque(rk)!).takeUnretainedValue()
    }

    /// Installs the C trampolines and this object as the opaque of `conf`
    /// (`rd_kafka_conf_set_opaque`, `_set_log_cb`, `_set_error_cb`, `_set_dr_msg_cb`, `_set_rebalance_cb`).
    func install(on conf: OpaquePointer) {
        rd_kafka_conf_set_opaque(conf, Unmanaged.passUnretained(self).toOpaque())
        rd_kafka_conf_set_log_cb(conf) { rk, level, facility, text in
            let callbacks = RdKafkaCallbacks.of(rk)
            let message = "librdkafka \(String(cString: facility!)): \(String(cString: text!))"
            callbacks.logger.log(level: Logger.Level(syslog: level), "\(message)")
        }
        rd_kafka_conf_set_error_cb(conf) { rk, code, reason, _ in
            let callbacks = RdKafkaCallbacks.of(rk)
            let error = KafkaError(code: .init(rawValue: code), message: reason.map { String(cString: $0) },
                                   context: "librdkafka")
            callbacks.logger.log(level: error.code == .fatal ? .error : .warning, "\(error)")
        }
        if delivery != nil {
            rd_kafka_conf_set_dr_msg_cb(conf) { rk, message, _ in
                guard let message = message?.pointee else { return }
                let status: KafkaDeliveryStatus
                if message.err == RD_KAFKA_RESP_ERR_NO_ERROR {
                    status = .acknowledged(partition: message.partition, offset: message.offset)
                } else {
                    status = .failure(KafkaError(code: .init(message.err), context: "delivery"))
                }
                let id = UInt64(UInt(bitPattern: message._private))
                RdKafkaCallbacks.of(rk).delivery?(KafkaDeliveryReport(id: id, status: status))
            }
        }
        if rebalance != nil {
            rd_kafka_conf_set_rebalance_cb(conf) { rk, code, partitions, _ in
                let list = RdKafkaHandle.partitions(of: partitions)
                let event: Rebalance
                switch code {
                case RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS: event = .assign(list)
                case RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS: event = .revoke(list)
                default: event = .error(KafkaError(code: .init(code), context: "rebalance"))
                }
                RdKafkaCallbacks.of(rk).rebalance?(RdKafkaHandle(pointer: rk!), event)
            }
        }
    }
}

extension Logger.Level {
    /// The level for a librdkafka log line's syslog level (0 emergency … 7 debug).
    init(syslog level: Int32) {
        switch level {
        case ...2: self = .critical
        case 3: self = .error
        case 4: self = .warning
        case 5: self = .notice
        case 6: self = .info
        default: self = .debug
        }
    }
}
