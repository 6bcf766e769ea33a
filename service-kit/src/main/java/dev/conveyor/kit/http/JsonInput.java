package dev.conveyor.kit.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamWriteConstraints;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.deser.std.JsonNodeDeserializer;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.type.LogicalType;
import io.quarkus.jackson.ObjectMapperCustomizer;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;

/**
 * How every request body is read (docs/rest.md "Limits"; the same in every service that reads JSON bodies): one JSON value and nothing after it, no repeated key, no
 * coercion that changes meaning ({@code "1000"} or {@code 1.5} for an integer, a number for a string), no NUL
 * character in any string or key (PostgreSQL cannot store it), a free-form value ({@code params}, {@code metadata})
 * nested at most {@link #MAX_VALUE_DEPTH} levels and a body at most {@link #MAX_BODY_DEPTH}.
 */
@Singleton
public class JsonInput implements ObjectMapperCustomizer {
    public static final int MAX_VALUE_DEPTH = 32;
    public static final int MAX_BODY_DEPTH = 40;
    /** Answers may nest a little deeper than bodies (a claim answer wraps params in 3 levels); stored rows never break one. */
    static final int MAX_WRITE_DEPTH = 2000;

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_BODY_DEPTH)
                        .build());
        mapper.getFactory()
                .setStreamWriteConstraints(StreamWriteConstraints.builder()
                        .maxNestingDepth(MAX_WRITE_DEPTH)
                        .build());
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        for (LogicalType t : new LogicalType[] {LogicalType.Integer, LogicalType.Float, LogicalType.Boolean}) {
            mapper.coercionConfigFor(t)
                    .setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.EmptyString, CoercionAction.Fail);
        }
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Textual)
                .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail);
        mapper.registerModule(new SimpleModule("conveyor-input")
                .addDeserializer(String.class, new CheckedString())
                .addDeserializer(JsonNode.class, new CheckedTree()));
    }

    static void checkText(JsonParser p, String s) throws InputRejected {
        if (s != null && s.indexOf('\u0000') >= 0) {
            throw new InputRejected(p, "contains a NUL character (\\u0000), which is not accepted");
        }
    }

    /** Strings of typed fields (names, keys, ids, messages): no NUL. */
    static final class CheckedString extends StringDeserializer {
        @Override
        public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String s = super.deserialize(p, ctxt);
            checkText(p, s);
            return s;
        }
    }

    /** Free-form JSON (params, metadata): no NUL in any string or key, at most {@link #MAX_VALUE_DEPTH} levels. */
    static final class CheckedTree extends StdDeserializer<JsonNode> {
        @SuppressWarnings("unchecked")
        private final JsonDeserializer<JsonNode> tree =
                (JsonDeserializer<JsonNode>) JsonNodeDeserializer.getDeserializer(JsonNode.class);

        CheckedTree() {
            super(JsonNode.class);
        }

        @Override
        public JsonNode deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode node = tree.deserialize(p, ctxt);
            int depth = check(p, node);
            if (depth > MAX_VALUE_DEPTH) {
                throw new InputRejected(p, "nests " + depth + " levels; at most " + MAX_VALUE_DEPTH + " are accepted");
            }
            return node;
        }

        @Override
        public JsonNode getNullValue(DeserializationContext ctxt) throws JsonMappingException {
            return tree.getNullValue(ctxt);
        }

        @Override
        public Object getAbsentValue(DeserializationContext ctxt) {
            return null;
        }

        /** The node's nesting depth (a scalar 0, an empty container 1); throws on a NUL in a string or key. */
        private static int check(JsonParser p, JsonNode node) throws InputRejected {
            if (node.isTextual()) {
                checkText(p, node.textValue());
                return 0;
            }
            if (!node.isContainerNode()) {
                return 0;
            }
            int deepest = 0;
            if (node.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    checkText(p, e.getKey());
                    deepest = Math.max(deepest, check(p, e.getValue()));
                }
            } else {
                for (JsonNode child : node) {
                    deepest = Math.max(deepest, check(p, child));
                }
            }
            return deepest + 1;
        }
    }
}
