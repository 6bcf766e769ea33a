package dev.conveyor.devstack;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DevKeysTest {

    @Test
    void tokenIsSignedByTheStoredPublicKeyAndCarriesSubjectAndGroups() throws Exception {
        Path dir = Path.of("target", "keys-test-" + UUID.randomUUID());
        DevKeys keys = DevKeys.in(dir);
        UUID user = UUID.randomUUID();

        String[] parts = keys.token(user, List.of("user", "admin"), Duration.ofMinutes(5))
                .split("\\.");

        String pem = Files.readString(keys.publicKey())
                .replaceAll("-----[A-Z ]+-----", "")
                .replaceAll("\\s", "");
        PublicKey pub = KeyFactory.getInstance("RSA")
                .generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(pem)));
        Signature rsa = Signature.getInstance("SHA256withRSA");
        rsa.initVerify(pub);
        rsa.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(rsa.verify(Base64.getUrlDecoder().decode(parts[2]))).isTrue();
        String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
        assertThat(payload)
                .contains("\"sub\":\"" + user + "\"")
                .contains("\"groups\":[\"user\",\"admin\"]")
                .contains("\"iss\":\"" + DevKeys.ISSUER + "\"");
        // a second load reuses the same pair
        assertThat(DevKeys.in(dir).publicKey()).isEqualTo(keys.publicKey());
    }
}
