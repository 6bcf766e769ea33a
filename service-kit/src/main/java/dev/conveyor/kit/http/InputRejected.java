package dev.conveyor.kit.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonMappingException;

/**
 * A body that parses as JSON but that no endpoint stores: a NUL character, a value nested too deep. Thrown while the
 * body is read (so nothing runs), it keeps the JSON path of the field and leaves as 422 {@code validation_failed}.
 */
public class InputRejected extends JsonMappingException {
    public InputRejected(JsonParser parser, String message) {
        super(parser, message);
    }
}
