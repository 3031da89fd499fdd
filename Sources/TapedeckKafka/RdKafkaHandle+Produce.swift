import CRdKafka

extension RdKafkaHandle {
    /// Enqueues one message, copying its bytes (`rd_kafka_produceva` with `RD_KAFKA_MSG_F_COPY`,
    /// one `RD_KAFKA_VTYPE_HEADER` per header, and `id` as the message opaque). The partitioner
    /// picks the partition from the key.
    func produce(topic: String, key: [UInt8]?, value: [UInt8], headers: [KafkaHeader], id: UInt64) throws(KafkaError) {
        // Topic and header names as C strings, and header values, in one buffer that outlives the call.
        var strings: [UInt8] = Array(topic.utf8) + [0]
        var offsets: [(name: Int, value: Int, size: Int)] = []
        offsets.reserveCapacity(headers.count)
        for header in headers {
            let name = strings.count
            strings += header.name.utf8
            strings.append(0)
            let value = strings.count
            strings += header.value ?? []
            offsets.append((name, value, header.value?.count ?? -1))
        }
        let error: OpaquePointer? = strings.withUnsafeBytes { stringBytes in
            key.withOptionalUnsafeBytes { keyBytes in
                value.withUnsafeBytes { valueBytes in
                    let base = stringBytes.baseAddress!
                    var fields = [rd_kafka_vu_t](repeating: rd_kafka_vu_t(), count: 5 + headers.count)
                    fields[0].vtype = RD_KAFKA_VTYPE_TOPIC
                    fields[0].u.cstr = base.assumingMemoryBound(to: CChar.self)
                    fields[1].vtype = RD_KAFKA_VTYPE_VALUE
                    fields[1].u.mem = .init(ptr: UnsafeMutableRawPointer(mutating: valueBytes.baseAddress), size: valueBytes.count)
                    fields[2].vtype = RD_KAFKA_VTYPE_KEY
                    fields[2].u.mem = .init(ptr: UnsafeMutableRawPointer(mutating: keyBytes?.baseAddress),
                                            size: keyBytes?.count ?? 0)
                    fields[3].vtype = RD_KAFKA_VTYPE_MSGFLAGS
                    fields[3].u.i = RD_KAFKA_MSG_F_COPY
                    fields[4].vtype = RD_KAFKA_VTYPE_OPAQUE
                    fields[4].u.ptr = UnsafeMutableRawPointer(bitPattern: UInt(id))
                    for (index, offset) in offsets.enumerated() {
                        fields[5 + index].vtype = RD_KAFKA_VTYPE_HEADER
                        fields[5 + index].u.header = .init(
                            name: (base + offset.name).assumingMemoryBound(to: CChar.self),
                            val: offset.size < 0 ? nil : UnsafeRawPointer(base + offset.value),
                            size: offset.size)
                    }
                    return rd_kafka_produceva(pointer, fields, fields.count)
                }
            }
        }
        try Self.check(error, context: "produce to \(topic)")
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
