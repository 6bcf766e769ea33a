package dev.conveyor.kit.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Base64;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerificationKeyWarmupTest {
    private static final String ISSUER = "warmup-test";

    @TempDir
    Path dir;

    @Test
    void afterTheWarmupTheParserVerifiesWithTheKeyItReadAtStart() throws Exception {
        KeyPair keys = rsa();
        Path pem = writePublicKey(keys);
        DefaultJWTParser parser =
                new DefaultJWTParser(new JWTAuthContextInfo(pem.toUri().toString(), ISSUER));

        assertThat(VerificationKeyWarmup.warm(parser)).isTrue();
        // The key was loaded by the warm-up: the first real token no longer needs the file.
        Files.delete(pem);

        assertThat(parser.parse(token(keys, "user-1")).getSubject()).isEqualTo("user-1");
    }

    @Test
    void withoutTheWarmupTheKeyIsReadOnTheFirstToken() throws Exception {
        KeyPair keys = rsa();
        Path pem = writePublicKey(keys);
        DefaultJWTParser parser =
                new DefaultJWTParser(new JWTAuthContextInfo(pem.toUri().toString(), ISSUER));
        Files.delete(pem);

        assertThatThrownBy(() -> parser.parse(token(keys, "user-1"))).isInstanceOf(ParseException.class);
    }

    @Test
    void theWarmupTokenIsRefusedByAParserWithAKey() throws Exception {
        DefaultJWTParser parser = new DefaultJWTParser(
                new JWTAuthContextInfo(writePublicKey(rsa()).toUri().toString(), ISSUER));

        assertThatThrownBy(() -> parser.parse(VerificationKeyWarmup.UNSIGNED_TOKEN))
                .isInstanceOf(ParseException.class);
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private Path writePublicKey(KeyPair keys) throws Exception {
        Path pem = Files.createTempFile(dir, "publicKey", ".pem");
        Files.writeString(
                pem,
                "-----BEGIN PUBLIC KEY-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes())
                                .encodeToString(keys.getPublic().getEncoded())
                        + "\n-----END PUBLIC KEY-----\n");
        return pem;
    }

    private static String token(KeyPair keys, String subject) throws Exception {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(ISSUER);
        claims.setSubject(subject);
        claims.setIssuedAtToNow();
        claims.setExpirationTimeMinutesInTheFuture(5);
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(keys.getPrivate());
        jws.setAlgorithmHeaderValue(AlgorithmIdentifiers.RSA_USING_SHA256);
        jws.setHeader("typ", "JWT");
        return jws.getCompactSerialization();
    }
}
