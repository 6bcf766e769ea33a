package dev.conveyor.worker.handlers;

import dev.conveyor.worker.output.OutputStore;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** Downloads another task's output: from this worker's own store when the URL is ours, else over HTTP. */
@ApplicationScoped
public class OutputFetcher {
    private final OutputStore store;
    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    public OutputFetcher(OutputStore store) {
        this.store = store;
    }

    public Uni<byte[]> fetch(String url) {
        String own = store.urlOf("");
        if (url.startsWith(own)) {
            Optional<byte[]> local = store.get(url.substring(own.length()));
            if (local.isPresent()) {
                return Uni.createFrom().item(local.get());
            }
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(30))
                .GET()
                .build();
        return Uni.createFrom()
                .completionStage(() -> http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray()))
                .map(r -> {
                    if (r.statusCode() != 200) {
                        throw new IllegalStateException(new IOException("GET " + url + " answered " + r.statusCode()));
                    }
                    return r.body();
                });
    }
}
