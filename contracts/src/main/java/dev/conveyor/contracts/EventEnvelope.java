package dev.conveyor.contracts;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.StringWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.UUID;

/**
 * The envelope of every event on every topic (CloudEvents attributes fit: id, type, source, time, subject).
 *
 * @param id         unique per event; consumers deduplicate on it
 * @param type       one of {@link EventTypes}
 * @param source     the producing service, e.g. {@code task-api}
 * @param occurredAt when the state change committed (microsecond precision, UTC)
 * @param subject    the aggregate id the event is about (task id, generation id, user id, ...)
 * @param projectId  the project the event belongs to, when it belongs to one
 * @param userId     the user the event belongs to (the project's owner for project events)
 * @param data       the type's payload (see the records in this package)
 */
public record EventEnvelope(
        UUID id,
        String type,
        String source,
        Instant occurredAt,
        String subject,
        UUID projectId,
        UUID userId,
        JsonNode data) {

    public EventEnvelope {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(occurredAt, "occurredAt");
    }

    /** A new event with a random id, occurring now, whose data is the JSON form of {@code data}. */
    public static EventEnvelope of(
            String type, String source, String subject, UUID projectId, UUID userId, Object data) {
        return new EventEnvelope(
                UUID.randomUUID(),
                type,
                source,
                Instant.now().truncatedTo(ChronoUnit.MICROS),
                subject,
                projectId,
                userId,
                toTree(data));
    }

    /** Through bytes rather than valueToTree, so the tree is exactly what a consumer parses (int vs long nodes). */
    private static JsonNode toTree(Object data) {
        if (data == null) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(Json.MAPPER.writeValueAsBytes(data));
        } catch (IOException e) {
            throw new IllegalArgumentException("event data is not serializable: " + e.getMessage(), e);
        }
    }

    /** The payload as one of the contract records. */
    public <T> T dataAs(Class<T> type) {
        try {
            return data == null ? null : Json.MAPPER.treeToValue(data, type);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(
                    "event " + id + " (" + this.type + ") has no valid " + type.getSimpleName(), e);
        }
    }

    /**
     * This envelope's JSON with {@code data} as its data, serialised in one pass: the same text as an envelope made by
     * {@link #of} with that data, without the detour through a tree (data to bytes to tree to text) that {@link #of}
     * takes. For producers that build an event only to write it (task-api's outbox rows, several per task).
     */
    public String toJsonWith(Object data) {
        return toJsonWith(data, null, null);
    }

    /**
     * As {@link #toJsonWith(Object)}, with one more field {@code extraName} appended to the data's object, its value
     * the JSON text {@code extraJson} written as it is (task-api's {@code params}, already JSON); none when null.
     */
    public String toJsonWith(Object data, String extraName, String extraJson) {
        StringWriter out = new StringWriter(768);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("id", id.toString());
            g.writeStringField("type", type);
            g.writeStringField("source", source);
            // IsoInstant writes ISO_INSTANT's text, as the mapper's Instant serializer does (timestamps off)
            g.writeStringField("occurredAt", IsoInstant.format(occurredAt));
            if (subject != null) {
                g.writeStringField("subject", subject);
            }
            if (projectId != null) {
                g.writeStringField("projectId", projectId.toString());
            }
            if (userId != null) {
                g.writeStringField("userId", userId.toString());
            }
            if (data != null) {
                g.writeFieldName("data");
                if (extraName == null || extraJson == null) {
                    Json.MAPPER.writeValue(g, data);
                } else {
                    String object = Json.MAPPER.writeValueAsString(data);
                    String extra = Json.MAPPER.writeValueAsString(extraName) + ":" + extraJson + "}";
                    g.writeRawValue(
                            object.length() <= 2
                                    ? "{" + extra
                                    : object.substring(0, object.length() - 1) + "," + extra);
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalArgumentException("event data is not serializable: " + e.getMessage(), e);
        }
        return out.toString();
    }

    public String toJson() {
        try {
            return Json.MAPPER.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses an envelope; throws {@link IllegalArgumentException} on anything that is not one (poison input). */
    public static EventEnvelope fromJson(String json) {
        try {
            return Json.MAPPER.readValue(json, EventEnvelope.class);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not an event envelope: " + e.getMessage(), e);
        }
    }

    public static EventEnvelope fromJson(byte[] json) {
        try {
            return Json.MAPPER.readValue(json, EventEnvelope.class);
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not an event envelope: " + e.getMessage(), e);
        }
    }
}
