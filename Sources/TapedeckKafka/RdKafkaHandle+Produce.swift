import CRdKafka

extension RdKafkaHandle {
    /// Enqueues one message (`rd_kafka_produceva` with the topic handle, one
    /// `RD_KAFKA_VTYPE_HEADER` per header, and `id` as the message opaque). The partitioner picks
    /// the partition from the key. The key and headers are copied; the value is copied
    /// (`RD_KAFKA_MSG_F_COPY`) when `copyValue` is set, otherwise librdkafka reads `value`'s
    /// storage until the message's delivery report, so the caller must keep that array alive and
    /// unchanged until then.
    ///
    /// The header fields point into the header block and the field array is on the stack:
    /// nothing is allocated or copied per message on this side.
    func produce(topic: RdKafkaTopic, key: [UInt8]?, value: [UInt8], copyValue: Bool, headers: KafkaHeaderBlock,
                 id: UInt64) throws(KafkaError) {
        let error = withUnsafeTemporaryAllocation(of: rd_kafka_vu_t.self, capacity: 5 + headers.count) { fields in
            headers.withUnsafeBytes { headerBytes in
                key.withOptionalUnsafeBytes { keyBytes in
                    value.withUnsafeBytes { valueBytes in
                        func field(_ type: rd_kafka_vtype_t) -> rd_kafka_vu_t {
                            var field = rd_kafka_vu_t()
                            field.vtype = type
                            return field
                        }
                        var topicField = field(RD_KAFKA_VTYPE_RKT)
                        topicField.u.rkt = topic.handle
                        var valueField = field(RD_KAFKA_VTYPE_VALUE)
                        valueField.u.mem = .init(ptr: UnsafeMutableRawPointer(mutating: valueBytes.baseAddress), size: valueBytes.count)
                        var keyField = field(RD_KAFKA_VTYPE_KEY)
                        keyField.u.mem = .init(ptr: UnsafeMutableRawPointer(mutating: keyBytes?.baseAddress), size: keyBytes?.count ?? 0)
                        var flagsField = field(RD_KAFKA_VTYPE_MSGFLAGS)
                        flagsField.u.i = copyValue ? RD_KAFKA_MSG_F_COPY : 0
                        var opaqueField = field(RD_KAFKA_VTYPE_OPAQUE)
                        opaqueField.u.ptr = UnsafeMutableRawPointer(bitPattern: UInt(id))
                        fields.initializeElement(at: 0, to: topicField)
                        fields.initializeElement(at: 1, to: valueField)
                        fields.initializeElement(at: 2, to: keyField)
                        fields.initializeElement(at: 3, to: flagsField)
                        fields.initializeElement(at: 4, to: opaqueField)
                        var index = 5
                        KafkaHeaderBlock.forEachHeader(in: headerBytes) { name, value in
                            var headerField = field(RD_KAFKA_VTYPE_HEADER)
                            headerField.u.header = .init(name: name, val: value?.baseAddress, size: value.map { $0.count } ?? -1)
                            fields.initializeElement(at: index, to: headerField)
                            index += 1
                        }
                        return rd_kafka_produceva(pointer, fields.baseAddress, index)
                    }
                }
            }
        }
        withExtendedLifetime(topic) {}
        try Self.check(error, context: "produce to \(topic.name)")
    }
}

extension Optional where Wrapped == [UInt8] {
    /// `withUnsafeBytes` for an optional array: nil when there is no array.
    fileprivate func withOptionalUnsafeBytes<Result>(_ body: (UnsafeRawBufferPointer?) -> Result) -> Result {
        switch self {
        case .some(let bytes): bytes.withUnsafeBytes { body($0) }
        case .none: body(nil)
        }
    }
}
