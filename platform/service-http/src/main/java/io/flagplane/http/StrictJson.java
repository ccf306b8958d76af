package io.flagplane.http;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reading request JSON strictly, the same way in every API. A body must be valid UTF-8 (overlong
 * forms and stray bytes refused), one JSON document with nothing after it, without duplicate
 * fields, nested at most {@value #MAX_DEPTH} deep; numbers keep their exact decimal value so that
 * {@code 1e400} is seen as too large rather than silently becoming infinity. Every refusal is a
 * {@link JsonInputException} with a sentence that names where the problem is and never a library
 * or class.
 */
public final class StrictJson {

    public static final int MAX_DEPTH = 64;
    private static final BigDecimal MAX_DOUBLE = new BigDecimal(Double.MAX_VALUE);
    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '([^']{0,200})'");

    /** The mapper every API uses for request and response JSON. */
    public static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    static {
        MAPPER.getFactory().setStreamReadConstraints(StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH)
                .maxNumberLength(400)
                .maxStringLength(8 * 1024 * 1024)
                .build());
    }

    private StrictJson() {
    }

    /** The body as one JSON object; an empty body is refused. */
    public static JsonNode readObject(byte[] body) {
        JsonNode node = read(body);
        if (!node.isObject()) {
            throw new JsonInputException(null, "the request body must be a JSON object, not " + describe(node));
        }
        return node;
    }

    /** The body as one JSON value; an empty body is refused. */
    public static JsonNode read(byte[] body) {
        if (body == null || body.length == 0) {
            throw new JsonInputException(null, "the request needs a JSON body");
        }
        String text = utf8(body);
        try {
            JsonNode node = MAPPER.readTree(text);
            if (node == null || node.isMissingNode()) {
                throw new JsonInputException(null, "the request needs a JSON body");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new JsonInputException(null, sentence(e));
        }
    }

    /** Strict UTF-8: malformed, overlong and unpaired-surrogate sequences are refused. */
    public static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new JsonInputException(null, "the request body is not valid UTF-8");
        }
    }

    /**
     * Refuses any number under {@code node} that a double cannot hold (e.g. {@code 1e400}); the
     * evaluators read numbers as doubles and would otherwise serve infinity.
     */
    public static void requireFiniteNumbers(JsonNode node, String path) {
        if (node.isNumber()) {
            BigDecimal value = node.decimalValue();
            if (value.abs().compareTo(MAX_DOUBLE) > 0) {
                throw new JsonInputException(path, path + " is a number too large to be represented (at most about 1.8e308)");
            }
        } else if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                requireFiniteNumbers(node.get(i), path + "[" + i + "]");
            }
        } else if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                requireFiniteNumbers(field.getValue(), path + "." + field.getKey());
            }
        }
    }

    /** "an array", "a string", ... for messages. */
    public static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "nothing";
        };
    }

    private static String sentence(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
        String message = String.valueOf(e.getOriginalMessage());
        if (e instanceof StreamConstraintsException) {
            return "the request body is nested deeper than " + MAX_DEPTH + " levels or holds a number or string too long" + where;
        }
        if (e instanceof JsonEOFException) {
            return "the request body ends before its JSON is complete" + where;
        }
        Matcher duplicate = DUPLICATE.matcher(message);
        if (duplicate.find()) {
            return "the request body has field '" + duplicate.group(1) + "' twice" + where;
        }
        if (e instanceof MismatchedInputException && message.contains("Trailing token")) {
            return "the request body has more content after its JSON value" + where;
        }
        if (e instanceof JsonParseException || e instanceof MismatchedInputException) {
            return "the request body is not valid JSON" + where;
        }
        return "the request body cannot be read as JSON" + where;
    }
}
