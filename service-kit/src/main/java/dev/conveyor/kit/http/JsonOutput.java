package dev.conveyor.kit.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.module.SimpleModule;
import dev.conveyor.contracts.IsoInstant;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.time.Instant;

/**
 * How every service writes times in its JSON answers: {@link IsoInstant}'s serializer, the same ISO-8601 text the
 * JSR-310 module writes (Quarkus turns timestamps off), with arithmetic instead of the JDK's formatter. A claim answer
 * carries six times per task; the formatter was the largest single frame of its serialization in a drain profile.
 * Runs after every other customizer, so its serializer is registered after the JSR-310 module's and wins; when a
 * service writes dates as timestamps, it leaves the mapper alone.
 */
@Singleton
public class JsonOutput implements ObjectMapperCustomizer {
    @Override
    public void customize(ObjectMapper mapper) {
        if (mapper.isEnabled(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)) {
            return;
        }
        mapper.registerModule(
                new SimpleModule("conveyor-output").addSerializer(Instant.class, new IsoInstant.Serializer()));
    }

    @Override
    public int priority() {
        return MINIMUM_PRIORITY;
    }
}
