package dev.conveyor.gateway.api;

import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The browser-origin check of the WebSocket upgrade ({@code /v1/realtime}): browsers send {@code Origin} on every
 * upgrade and do not apply CORS to WebSockets, so without this any page could open a socket with a token it got
 * hold of. Allowed: no {@code Origin} (non-browser clients), an origin listed in {@code quarkus.http.cors.origins}
 * (CORS_ORIGINS, the list the REST services use), and this server's own origin (the dashboard it serves). Anything
 * else is refused with 403 before the upgrade.
 */
@ApplicationScoped
public class OriginCheck implements HttpUpgradeCheck {
    private final Set<String> allowed;
    /** Quarkus' CORS forms too: {@code *} allows every origin, {@code /regex/} origins matching it. */
    private final boolean any;

    private final List<Pattern> patterns;

    public OriginCheck(@ConfigProperty(name = "quarkus.http.cors.origins") List<String> origins) {
        this.any = origins.stream().anyMatch(o -> o.trim().equals("*"));
        this.patterns = origins.stream()
                .map(String::trim)
                .filter(o -> o.length() > 2 && o.startsWith("/") && o.endsWith("/"))
                .map(o -> Pattern.compile(o.substring(1, o.length() - 1)))
                .toList();
        this.allowed = origins.stream().map(OriginCheck::normalize).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        HttpServerRequest request = context.httpRequest();
        return permits(request.getHeader("Origin"), request.getHeader("Host"), request.isSSL())
                ? CheckResult.permitUpgrade()
                : CheckResult.rejectUpgrade(403);
    }

    /** The decision, for the Origin and Host headers of an upgrade request (null when absent). */
    boolean permits(String origin, String host, boolean tls) {
        if (origin == null) {
            return true;
        }
        String normalized = normalize(origin);
        if (any
                || allowed.contains(normalized)
                || patterns.stream().anyMatch(p -> p.matcher(origin.trim()).matches())) {
            return true;
        }
        return host != null && normalized.equals(normalize((tls ? "https://" : "http://") + host));
    }

    /** scheme://host[:port] in lower case, without a trailing slash and without the scheme's default port. */
    static String normalize(String origin) {
        String text = origin.trim().toLowerCase(Locale.ROOT);
        while (text.endsWith("/")) {
            text = text.substring(0, text.length() - 1);
        }
        try {
            URI uri = new URI(text);
            if (uri.getScheme() == null || uri.getHost() == null) {
                return text;
            }
            int port = uri.getPort();
            boolean defaultPort = port == -1
                    || ("http".equals(uri.getScheme()) && port == 80)
                    || ("https".equals(uri.getScheme()) && port == 443);
            return uri.getScheme() + "://" + uri.getHost() + (defaultPort ? "" : ":" + port);
        } catch (Exception e) {
            return text;
        }
    }
}
