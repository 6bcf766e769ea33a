package dev.conveyor.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A service's configuration as the packaged (prod profile) application reads it, from
 * {@code <service>/src/main/resources/application.properties}, read at test time so that a change there that the
 * manifests do not follow fails deploy's build.
 *
 * @param service the module and application name
 * @param properties effective prod-profile properties: un-prefixed keys overridden by {@code %prod.} keys
 * @param envVars every environment variable the properties read ({@code ${NAME}} or {@code ${NAME:default}}),
 *                with its default (null when there is none)
 */
public record ServiceConfig(String service, Map<String, String> properties, Map<String, String> envVars) {

    /** The four services and the deploy/ names they run under. */
    public static final List<String> SERVICES =
            List.of("task-api", "generation-service", "realtime-gateway", "task-worker");

    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{([A-Z][A-Z0-9_]*)(?::([^}]*))?}");
    private static final Pattern DB_NAME = Pattern.compile("postgresql://[^/]+/([A-Za-z0-9_]+)");

    public static ServiceConfig load(String service) {
        return parse(service, Rendered.rootDir().resolve(service).resolve("src/main/resources/application.properties"));
    }

    static ServiceConfig parse(String service, Path file) {
        Properties raw = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            raw.load(r);
        } catch (IOException e) {
            throw new UncheckedIOException(file.toString(), e);
        }
        Map<String, String> effective = new TreeMap<>();
        for (String key : raw.stringPropertyNames()) {
            if (!key.startsWith("%")) {
                effective.putIfAbsent(key, raw.getProperty(key));
            }
        }
        for (String key : raw.stringPropertyNames()) {
            if (key.startsWith("%prod.")) {
                effective.put(key.substring("%prod.".length()), raw.getProperty(key));
            }
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : effective.entrySet()) {
            Matcher m = PLACEHOLDER.matcher(e.getValue());
            while (m.find()) {
                env.put(m.group(1), m.group(2));
            }
        }
        return new ServiceConfig(service, effective, env);
    }

    public Optional<String> get(String key) {
        return Optional.ofNullable(properties.get(key));
    }

    /** The value with placeholders replaced by their defaults, as the app resolves it when the env var is unset. */
    public Optional<String> resolvedDefault(String key) {
        return get(key).map(v ->
                PLACEHOLDER.matcher(v).replaceAll(m -> Matcher.quoteReplacement(m.group(2) == null ? "" : m.group(2))));
    }

    public int httpPort() {
        return Integer.parseInt(get("quarkus.http.port").orElse("8080"));
    }

    public boolean hasDatasource() {
        return get("quarkus.datasource.db-kind").isPresent()
                || get("quarkus.datasource.jdbc.url").isPresent()
                || get("quarkus.datasource.reactive.url").isPresent();
    }

    /** The database name the service's own JDBC URL (its default) names, e.g. conveyor_tasks. */
    public Optional<String> databaseName() {
        return resolvedDefault("quarkus.datasource.jdbc.url")
                .or(() -> resolvedDefault("quarkus.datasource.reactive.url"))
                .map(DB_NAME::matcher)
                .filter(Matcher::find)
                .map(m -> m.group(1));
    }

    /** Connections one replica may open: the reactive pool plus the JDBC pool (Flyway), with Quarkus' defaults. */
    public int maxConnectionsPerReplica() {
        int reactive =
                Integer.parseInt(get("quarkus.datasource.reactive.max-size").orElse("20"));
        int jdbc = Integer.parseInt(get("quarkus.datasource.jdbc.max-size").orElse("20"));
        return reactive + (get("quarkus.datasource.jdbc.url").isPresent() ? jdbc : 0);
    }

    /** The value with placeholders replaced by {@code env} where it sets them, else by their defaults. */
    public Optional<String> resolved(String key, Map<String, String> env) {
        return get(key).map(v -> PLACEHOLDER
                .matcher(v)
                .replaceAll(m -> Matcher.quoteReplacement(
                        env.containsKey(m.group(1)) ? env.get(m.group(1)) : m.group(2) == null ? "" : m.group(2))));
    }

    /**
     * Time the app may take to stop after SIGTERM with the environment {@code env}: Quarkus' shutdown delay (when
     * enabled) and timeout, plus the worker's grace for running tasks (conveyor.worker.shutdown-grace) when set.
     */
    public Duration shutdownBudget(Map<String, String> env) {
        Duration d = duration(resolved("quarkus.shutdown.timeout", env).orElse("30s"));
        if (Boolean.parseBoolean(resolved("quarkus.shutdown.delay-enabled", env).orElse("false"))) {
            d = d.plus(duration(resolved("quarkus.shutdown.delay", env).orElse("0s")));
        }
        Optional<String> workerGrace = resolved("conveyor.worker.shutdown-grace", env);
        if (workerGrace.isPresent()) {
            d = d.plus(duration(workerGrace.get()));
        }
        return d;
    }

    /**
     * The consumer group per consumed topic the properties declare: SmallRye Reactive Messaging channels
     * ({@code mp.messaging.incoming.<ch>.topic} + {@code .group.id}) and plain-client settings named
     * {@code ...<topic>-group} (e.g. conveyor.generation.consumer.task-events-group).
     */
    public Map<String, String> incomingTopicGroups() {
        Map<String, String> out = new TreeMap<>();
        String appName = get("quarkus.application.name").orElse(service);
        for (dev.conveyor.contracts.Topics.TopicSpec t : dev.conveyor.contracts.Topics.ALL) {
            for (Map.Entry<String, String> e : properties.entrySet()) {
                if (e.getKey().endsWith("." + t.name() + "-group")) {
                    out.put(t.name(), e.getValue());
                }
            }
        }
        for (Map.Entry<String, String> e : properties.entrySet()) {
            Matcher m = Pattern.compile("mp\\.messaging\\.incoming\\.([^.]+)\\.topic")
                    .matcher(e.getKey());
            if (m.matches()) {
                String group = get("mp.messaging.incoming." + m.group(1) + ".group.id")
                        .or(() -> get("kafka.group.id"))
                        .orElse(appName);
                out.put(e.getValue(), group);
            }
        }
        return out;
    }

    /** Quarkus durations: ISO-8601 (PT10S) or a number with ms/s/m/h/d, a bare number meaning seconds. */
    static Duration duration(String s) {
        String v = s.trim();
        if (v.startsWith("P") || v.startsWith("p")) {
            return Duration.parse(v);
        }
        Matcher m = Pattern.compile("(\\d+)(ms|s|m|h|d)?").matcher(v);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a duration: " + s);
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        return switch (unit) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }
}
