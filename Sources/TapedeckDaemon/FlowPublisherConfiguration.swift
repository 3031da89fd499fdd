import TapedeckFlows
import TapedeckKafka

/// How a ``FlowPublisher`` reads the store and publishes.
public struct FlowPublisherConfiguration: Sendable {
    /// The Kafka producer (brokers, `-X` properties).
    public var producer: KafkaProducerConfiguration
    /// The topic of flow chunks. Default `tapedeck.flows`.
    public var topic = "tapedeck.flows"
    /// The topic of reassembled TCP payload per direction (`tapedeck.streams` in the contract);
    /// nil (the default) publishes none and does not reassemble.
    public var streamsTopic: String?
    /// The sensor name in every message's headers. Default: the host name.
    public var sensor: String
    /// Flow timeouts, chunk and stream segment sizes, memory limit. Streams are reassembled
    /// only when there is a ``streamsTopic`` (the publisher sets `reassemblesStreams`).
    public var tracker: FlowTrackerConfiguration
    /// Whether packet time follows the wall clock (a live recording): when the publisher has read
    /// everything stored, it moves the flow table's clock to the wall clock minus
    /// ``wallClockMargin``, so that flows that went quiet are published without waiting for the
    /// next packet. Off for imported captures, whose packet times are in the past.
    public var followsWallClock = false
    /// How far behind the wall clock the flow table's clock is moved (stored packets may lag
    /// capture by the recorder's block latency). Default 2 s.
    public var wallClockMargin: Duration = .seconds(2)
    /// How long to wait before looking at the store again when everything stored was read.
    /// Default 100 ms.
    public var pollInterval: Duration = .milliseconds(100)
    /// How often a checkpoint is taken (it is written once Kafka acknowledged everything before
    /// it). Default 1 s.
    public var checkpointInterval: Duration = .seconds(1)
    /// How often the counters are logged and written to `flow-publisher-stats.json`. Default 10 s.
    public var statisticsInterval: Duration = .seconds(10)

    /// A configuration for publishing through `producer`, from sensor `sensor`.
    public init(producer: KafkaProducerConfiguration, sensor: String) {
        self.producer = producer
        self.sensor = sensor
        tracker = FlowTrackerConfiguration()
    }
}
