# bench/lib.sh — what ./bench/compare and ./bench/soak share (sourced, not run): the build of the services and the
# driver when missing, stopping everything a run started, and the machine's description.
# Expects ROOT and RUN_DIR to be set by the script that sources it.

CLASSPATH_FILE="$ROOT/bench/target/classes/dev/conveyor/bench/bench.classpath"
SERVICES=(task-api task-worker generation-service realtime-gateway)

die() { echo "bench: $*" >&2; exit 1; }

command -v java >/dev/null || die "java (17+) is missing"

# Packages the four services and the driver when their jars/classes are missing (BUILD=1 forces it); never installs.
build_if_needed() {
  local build_needed=${BUILD:-0} s modules
  [ -f "$CLASSPATH_FILE" ] || build_needed=1
  for s in "${SERVICES[@]}"; do [ -f "$ROOT/$s/target/quarkus-app/quarkus-run.jar" ] || build_needed=1; done
  if [ "$build_needed" = 1 ]; then
    echo "bench: packaging the services and the driver (./mvnw -B -q -DskipTests package) ..."
    modules=$(IFS=,; echo "${SERVICES[*]},bench")
    (cd "$ROOT" && { ./mvnw -B -q -o -DskipTests package -pl "$modules" -am || ./mvnw -B -q -DskipTests package -pl "$modules" -am; }) \
      || die "build failed"
  fi
}

DRIVER_PID=""
# Whatever happens (Ctrl-C, a failed measure, SIGTERM to the script): stop the driver, then anything it started that
# is still alive (it writes their pids to $RUN_DIR/pids once they run).
cleanup() {
  trap - INT TERM EXIT
  if [ -n "$DRIVER_PID" ] && kill -0 "$DRIVER_PID" 2>/dev/null; then
    kill -TERM "$DRIVER_PID" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$DRIVER_PID" 2>/dev/null || break; sleep 0.5; done
    kill -KILL "$DRIVER_PID" 2>/dev/null || true
  fi
  if [ -f "$RUN_DIR/pids" ]; then
    for pid in $(cat "$RUN_DIR/pids"); do kill -TERM "$pid" 2>/dev/null || true; done
    sleep 2
    for pid in $(cat "$RUN_DIR/pids"); do kill -KILL "$pid" 2>/dev/null || true; done
  fi
}

# Fresh run directory, cleanup on every exit.
prepare_run_dir() {
  rm -rf "$RUN_DIR"
  mkdir -p "$RUN_DIR"
  trap cleanup EXIT
  trap 'cleanup; exit 130' INT TERM
}

machine_description() {
  echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, $(uname -sr), $(java -version 2>&1 | head -1)$(command -v node >/dev/null && echo ", node $(node --version)"), commit $(cd "$ROOT" && git rev-parse --short HEAD)$(cd "$ROOT" && git diff --quiet HEAD -- . ':!docs' 2>/dev/null || echo '+changes')"
}

# Runs a driver class in its own JVM (the load generator: its CPU is never counted in the platform's) and waits.
run_driver() {
  local main=$1; shift
  java -Xmx1g -cp "$ROOT/bench/target/classes:$(cat "$CLASSPATH_FILE")" "dev.conveyor.bench.$main" "$@" &
  DRIVER_PID=$!
  wait "$DRIVER_PID"
}
