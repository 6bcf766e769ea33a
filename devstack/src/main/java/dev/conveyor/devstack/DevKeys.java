package dev.conveyor.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * A development RS256 key pair (generated on first use, never committed) and tokens signed with it, for tests and the
 * local run. Production tokens come from a real issuer; the services only ever hold the public key.
 */
public final class DevKeys {
    public static final String ISSUER = "conveyor-dev";
    public static final String PUBLIC_KEY_FILE = "publicKey.pem";
    public static final String PRIVATE_KEY_FILE = "privateKey.pem";

    private final Path dir;
    private final PrivateKey privateKey;

    private DevKeys(Path dir, PrivateKey privateKey) {
        this.dir = dir;
        this.privateKey = privateKey;
    }

    /** Loads the pair from {@code dir}, generating it first when it is not there. */
    public static synchronized DevKeys in(Path dir) {
        try {
            Path priv = dir.resolve(PRIVATE_KEY_FILE);
            if (!Files.exists(priv)) {
                Files.createDirectories(dir);
                KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
                gen.initialize(2048);
                KeyPair pair = gen.generateKeyPair();
                writeAtomically(
                        dir.resolve(PUBLIC_KEY_FILE),
                        pem("PUBLIC KEY", pair.getPublic().getEncoded()));
                writeAtomically(priv, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
            }
            String body =
                    Files.readString(priv).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
            PrivateKey key = KeyFactory.getInstance("RSA")
                    .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
            return new DevKeys(dir, key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public Path publicKey() {
        return dir.resolve(PUBLIC_KEY_FILE).toAbsolutePath();
    }

    public Path privateKey() {
        return dir.resolve(PRIVATE_KEY_FILE).toAbsolutePath();
    }

    /** A token for {@code subject} with the given roles ({@code groups} claim), valid for {@code ttl}. */
    public String token(UUID subject, List<String> roles, Duration ttl) {
        return token(subject.toString(), roles, Instant.now(), ttl);
    }

    /** Full control, e.g. an already expired token for tests. */
    public String token(String subject, List<String> roles, Instant issuedAt, Duration ttl) {
        String groups = roles.stream().map(r -> "\"" + r + "\"").collect(Collectors.joining(",", "[", "]"));
        String header = "{\"alg\":\"RS256\",\"typ\":\"JWT\"}";
        String payload = "{\"iss\":\"" + ISSUER + "\",\"sub\":\"" + subject + "\",\"upn\":\"" + subject
                + "\",\"groups\":" + groups
                + ",\"iat\":" + issuedAt.getEpochSecond() + ",\"exp\":"
                + issuedAt.plus(ttl).getEpochSecond()
                + ",\"jti\":\"" + UUID.randomUUID() + "\"}";
        String signingInput =
                b64(header.getBytes(StandardCharsets.UTF_8)) + "." + b64(payload.getBytes(StandardCharsets.UTF_8));
        try {
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(privateKey);
            rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + b64(rsa.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String pem(String kind, byte[] der) {
        return "-----BEGIN " + kind + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der) + "\n-----END " + kind + "-----\n";
    }

    private static void writeAtomically(Path file, String content) throws IOException {
        Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** {@code token --keys DIR --user UUID --role user|worker|admin [--ttl-hours 24]}: prints a token. */
    public static void main(String[] args) {
        var opts = DevstackMain.parse(args);
        DevKeys keys = in(Path.of(opts.getOrDefault("keys", ".conveyor/keys")));
        String user = opts.getOrDefault("user", UUID.randomUUID().toString());
        List<String> roles = List.of(opts.getOrDefault("role", "user").split(","));
        System.out.println(keys.token(
                user, roles, Instant.now(), Duration.ofHours(Long.parseLong(opts.getOrDefault("ttl-hours", "24")))));
    }
}
