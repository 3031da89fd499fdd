# Sourced by the Kafka benchmark scripts: `kafka_broker WORKDIR` sets $broker to host:port of a
# Kafka broker: $KAFKA_BROKER if set, otherwise a noida-db (pip install noida-db==0.2.3, installed
# if missing) started on a free port with its data in WORKDIR/broker, stopped (and WORKDIR
# removed) when the script exits.
kafka_broker() {
    broker=${KAFKA_BROKER:-}
    [ -z "$broker" ] || return 0
    broker_work=$1
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore noida-db==0.2.3
    broker_binary="$(python3 -c 'import noida_db, os; print(os.path.dirname(noida_db.__file__))')/noida-db"
    broker_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    trap kafka_broker_stop EXIT
    kafka_broker_start
    broker=127.0.0.1:$broker_port
}

# Starts noida-db on $broker_port with its data in $broker_work/broker; waits until it listens.
kafka_broker_start() {
    "$broker_binary" start --only kafka --host 127.0.0.1 --kafka-port "$broker_port" --data-dir "$broker_work/broker" \
        >"$broker_work/broker.log" 2>&1 &
    broker_pid=$!
    local deadline=$((SECONDS + 60))
    until (exec 3<>"/dev/tcp/127.0.0.1/$broker_port") 2>/dev/null; do
        ((SECONDS < deadline)) || { cat "$broker_work/broker.log" >&2; exit 1; }
        sleep 0.2
    done
}

# kafka_broker_restart: the broker started by kafka_broker again, empty, on the same port (no-op
# for $KAFKA_BROKER). noida-db goes on working for seconds after it took a burst of messages
# (about one core), so a measurement right after another one would share the CPU with that.
kafka_broker_restart() {
    [ -n "${broker_pid:-}" ] || return 0
    kill -9 "$broker_pid" 2>/dev/null || true  # its data goes anyway
    wait "$broker_pid" 2>/dev/null || true
    rm -rf "$broker_work/broker"
    kafka_broker_start
}

# kafka_broker_cpu: CPU seconds the running broker has used (0 for $KAFKA_BROKER).
kafka_broker_cpu() {
    if [ -n "${broker_pid:-}" ]; then awk '{ printf "%.2f\n", ($14 + $15) / 100 }' "/proc/$broker_pid/stat"; else echo 0; fi
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
