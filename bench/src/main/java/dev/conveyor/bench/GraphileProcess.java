package dev.conveyor.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.contracts.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Graphile Worker 0.18.0 (bench/graphile/bench.mjs) in one long-lived node process on the devstack PostgreSQL, its
 * own database. The script stops at "MARK start" / "MARK end" until told "go", so the CPU window here brackets
 * exactly its measured work.
 */
final class GraphileProcess implements AutoCloseable {
    private final Process node;
    private final BufferedReader out;
    private final Writer in;
    private final long postmasterPid;

    GraphileProcess(Path script, String databaseUrl, long postmasterPid, Path log) throws IOException {
        this.postmasterPid = postmasterPid;
        ProcessBuilder pb = new ProcessBuilder("node", script.getFileName().toString())
                .directory(script.getParent().toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        pb.environment().put("GRAPHILE_DATABASE_URL", databaseUrl);
        node = pb.start();
        out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
        in = new java.io.OutputStreamWriter(node.getOutputStream(), StandardCharsets.UTF_8);
        expect("READY");
    }

    long pid() {
        return node.pid();
    }

    /** A gated backlog of n jobs released at once, drained with Graphile's defaults or its batched configuration. */
    Measure drain(String mode, int n) throws IOException {
        Result r = send(Json.MAPPER
                .createObjectNode()
                .put("cmd", "drain")
                .put("mode", mode)
                .put("n", n));
        return new Measure(
                "drain " + mode, "graphile", n, r.json.path("seconds").asDouble(), r.cpu, List.of(), List.of());
    }

    /** n jobs added by 8 concurrent connections, {@code per} per call (addJob or addJobs), through to completion. */
    Measure live(String name, int n, int per) throws IOException {
        Result r = send(Json.MAPPER
                .createObjectNode()
                .put("cmd", "live")
                .put("n", n)
                .put("per", per)
                .put("clients", ConveyorLoad.CLIENT_THREADS));
        return new Measure(
                name,
                "graphile",
                n,
                r.json.path("seconds").asDouble(),
                r.cpu,
                List.of(),
                List.of(String.format(
                        java.util.Locale.ROOT,
                        "adds alone %.0f jobs/s",
                        n / r.json.path("addSeconds").asDouble())));
    }

    /** One job at a time on an idle runner: addJob -> handler start (same process clock). */
    Measure dispatch(int n) throws IOException {
        Result r = send(Json.MAPPER.createObjectNode().put("cmd", "dispatch").put("n", n));
        List<Long> micros = new ArrayList<>();
        r.json.path("micros").forEach(v -> micros.add(v.asLong()));
        return new Measure("dispatch", "graphile", n, 0, r.cpu, micros, List.of());
    }

    private record Result(JsonNode json, Map<String, Long> cpu) {}

    private Result send(JsonNode command) throws IOException {
        in.write(Json.MAPPER.writeValueAsString(command) + "\n");
        in.flush();
        expect("MARK start");
        Map<String, Long> pids = new LinkedHashMap<>();
        pids.put("node", node.pid());
        pids.put("postgres", postmasterPid);
        CpuWindow window = CpuWindow.open(pids);
        go();
        expect("MARK end");
        Map<String, Long> cpu = window.close().cpuMicros();
        go();
        String result = expect("RESULT ");
        return new Result(Json.MAPPER.readTree(result.substring("RESULT ".length())), cpu);
    }

    private void go() throws IOException {
        in.write("go\n");
        in.flush();
    }

    private String expect(String prefix) throws IOException {
        String line = out.readLine();
        if (line == null || !line.startsWith(prefix)) {
            throw new IllegalStateException("graphile bench: expected " + prefix + ", got " + line + " (exit "
                    + (node.isAlive() ? "-" : node.exitValue()) + "; see its log)");
        }
        return line;
    }

    @Override
    public void close() {
        try {
            in.write("{\"cmd\":\"quit\"}\n");
            in.flush();
        } catch (IOException gone) {
            // already exited
        }
        try {
            if (!node.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                node.destroyForcibly();
            }
        } catch (InterruptedException e) {
            node.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
