#!/usr/bin/env bash
# realtime-gateway benchmark: heap per idle connection (1k, 5k, 19k: the machine's hard limit of 20,000 open files
# per process rules out 20k), fan-out frames/s to 1k subscribers of one
# channel and event -> client latency, side by side with a minimal Node `ws` broadcast server in the same run.
#   realtime-gateway/bench/run.sh            # full run (about 5 minutes on 2 cores)
#   ROUNDS=1 SIZES=1000 realtime-gateway/bench/run.sh   # quick
#   WINDOW=20ms SIZES=1000 realtime-gateway/bench/run.sh # gateway.coalesce-window (default 0ms = send every event
#                                                        # at once; the deployed default is 20ms)
# Starts its own devstack (PostgreSQL + Kafka on free ports), the packaged gateway (-Xmx1g, as deployed) and the
# Node server; prints a Markdown table and writes it to realtime-gateway/target/bench/results.md.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH="$ROOT/realtime-gateway/bench"
OUT="$ROOT/realtime-gateway/target/bench"
rm -rf "$OUT" && mkdir -p "$OUT"
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo "file descriptor limit: $(ulimit -n)"
WINDOW=${WINDOW:-0ms}
echo "gateway.coalesce-window: $WINDOW"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

cd "$ROOT"
[ -f realtime-gateway/target/quarkus-app/quarkus-run.jar ] && [ "${BUILD:-1}" = 0 ] || \
  ./mvnw -B -o -q -pl realtime-gateway package -DskipTests
./mvnw -B -o -q -pl realtime-gateway dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/cp.txt" >/dev/null
CP="$ROOT/realtime-gateway/target/test-classes:$ROOT/realtime-gateway/target/classes:$(cat "$OUT/cp.txt")"
DEVSTACK_CP="$ROOT/devstack/target/classes:$(cat "$ROOT/devstack/target/classes/dev/conveyor/devstack/devstack.classpath")"

(cd "$BENCH/node" && npm install --silent --no-audit --no-fund >/dev/null)

PG_PORT=$(free_port); KAFKA_PORT=$(free_port); GW_PORT=$(free_port); NODE_PORT=$(free_port)
java -cp "$DEVSTACK_CP" dev.conveyor.devstack.DevKeys --keys "$OUT/keys" --user 00000000-0000-0000-0000-000000000000 >/dev/null
java -Xmx128m -cp "$DEVSTACK_CP" dev.conveyor.devstack.DevstackMain --pg-port "$PG_PORT" --kafka-port "$KAFKA_PORT" \
  --dir "$OUT/devstack" --ready-file "$OUT/devstack.ready" > "$OUT/devstack.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do [ -f "$OUT/devstack.ready" ] && break; sleep 0.5; done
[ -f "$OUT/devstack.ready" ] || { tail -20 "$OUT/devstack.log"; exit 1; }

QUARKUS_HTTP_PORT=$GW_PORT KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT JWT_PUBLIC_KEY="$OUT/keys/publicKey.pem" \
GATEWAY_CONNECTION_MAX_PER_USER=1000000 GATEWAY_COALESCE_WINDOW="$WINDOW" GATEWAY_CONNECTION_IDLE_TIMEOUT=30m \
  java -Xmx1g -XX:+UseSerialGC -jar realtime-gateway/target/quarkus-app/quarkus-run.jar > "$OUT/gateway.log" 2>&1 &
GW_PID=$!; pids+=($GW_PID)
node "$BENCH/node/server.js" "$NODE_PORT" > "$OUT/node.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:$GW_PORT/q/health/ready" >/dev/null && break; sleep 0.5; done
curl -sf "http://127.0.0.1:$GW_PORT/q/health/ready" >/dev/null || { tail -30 "$OUT/gateway.log"; exit 1; }

java -Xmx2g -cp "$CP" dev.conveyor.gateway.bench.FanoutBench \
  --gateway "http://127.0.0.1:$GW_PORT" --gateway-pid "$GW_PID" --node "ws://127.0.0.1:$NODE_PORT" \
  --kafka "127.0.0.1:$KAFKA_PORT" --keys "$OUT/keys" --sizes "${SIZES:-1000,5000,19000}" --rate "${RATE:-20}" --rounds "${ROUNDS:-3}" \
  --window "$WINDOW" --out "$OUT/results.md"
