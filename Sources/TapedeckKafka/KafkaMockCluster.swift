import CRdKafka
import Logging

/// librdkafka's in-process mock Kafka cluster, for fault injection in tests: brokers that go
/// down and come back, injected request errors, leader changes.
///
/// It runs inside a bare librdkafka instance that this object owns (`rd_kafka_mock_cluster_new`);
/// producers and consumers reach it through ``bootstrapServers`` like a real cluster.
package final class KafkaMockCluster: Sendable {
    /// Kafka protocol request types (API keys), for ``pushRequestErrors(_:_:)``.
    package enum Request: Int16, Sendable {
        case produce = 0
        case fetch = 1
        case listOffsets = 2
        case metadata = 3
        case offsetCommit = 8
        case findCoordinator = 10
        case joinGroup = 11
        case initProducerID = 22
    }

    /// The cluster's brokers as `host:port` (`rd_kafka_mock_cluster_bootstraps`).
    package let bootstrapServers: [String]
    /// The broker ids, 1 through the broker count.
    package let brokers: ClosedRange<Int32>

    private let owner: RdKafkaClient
    private let cluster: MockClusterPointer

    /// Starts a cluster of `brokers` brokers (`rd_kafka_mock_cluster_new`).
    package init(brokers count: Int32 = 3, logger: Logger) throws(KafkaError) {
        owner = try RdKafkaClient(.producer, properties: [], callbacks: RdKafkaCallbacks(logger: logger))
        guard let pointer = rd_kafka_mock_cluster_new(owner.handle.pointer, count) else {
            throw KafkaError(code: .invalidArgument, context: "create a mock cluster of \(count) brokers")
        }
        cluster = MockClusterPointer(pointer: pointer)
        bootstrapServers = String(cString: rd_kafka_mock_cluster_bootstraps(pointer)).split(separator: ",").map(String.init)
        brokers = 1...count
    }

    /// Creates a topic (`rd_kafka_mock_topic_create`).
    package func createTopic(_ topic: String, partitions: Int32, replicationFactor: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_topic_create(cluster.pointer, topic, partitions, replicationFactor), "create topic \(topic)")
    }

    /// Takes a broker down: its connections close and it refuses new ones (`rd_kafka_mock_broker_set_down`).
    package func setBrokerDown(_ broker: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_broker_set_down(cluster.pointer, broker), "set broker \(broker) down")
    }

    /// Brings a broker back up (`rd_kafka_mock_broker_set_up`).
    package func setBrokerUp(_ broker: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_broker_set_up(cluster.pointer, broker), "set broker \(broker) up")
    }

    /// Makes `broker` the leader of a partition (`rd_kafka_mock_partition_set_leader`).
    package func setPartitionLeader(topic: String, partition: Int32, broker: Int32) throws(KafkaError) {
        try check(rd_kafka_mock_partition_set_leader(cluster.pointer, topic, partition, broker),
                  "move the leader of \(topic)[\(partition)] to broker \(broker)")
    }

    /// Makes the next requests of one type fail, one error per request, in order, whichever broker
    /// gets them (`rd_kafka_mock_push_request_errors_array`).
    package func pushRequestErrors(_ request: Request, _ errors: [KafkaError.Code]) {
        let codes = errors.map(\.cValue)
        rd_kafka_mock_push_request_errors_array(cluster.pointer, request.rawValue, codes.count, codes)
    }

    private func check(_ code: rd_kafka_resp_err_t, _ context: @autoclosure () -> String) throws(KafkaError) {
        guard code == RD_KAFKA_RESP_ERR_NO_ERROR else { throw KafkaError(code: .init(code), context: context()) }
    }

    deinit {
        rd_kafka_mock_cluster_destroy(cluster.pointer)
    }
}

/// The `rd_kafka_mock_cluster_t *`; the mock cluster is thread-safe.
private struct MockClusterPointer: @unchecked Sendable {
    let pointer: OpaquePointer
}
