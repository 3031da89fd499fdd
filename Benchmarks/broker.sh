# Sourced by the Kafka benchmark scripts: `kafka_broker WORKDIR` sets $broker to host:port of a
# Kafka broker: $KAFKA_BROKER if set, otherwise a noida-db (pip install noida-db==0.2.3, installed
# if missing) started on a free port with its data in WORKDIR/broker, stopped (and WORKDIR
# removed) when the script exits.
kafka_broker() {
    broker=${KAFKA_BROKER:-}
    [ -z "$broker" ] || return 0
    local work=$1
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore noida-db==0.2.3
    local noida_db port
    noida_db="$(python3 -c 'import noida_db, os; print(os.path.dirname(noida_db.__file__))')/noida-db"
    port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    "$noida_db" start --only kafka --host 127.0.0.1 --kafka-port "$port" --data-dir "$work/broker" >"$work/broker.log" 2>&1 &
    broker_pid=$!
    broker_work=$work
    trap kafka_broker_stop EXIT
    local deadline=$((SECONDS + 60))
    until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
        ((SECONDS < deadline)) || { cat "$work/broker.log" >&2; exit 1; }
        sleep 0.2
    done
    broker=127.0.0.1:$port
}

kafka_broker_stop() {
    kill "$broker_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$broker_pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$broker_pid" 2>/dev/null || true  # still shutting down after 10 s
    wait "$broker_pid" 2>/dev/null || true
    rm -rf "$broker_work"
}

# kafka_count TOPIC: messages kcat finds in TOPIC (checks that a run delivered everything).
# noida-db answers a fetch with as much of the log as it has, whatever fetch.max.bytes says,
# hence the large receive.message.max.bytes.
kafka_count() {
    kcat -b "$broker" -C -t "$1" -e -q -f 'x\n' -X receive.message.max.bytes=2000000000 2>/dev/null | wc -l
}
