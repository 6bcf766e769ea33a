package dev.conveyor.generation.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.conveyor.kit.http.ProblemException;
import java.util.UUID;

/** Parsing of path, query and body values: malformed ids in paths are 404, other bad values 422 validation_failed. */
final class Params {
    static final int DEFAULT_LIMIT = 50;
    static final int MAX_LIMIT = 100;

    private Params() {}

    /** A path id; a malformed one names nothing that exists. */
    static UUID pathId(String value, String what) {
        try {
            return UUID.fromString(value);
        } catch (RuntimeException e) {
            throw ProblemException.notFound(what + " " + value);
        }
    }

    static UUID queryId(String value, String name) {
        if (value == null) {
            return null;
        }
        try {
            return UUID.fromString(value.strip());
        } catch (RuntimeException e) {
            throw ProblemException.validation(name + " must be a UUID");
        }
    }

    static int intParam(String value, String name, int defaultValue, int min, int max) {
        if (value == null || value.isBlank()) {
            return defaultValue;
        }
        int parsed;
        try {
            parsed = Integer.parseInt(value.strip());
        } catch (NumberFormatException e) {
            throw ProblemException.validation(name + " must be an integer");
        }
        if (parsed < min || parsed > max) {
            throw ProblemException.validation(name + " must be between " + min + " and " + max);
        }
        return parsed;
    }

    static Boolean bool(String value, String name) {
        if (value == null || value.isBlank()) {
            return null;
        }
        return switch (value.strip().toLowerCase()) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw ProblemException.validation(name + " must be true or false");
        };
    }

    static JsonNode object(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw ProblemException.validation("the request body must be a JSON object");
        }
        return body;
    }

    static String name(JsonNode body) {
        JsonNode name = object(body).get("name");
        if (name == null || !name.isTextual()) {
            throw ProblemException.validation("name is required and must be a string");
        }
        return name.asText();
    }

    /** {@code position}: an integer 0 or more, or null / absent for unpositioned. */
    static Integer position(JsonNode body) {
        JsonNode position = object(body).get("position");
        if (position == null || position.isNull()) {
            return null;
        }
        if (!position.isIntegralNumber() || !position.canConvertToInt() || position.asInt() < 0) {
            throw ProblemException.validation("position must be an integer 0 or more, or null for unpositioned");
        }
        return position.asInt();
    }
}
