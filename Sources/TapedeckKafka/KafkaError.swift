import CRdKafka

/// A librdkafka failure: the error code, librdkafka's name and text for it, and what was being done.
///
/// Codes are librdkafka's `rd_kafka_resp_err_t`: negative codes are client-side (`_QUEUE_FULL`,
/// `_TRANSPORT`, `_FATAL`…), non-negative ones come from the broker (`NOT_ENOUGH_REPLICAS`…).
public struct KafkaError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The error code.
    public var code: Code
    /// librdkafka's text for this failure: the specific message when librdkafka gave one
    /// (an `errstr` buffer, `rd_kafka_message_errstr`), else the code's text (`rd_kafka_err2str`).
    public var message: String
    /// What Tapedeck was doing, e.g. `"produce to tapedeck.flows"`.
    public var context: String

    /// Creates an error; `message` defaults to the code's text.
    public init(code: Code, message: String? = nil, context: String) {
        self.code = code
        self.message = message ?? code.text
        self.context = context
    }

    /// librdkafka's name for the code, e.g. `NOT_ENOUGH_REPLICAS` or `_QUEUE_FULL`.
    public var name: String { code.name }

    public var description: String { "\(context): \(message) (\(name), \(code.rawValue))" }

    /// A librdkafka error code (`rd_kafka_resp_err_t`).
    public struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The numeric value of `rd_kafka_resp_err_t`.
        public var rawValue: Int32

        /// Wraps a numeric `rd_kafka_resp_err_t`.
        public init(rawValue: Int32) { self.rawValue = rawValue }

        init(_ value: rd_kafka_resp_err_t) { self.rawValue = value.rawValue }

        var cValue: rd_kafka_resp_err_t { rd_kafka_resp_err_t(rawValue: rawValue) }

        /// librdkafka's name for the code (`rd_kafka_err2name`), e.g. `LEADER_NOT_AVAILABLE`.
        public var name: String { String(cString: rd_kafka_err2name(cValue)) }

        /// librdkafka's human-readable text for the code (`rd_kafka_err2str`).
        public var text: String { String(cString: rd_kafka_err2str(cValue)) }

        public var description: String { name }

        /// Success (`RD_KAFKA_RESP_ERR_NO_ERROR`).
        public static let noError = Code(RD_KAFKA_RESP_ERR_NO_ERROR)
        /// The local producer queue is full (`_QUEUE_FULL`).
        public static let queueFull = Code(RD_KAFKA_RESP_ERR__QUEUE_FULL)
        /// A message is larger than `message.max.bytes` (`MSG_SIZE_TOO_LARGE`).
        public static let messageSizeTooLarge = Code(RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE)
        /// The instance raised a fatal error and must be recreated (`_FATAL`).
        public static let fatal = Code(RD_KAFKA_RESP_ERR__FATAL)
        /// A local timeout (`_TIMED_OUT`), e.g. `rd_kafka_flush` did not finish.
        public static let timedOut = Code(RD_KAFKA_RESP_ERR__TIMED_OUT)
        /// A message timed out in the local queue (`_MSG_TIMED_OUT`).
        public static let messageTimedOut = Code(RD_KAFKA_RESP_ERR__MSG_TIMED_OUT)
        /// A system resource failed, e.g. a thread could not be started (`_CRIT_SYS_RESOURCE`).
        public static let criticalSystemResource = Code(RD_KAFKA_RESP_ERR__CRIT_SYS_RESOURCE)
        /// An invalid argument, or an unknown or invalid configuration property (`_INVALID_ARG`).
        public static let invalidArgument = Code(RD_KAFKA_RESP_ERR__INVALID_ARG)
        /// The message was purged from the queue before it was sent (`_PURGE_QUEUE`).
        public static let purgedFromQueue = Code(RD_KAFKA_RESP_ERR__PURGE_QUEUE)
        /// The message was purged while in flight (`_PURGE_INFLIGHT`).
        public static let purgedInFlight = Code(RD_KAFKA_RESP_ERR__PURGE_INFLIGHT)
        /// The instance is being destroyed (`_DESTROY`).
        public static let destroyed = Code(RD_KAFKA_RESP_ERR__DESTROY)
        /// The topic is unknown to the cluster (`_UNKNOWN_TOPIC`).
        public static let unknownTopic = Code(RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC)
        /// The broker knows no such topic or partition (`UNKNOWN_TOPIC_OR_PART`).
        public static let unknownTopicOrPartition = Code(RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
        /// Fewer in-sync replicas than `min.insync.replicas` (`NOT_ENOUGH_REPLICAS`, retriable).
        public static let notEnoughReplicas = Code(RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS)
        /// The partition has no leader right now (`LEADER_NOT_AVAILABLE`, retriable).
        public static let leaderNotAvailable = Code(RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE)
        /// The broker is not the partition's leader (`NOT_LEADER_FOR_PARTITION`, retriable).
        public static let notLeaderForPartition = Code(RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION)
        /// The broker timed out the request (`REQUEST_TIMED_OUT`, retriable).
        public static let requestTimedOut = Code(RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT)
        /// The record is invalid for the broker (`INVALID_RECORD`, permanent).
        public static let invalidRecord = Code(RD_KAFKA_RESP_ERR_INVALID_RECORD)
        /// The producer's epoch was fenced by a newer one (`INVALID_PRODUCER_EPOCH`, fatal for an
        /// idempotent producer).
        public static let invalidProducerEpoch = Code(RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH)
        /// The consumer reached the end of a partition (`_PARTITION_EOF`).
        public static let partitionEOF = Code(RD_KAFKA_RESP_ERR__PARTITION_EOF)
    }
}
