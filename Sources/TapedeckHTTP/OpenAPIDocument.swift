/// `api/openapi.yaml`, embedded so that the server serves it without reading any file.
/// Generated: `TAPEDECK_UPDATE_FIXTURES=1 swift test --filter OpenAPIDocumentTests` rewrites it
/// from the file, and that test fails when the two differ.
enum OpenAPIDocument {
    static let yaml = #"""
    openapi: 3.0.3
    info:
      title: Tapedeck HTTP API
      version: "1.0"
      description: |
        Tapedeck is a rolling full-packet buffer. This API carves pcaps out of its store: by query
        (Stenographer's language), by 5-tuple and time window, or for Suricata EVE alerts; and reports
        what the store holds.

        Served by `tapedeck serve` (default `http://127.0.0.1:8080`); this document is served at
        `GET /openapi.yaml`.

        **Query language** (Stenographer's, plus `src`/`dst` and `not`):
        `host IP`, `net IP/N`, `net IP mask M`, `port N`, `ip proto N`, `tcp`, `udp`, `icmp`, `vlan N`,
        `mpls N`, `before T`, `after T` (T: RFC 3339, or a duration and `ago`: `90s ago`, `1h30m ago`),
        `src`/`dst` qualifiers, `not`/`!`, `and`/`&&`, `or`/`||`, parentheses; precedence
        `not` > `and` > `or`. `after` is inclusive, `before` exclusive.

        **Results** stream as they are produced (`Transfer-Encoding: chunked`; HTTP/1.0 clients get a
        body delimited by the connection's close). A pcap holds packets of one link type: a result
        spanning several is pcapng unless `format=pcap` is asked for (then `400`). Results are cut at
        the client's limits and at the server's `--max-result-bytes` (the file stays valid). A query
        that runs past the server's `--query-timeout`, or whose client stops reading for 30 s, is cut
        off: the chunked body then ends without its last chunk, so clients see an incomplete transfer.

        **Authentication**: when the server has tokens (`--token-file`), every operation except
        `/healthz` and `/openapi.yaml` needs `Authorization: Bearer TOKEN`; without a valid one the
        answer is `401` with `WWW-Authenticate: Bearer`. A server on a non-loopback address always
        has tokens unless started with `--insecure-no-auth`.

        **Errors**: client errors are `4xx` with a JSON body `{"error", "detail", "position"?}`;
        `position` is the 0-based character offset of the offending token in a query (and `detail`
        shows it with a caret), or the byte offset of a JSON syntax error in an alert body.

        **Limits**: request line 8 KiB (`414`), header section 32 KiB or 100 fields (`431`), body
        4 MiB (`413`); a request head must arrive within 10 s of its first byte and a body within 30 s
        (`408`); idle keep-alive connections close after 60 s. At most `--max-concurrent-queries`
        pcap requests run at once; more get `503` with `Retry-After`.
      license:
        name: GPL-3.0-or-later
        url: https://www.gnu.org/licenses/gpl-3.0.html
    servers:
      - url: http://127.0.0.1:8080
        description: tapedeck serve (default listen address)
    security:
      - bearerAuth: []
    tags:
      - name: pcap
        description: Carving packets out of the store
      - name: status
        description: Health, statistics and metrics
      - name: evidence
        description: Evidence pcaps carved for alerts consumed from Kafka
    paths:
      /query:
        post:
          tags: [pcap]
          operationId: stenographerQuery
          summary: Stenographer-compatible query
          description: |
            The body is the query text, whatever the `Content-Type` says (so `curl -d 'QUERY'`, which
            sends `application/x-www-form-urlencoded`, works, as with Stenographer's `stenoread`):

                curl -s -H "Steno-Limit-Packets: 100" -d 'host 10.1.2.3 and after 10m ago' \
                    http://127.0.0.1:8080/query | tcpdump -nr -

            The pcap is sent as `application/octet-stream`, as Stenographer does.
          parameters:
            - name: Steno-Limit-Packets
              in: header
              description: Return at most this many packets; 0 means no limit.
              schema: {type: integer, minimum: 0}
              example: 100
            - name: Steno-Limit-Bytes
              in: header
              description: |
                Stop before the packet records (16-byte record header plus captured bytes, the file
                header excluded) would exceed this many bytes; 0 means no limit.
              schema: {type: integer, minimum: 0}
              example: 1048576
            - $ref: '#/components/parameters/format'
            - $ref: '#/components/parameters/precision'
            - $ref: '#/components/parameters/limitPackets'
            - $ref: '#/components/parameters/limitBytes'
          requestBody:
            required: true
            description: The query (UTF-8).
            content:
              text/plain:
                schema: {type: string, minLength: 1}
                examples:
                  flow:
                    value: host 192.168.1.212 and port 50694 and tcp
                  recent:
                    value: host 10.1.2.3 and port 443 and after 10m ago
          responses:
            '200':
              description: The matching packets in time order, streamed.
              headers:
                Content-Disposition: {$ref: '#/components/headers/ContentDisposition'}
                Tapedeck-Query: {$ref: '#/components/headers/TapedeckQuery'}
              content:
                application/octet-stream:
                  schema: {type: string, format: binary}
                application/x-pcapng:
                  schema: {type: string, format: binary}
            '400': {$ref: '#/components/responses/BadRequest'}
            '401': {$ref: '#/components/responses/Unauthorized'}
            '408': {$ref: '#/components/responses/RequestTimeout'}
            '413': {$ref: '#/components/responses/ContentTooLarge'}
            '503': {$ref: '#/components/responses/ServiceUnavailable'}
      /v1/pcap:
        get:
          tags: [pcap]
          operationId: pcap
          summary: Packets by query, 5-tuple and time window
          description: |
            The packets that match `q` and the 5-tuple and time parameters, all combined with `and`.
            The 5-tuple parameters describe a conversation and match it in both directions:
            `src=A&sport=X&dst=B&dport=Y` selects `(src host A and src port X and dst host B and
            dst port Y) or (src host B and src port Y and dst host A and dst port X)`. At least one
            selecting parameter is required.
          parameters:
            - name: q
              in: query
              description: A query in the query language (see the description at the top).
              schema: {type: string, minLength: 1}
              examples:
                flow: {value: host 192.168.1.212 and host 90.130.70.73 and port 21}
                recent: {value: tcp and port 443 and after 5m ago}
            - name: src
              in: query
              description: One side's address, or a CIDR block (`10.0.0.0/8`, `2001:db8::/32`).
              schema: {type: string, minLength: 1}
              example: 192.168.1.212
            - name: dst
              in: query
              description: The other side's address, or a CIDR block.
              schema: {type: string, minLength: 1}
              example: 90.130.70.73
            - name: sport
              in: query
              description: The `src` side's port.
              schema: {type: integer, minimum: 0, maximum: 65535}
              example: 50694
            - name: dport
              in: query
              description: The `dst` side's port.
              schema: {type: integer, minimum: 0, maximum: 65535}
              example: 21
            - name: proto
              in: query
              description: '`tcp`, `udp`, `icmp`, `icmp6` (any case), or an IP protocol number 0-255.'
              schema: {type: string, pattern: '^[A-Za-z0-9-]{1,16}$'}
              example: tcp
            - name: start
              in: query
              description: |
                Packets at or after this time: RFC 3339 (`2019-03-14T19:03:00Z`, offsets `+01:00`
                or `+0100`), `now`, or a duration before now (`-5m`, `-1h30m`).
              schema: {$ref: '#/components/schemas/TimeParameter'}
              example: '2019-03-14T19:03:00Z'
            - name: end
              in: query
              description: Packets before this time (same forms as `start`).
              schema: {$ref: '#/components/schemas/TimeParameter'}
              example: '2019-03-14T19:06:00Z'
            - $ref: '#/components/parameters/limitPackets'
            - $ref: '#/components/parameters/limitBytes'
            - $ref: '#/components/parameters/format'
            - $ref: '#/components/parameters/precision'
          responses:
            '200':
              description: |
                The matching packets in time order, streamed, with a file name naming the window
                (`tapedeck-20190314T190300Z-20190314T190600Z.pcap`; `begin`/`end` for open bounds).
              headers:
                Content-Disposition: {$ref: '#/components/headers/ContentDisposition'}
                Tapedeck-Query: {$ref: '#/components/headers/TapedeckQuery'}
              content:
                application/vnd.tcpdump.pcap:
                  schema: {type: string, format: binary}
                application/x-pcapng:
                  schema: {type: string, format: binary}
            '400': {$ref: '#/components/responses/BadRequest'}
            '401': {$ref: '#/components/responses/Unauthorized'}
            '503': {$ref: '#/components/responses/ServiceUnavailable'}
      /v1/alerts:
        post:
          tags: [pcap]
          operationId: alerts
          summary: The packets behind Suricata alerts
          description: |
            The body is a Suricata EVE alert (`event_type: alert`), a JSON array of them, or NDJSON
            (one per line, as in `eve.json`: `curl --data-binary @eve.json`), whatever the
            `Content-Type` says. Each alert becomes a query by `granularity`, within a
            window from `before` ahead of the flow's start (`flow.start`, else the alert time) to
            `after` past the alert time; the answer is one pcap of the union (at most 1000 alerts).

            Real EVE input is taken as Suricata writes it: timestamps like
            `2019-03-14T19:04:03.371057+0000`, IPv6 addresses fully expanded
            (`2a00:1450:4007:080a:0000:0000:0000:200a`), `proto` as a name (`TCP`, `UDP`, `ICMP`,
            `IPv6-ICMP`, …) or a number; other fields are ignored.

            With `wait`, a window that reaches past the newest stored packet is waited for (at most
            that long) so that an alert posted the moment it fires still gets the packets that
            follow it; the window counts as complete once a packet at or after its end is stored, or
            1.5 s after its end (packets are queryable within a second of capture).
          parameters:
            - name: granularity
              in: query
              description: |
                `flow`: the alert's 5-tuple, both directions (for protocols without ports: the two
                hosts and the protocol); `hosts`: everything between the two hosts; `src`:
                everything to or from the source host; `dst`: likewise for the destination host.
              schema: {type: string, enum: [flow, hosts, src, dst], default: flow}
            - name: before
              in: query
              description: Padding ahead of the flow's start (a duration like `60s`, `5m`, `1h30m`).
              schema: {$ref: '#/components/schemas/Duration'}
              example: 60s
            - name: after
              in: query
              description: Padding past the alert time.
              schema: {$ref: '#/components/schemas/Duration'}
              example: 60s
            - name: wait
              in: query
              description: |
                Longest time to wait for the window to be complete in the store (default `0s`:
                answer at once with what is stored); at most the server's limit (5 minutes).
              schema: {$ref: '#/components/schemas/Duration'}
              example: 10s
            - $ref: '#/components/parameters/limitPackets'
            - $ref: '#/components/parameters/limitBytes'
            - $ref: '#/components/parameters/format'
            - $ref: '#/components/parameters/precision'
          requestBody:
            required: true
            content:
              application/json:
                schema:
                  anyOf:
                    - $ref: '#/components/schemas/EVEAlert'
                    - type: array
                      minItems: 1
                      maxItems: 1000
                      items: {$ref: '#/components/schemas/EVEAlert'}
                examples:
                  ftp:
                    summary: A real alert on Tests/Fixtures/ftp.pcap
                    value:
                      timestamp: '2019-03-14T19:04:03.371057+0000'
                      flow_id: 736158315449115
                      event_type: alert
                      src_ip: 192.168.1.212
                      src_port: 50694
                      dest_ip: 90.130.70.73
                      dest_port: 21
                      proto: TCP
                      alert: {action: allowed, gid: 1, signature_id: 9000004, rev: 1, signature: TAPEDECK-TEST FTP USER command, severity: 3}
                      app_proto: ftp
                      flow: {start: '2019-03-14T19:03:54.892296+0000'}
                  ipv6:
                    summary: IPv6, fully expanded, as Suricata writes it
                    value:
                      timestamp: '2020-11-13T18:21:24.551829+0000'
                      event_type: alert
                      src_ip: '2a01:0e0a:0000:0000:0000:0000:0000:0001'
                      src_port: 51234
                      dest_ip: '2a00:1450:4007:080a:0000:0000:0000:200a'
                      dest_port: 443
                      proto: TCP
          responses:
            '200':
              description: The packets of every alert's window and granularity, in time order, streamed.
              headers:
                Content-Disposition: {$ref: '#/components/headers/ContentDisposition'}
                Tapedeck-Query: {$ref: '#/components/headers/TapedeckQuery'}
              content:
                application/vnd.tcpdump.pcap:
                  schema: {type: string, format: binary}
                application/x-pcapng:
                  schema: {type: string, format: binary}
            '400': {$ref: '#/components/responses/BadRequest'}
            '401': {$ref: '#/components/responses/Unauthorized'}
            '408': {$ref: '#/components/responses/RequestTimeout'}
            '413': {$ref: '#/components/responses/ContentTooLarge'}
            '503': {$ref: '#/components/responses/ServiceUnavailable'}
      /v1/evidence:
        get:
          tags: [evidence]
          operationId: listEvidence
          summary: Evidence carved for alerts from Kafka
          description: |
            The evidence directory (`tapedeck serve --evidence-dir DIR`, written by
            `tapedeck evidence` or `tapedeck run --alerts-topic`): one pcap per alerted flow, carved
            once the alert's padded window was complete in the store, with a JSON sidecar holding
            the flow's alerts. Listed oldest alert first; each entry is the sidecar without the
            alerts themselves (their count and signature ids instead). `404` when the server has no
            evidence directory.
          parameters:
            - name: start
              in: query
              description: Only evidence with an alert at or after this time.
              schema: {$ref: '#/components/schemas/TimeParameter'}
              example: '2019-03-14T19:00:00Z'
            - name: end
              in: query
              description: Only evidence with an alert before this time.
              schema: {$ref: '#/components/schemas/TimeParameter'}
            - name: signature_id
              in: query
              description: Only evidence with an alert of this signature.
              schema: {type: integer, format: int64}
              example: 9000004
          responses:
            '200':
              description: The evidence, oldest alert first.
              content:
                application/json:
                  schema:
                    type: object
                    required: [evidence]
                    properties:
                      evidence:
                        type: array
                        items: {$ref: '#/components/schemas/Evidence'}
                  example:
                    evidence:
                      - id: 20190314T190403Z_9000004_736158315449115
                        pcap: 20190314T190403Z_9000004_736158315449115.pcap
                        alert_time: '2019-03-14T19:04:03.371057000Z'
                        signature_id: 9000004
                        flow_id: 736158315449115
                        granularity: flow
                        query: '(src host 192.168.1.212 and src port 50694 and dst host 90.130.70.73 and dst port 21 and tcp or src host 90.130.70.73 and src port 21 and dst host 192.168.1.212 and dst port 50694 and tcp) and after 2019-03-14T19:02:54.892296Z and before 2019-03-14T19:05:03.371057Z'
                        window: {start: '2019-03-14T19:02:54.892296000Z', end: '2019-03-14T19:05:03.371057000Z'}
                        packets: 68
                        bytes: 6683
                        sha256: 6f376311cdc13406b6908699f822850fadfe852614ff166db84826cc5cd4e68c
                        written: '2026-11-29T20:37:20.123456789Z'
                        alert_count: 1
                        signature_ids: [9000004]
            '400': {$ref: '#/components/responses/BadRequest'}
            '401': {$ref: '#/components/responses/Unauthorized'}
            '404': {$ref: '#/components/responses/NotFound'}
            '503': {$ref: '#/components/responses/ServiceUnavailable'}
      /v1/evidence/{id}:
        get:
          tags: [evidence]
          operationId: evidencePcap
          summary: The pcap of one evidence
          parameters:
            - name: id
              in: path
              required: true
              description: |
                The evidence id, the file stem `YYYYMMDDTHHMMSSZ_<signature_id>_<flow_id>` (the first
                alert's UTC time, its signature id, Suricata's flow id). Anything else, such as a
                path, is a `400`.
              schema:
                type: string
                pattern: '^[0-9]{8}T[0-9]{6}Z_-?[0-9]+_[0-9]+$'
                minLength: 20
                maxLength: 64
              example: 20190314T190403Z_9000004_736158315449115
          responses:
            '200':
              description: The evidence pcap, as written (its SHA-256 is in the listing).
              headers:
                Content-Disposition: {$ref: '#/components/headers/ContentDisposition'}
              content:
                application/vnd.tcpdump.pcap:
                  schema: {type: string, format: binary}
            '400': {$ref: '#/components/responses/BadRequest'}
            '401': {$ref: '#/components/responses/Unauthorized'}
            '404': {$ref: '#/components/responses/NotFound'}
      /v1/stats:
        get:
          tags: [status]
          operationId: stats
          summary: What the store holds and what the server did
          responses:
            '200':
              description: Store window, sizes, rates and deletions; query and connection counts; capture counters.
              content:
                application/json:
                  schema: {$ref: '#/components/schemas/Stats'}
                  example:
                    store:
                      window: {start: '2019-03-14T19:03:54.892296000Z', end: '2019-03-14T19:04:39.047133000Z', seconds: 44.154837}
                      segments: {sealed: 1, active: null}
                      packets: 1138
                      bytes: {data: 405327, index: 1792, stored: 407119, captured: 1130452, original: 1130452}
                      compressionRatio: 2.79
                      rates: {lastHourBytesPerSecond: 9220.3, lastDayBytesPerSecond: 9220.3, windowBytesPerSecond: 9220.3}
                      deletions: {segments: 0, packets: 0, capturedBytes: 0, storedBytes: 0, unacknowledgedSegments: 0, unacknowledgedPackets: 0}
                    queries: {active: 0, maxConcurrent: 2, served: 12, rejected: 1, timedOut: 0, clientGone: 1, failed: 0, truncated: 0}
                    connections: {open: 1, max: 256}
                    capture: null
                    flowPublisher: null
                    evidence: null
            '400': {$ref: '#/components/responses/BadRequest'}
            '401': {$ref: '#/components/responses/Unauthorized'}
      /metrics:
        get:
          tags: [status]
          operationId: metrics
          summary: Prometheus metrics
          description: |
            Prometheus text exposition: store gauges (`tapedeck_store_*`), queries by outcome
            (`tapedeck_queries_total{outcome}`), running queries, query durations
            (`tapedeck_query_duration_seconds`), result bytes and packets, responses by status
            (`tapedeck_http_requests_total{code}`), open connections, the recorder's capture
            counters (`tapedeck_capture_*`) and the Kafka flow publisher's counters and lag
            (`tapedeck_flow_publisher_*`) when the store has them, and the evidence consumer's
            counters (`tapedeck_evidence_alerts{outcome}`, `tapedeck_evidence_alerts_rejected{reason}`,
            `tapedeck_evidence_alerts_pending`) when the server has an evidence directory.
          responses:
            '200':
              description: Metrics.
              content:
                text/plain:
                  schema: {type: string}
                  example: |
                    # HELP tapedeck_queries_active Queries running now.
                    # TYPE tapedeck_queries_active gauge
                    tapedeck_queries_active 0.0
            '400': {$ref: '#/components/responses/BadRequest'}
            '401': {$ref: '#/components/responses/Unauthorized'}
      /healthz:
        get:
          tags: [status]
          operationId: health
          summary: Liveness
          security: []
          responses:
            '200':
              description: The server answers.
              content:
                application/json:
                  schema:
                    type: object
                    required: [status]
                    properties:
                      status: {type: string, enum: [ok]}
                  example: {status: ok}
            '400': {$ref: '#/components/responses/BadRequest'}
      /openapi.yaml:
        get:
          tags: [status]
          operationId: openAPIDocument
          summary: This document
          security: []
          responses:
            '200':
              description: The OpenAPI document.
              content:
                application/yaml:
                  schema: {type: object}
    components:
      securitySchemes:
        bearerAuth:
          type: http
          scheme: bearer
          description: A token from the server's `--token-file`.
      parameters:
        format:
          name: format
          in: query
          description: '`pcap` or `pcapng`; default pcap, or pcapng when the result spans link types.'
          schema: {type: string, enum: [pcap, pcapng]}
        precision:
          name: precision
          in: query
          description: Timestamp precision of the file; default `ns`.
          schema: {type: string, enum: [ns, us], default: ns}
        limitPackets:
          name: limit_packets
          in: query
          description: Return at most this many packets; 0 means no limit.
          schema: {type: integer, minimum: 0}
          example: 1000
        limitBytes:
          name: limit_bytes
          in: query
          description: Stop before the packet records would exceed this many bytes; 0 means no limit.
          schema: {type: integer, minimum: 0}
          example: 10485760
      headers:
        ContentDisposition:
          description: '`attachment` with a file name for the result, e.g. `tapedeck-20190314T190300Z-20190314T190600Z.pcap`.'
          schema: {type: string}
        TapedeckQuery:
          description: The query that ran, in canonical form (left out when longer than 2048 bytes).
          schema: {type: string}
      responses:
        BadRequest:
          description: The request, a parameter, the query or the alert is invalid; `detail` says what and `position` where.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Error'}
              examples:
                query:
                  value:
                    error: invalid query
                    detail: "invalid IP address '10.0.0.300' at column 6\nhost 10.0.0.300\n     ^~~~~~~~~~"
                    position: 5
                parameter:
                  value: {error: invalid parameter, detail: "dport: expected a port number 0-65535, got '70000'"}
                alert:
                  value: {error: invalid alert, detail: "invalid JSON: expected ',' or '}' in the object (at byte 18)", position: 18}
        Unauthorized:
          description: A bearer token is required and was missing or wrong.
          headers:
            WWW-Authenticate:
              description: '`Bearer realm="tapedeck"`, with `error="invalid_token"` for a wrong token.'
              required: true
              schema: {type: string}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Error'}
              example: {error: unauthorized, detail: "this server requires 'Authorization: Bearer TOKEN'"}
        NotFound:
          description: No such resource (or evidence), or the server has no evidence directory.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Error'}
              example: {error: not found, detail: no evidence with id 20190314T190403Z_9000004_736158315449115}
        RequestTimeout:
          description: The request body did not arrive in time.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Error'}
        ContentTooLarge:
          description: The request body is larger than 4 MiB.
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Error'}
        ServiceUnavailable:
          description: |
            The concurrent query limit is reached, the store does not exist yet, or the server is
            shutting down; retry after `Retry-After` seconds.
          headers:
            Retry-After:
              description: Seconds to wait before retrying.
              required: true
              schema: {type: integer, minimum: 0}
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Error'}
              example: {error: too many queries, detail: 2 queries are running; retry later}
      schemas:
        Error:
          type: object
          required: [error, detail]
          properties:
            error: {type: string, description: 'A short, stable summary, e.g. `invalid query`.'}
            detail: {type: string, description: What exactly is wrong.}
            position:
              type: integer
              minimum: 0
              description: 0-based offset of the error in the query text (characters) or alert body (bytes).
        TimeParameter:
          type: string
          description: RFC 3339, `now`, or `-DURATION`.
          pattern: '^(now|-([0-9]+([nN][sS]|[uU][sS]|[µμ][sS]|[mM][sS]|[sSmMhHdD]))+|(1[6-9]|2[0-2])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?([Zz]|[+-]([01][0-9]|2[0-3]):?[0-5][0-9]))$'
        Duration:
          type: string
          description: A duration such as `90s`, `5m`, `1h30m`, `2d`, `250ms` (units d, h, m, s, ms, us, ns).
          pattern: '^([0-9]+([nN][sS]|[uU][sS]|[µμ][sS]|[mM][sS]|[sSmMhHdD]))+$'
        IPAddress:
          description: IPv4, or IPv6 compressed or fully expanded (`2a00:1450:4007:080a:0000:0000:0000:200a`); both of an alert of one version.
          anyOf:
            - {type: string, format: ipv4}
            - {type: string, format: ipv6}
            - {type: string, pattern: '^([0-9]{1,3}(\.[0-9]{1,3}){3}|[0-9A-Fa-f:.]{2,45})$'}
        EVEAlert:
          type: object
          description: A Suricata EVE record with `event_type` `alert`; fields not listed are ignored.
          required: [timestamp, src_ip, dest_ip, proto]
          properties:
            timestamp:
              type: string
              description: When the alert fired, e.g. `2019-03-14T19:04:03.371057+0000`.
              pattern: '^(1[6-9]|2[0-2])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?([Zz]|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])$'
            event_type: {type: string, enum: [alert]}
            flow_id: {type: integer, description: Suricata's flow id.}
            src_ip: {$ref: '#/components/schemas/IPAddress'}
            src_port: {type: integer, minimum: 0, maximum: 65535, nullable: true}
            dest_ip: {$ref: '#/components/schemas/IPAddress'}
            dest_port: {type: integer, minimum: 0, maximum: 65535, nullable: true}
            proto:
              description: A protocol name (`TCP`, `UDP`, `ICMP`, `IPv6-ICMP`, `SCTP`, `GRE`, …, any case) or number.
              anyOf:
                - {type: string, pattern: '^[A-Za-z0-9-]{1,16}$'}
                - {type: integer, minimum: 0, maximum: 255}
            flow:
              type: object
              properties:
                start:
                  type: string
                  description: When the flow began; the window's padding counts back from it.
                  pattern: '^(1[6-9]|2[0-2])[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,9})?([Zz]|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])$'
            alert:
              type: object
              properties:
                signature_id: {type: integer}
                signature: {type: string}
        Evidence:
          type: object
          description: An evidence sidecar without its alerts.
          required: [id, pcap, alert_time, signature_id, flow_id, granularity, query, window, packets, bytes, sha256, written, alert_count, signature_ids]
          properties:
            id: {type: string, description: 'The file stem: YYYYMMDDTHHMMSSZ_<signature_id>_<flow_id>.'}
            pcap: {type: string, description: The pcap's file name in the evidence directory.}
            alert_time: {type: string, format: date-time, description: The first alert's time.}
            signature_id: {type: integer, description: The first alert's signature id (0 without one).}
            flow_id: {type: integer, description: 'Suricata''s flow_id, else a stable hash of the 5-tuple.'}
            granularity: {type: string, enum: [flow, hosts, src, dst]}
            query: {type: string, description: The query that carved the pcap.}
            window:
              type: object
              required: [start, end]
              properties:
                start: {type: string, format: date-time}
                end: {type: string, format: date-time}
            packets: {type: integer}
            bytes: {type: integer}
            sha256: {type: string, pattern: '^[0-9a-f]{64}$'}
            written: {type: string, format: date-time, description: When the sidecar was last written.}
            alert_count: {type: integer, description: Alerts of the flow in the sidecar.}
            signature_ids: {type: array, items: {type: integer}}
        Stats:
          type: object
          required: [store, queries, connections, capture, flowPublisher, evidence]
          properties:
            store:
              nullable: true
              description: Null while the store does not exist.
              type: object
              required: [window, segments, packets, bytes, compressionRatio, rates, deletions]
              properties:
                window:
                  type: object
                  required: [start, end, seconds]
                  description: Oldest and newest stored packet (the active segment included).
                  properties:
                    start: {type: string, nullable: true, format: date-time}
                    end: {type: string, nullable: true, format: date-time}
                    seconds: {type: number}
                segments:
                  type: object
                  required: [sealed, active]
                  properties:
                    sealed: {type: integer}
                    active: {type: integer, nullable: true, description: The id of the segment being recorded.}
                packets: {type: integer, description: Packets in sealed segments.}
                bytes:
                  type: object
                  required: [data, index, stored, captured, original]
                  description: Sealed segments' data and index files, their sum, and the packets' captured and original bytes.
                  properties:
                    data: {type: integer}
                    index: {type: integer}
                    stored: {type: integer}
                    captured: {type: integer}
                    original: {type: integer}
                compressionRatio: {type: number, nullable: true}
                rates:
                  type: object
                  description: Stored bytes per second of packet time.
                  required: [lastHourBytesPerSecond, lastDayBytesPerSecond, windowBytesPerSecond]
                  properties:
                    lastHourBytesPerSecond: {type: number, nullable: true}
                    lastDayBytesPerSecond: {type: number, nullable: true}
                    windowBytesPerSecond: {type: number, nullable: true}
                deletions:
                  type: object
                  description: What retention deleted over the store's life; `unacknowledged*` were deleted before the Kafka publisher acknowledged them.
                  required: [segments, packets, capturedBytes, storedBytes, unacknowledgedSegments, unacknowledgedPackets]
                  properties:
                    segments: {type: integer}
                    packets: {type: integer}
                    capturedBytes: {type: integer}
                    storedBytes: {type: integer}
                    unacknowledgedSegments: {type: integer}
                    unacknowledgedPackets: {type: integer}
            queries:
              type: object
              required: [active, maxConcurrent, served, rejected, timedOut, clientGone, failed, truncated]
              description: Pcap requests since the server started, by outcome.
              properties:
                active: {type: integer}
                maxConcurrent: {type: integer}
                served: {type: integer}
                rejected: {type: integer, description: Refused with 503 at the concurrent limit.}
                timedOut: {type: integer}
                clientGone: {type: integer, description: Stopped because the client disconnected or stopped reading.}
                failed: {type: integer}
                truncated: {type: integer, description: Served but cut by the server's result-bytes limit.}
            connections:
              type: object
              required: [open, max]
              properties:
                open: {type: integer}
                max: {type: integer}
            capture:
              nullable: true
              type: object
              description: The recorder's `capture-stats.json` (see Storage/FORMAT.md), or null when no recorder has written one.
              additionalProperties: true
            flowPublisher:
              nullable: true
              type: object
              description: |
                The Kafka flow publisher's `flow-publisher-stats.json` (see Storage/FORMAT.md): counters
                and lag (`openFlows`, `pendingChunks`, `pendingBytes`, `oldestPendingSeconds`) and
                `lostSegments`; null when no publisher has written one.
              additionalProperties: true
            evidence:
              nullable: true
              type: object
              description: |
                The evidence consumer's counters (from the evidence directory), or null without an
                evidence directory or before a consumer wrote them.
              required: [consumed, ignored, written, merged, redelivered, expired, empty, failures, notified, pruned, pending, rejected]
              properties:
                consumed: {type: integer, description: Messages consumed from the alerts topic.}
                ignored: {type: integer, description: EVE records of other event types.}
                written: {type: integer, description: Evidence pcaps written.}
                merged: {type: integer, description: Alerts added to their flow's evidence.}
                redelivered: {type: integer, description: Alerts already in a sidecar.}
                expired: {type: integer, description: Alerts whose window retention had deleted.}
                empty: {type: integer, description: Alerts whose window held none of their packets.}
                failures: {type: integer, description: Failed attempts (retried).}
                notified: {type: integer}
                pruned: {type: integer}
                pending: {type: integer, description: Alerts waiting for their windows.}
                rejected:
                  type: object
                  description: Alerts that cannot be served, by reason.
                  additionalProperties: {type: integer}
    """#
}
