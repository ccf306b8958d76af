package io.flagplane.edge.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * How the edge node writes a successful JSON body: streamed through one {@link JsonGenerator}
 * into bytes (no tree, no DTO per evaluation on the hot path), and a flag value written the same
 * way by every route. Error bodies are {@link EdgeErrors}'.
 */
final class JsonResponses {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();

    private JsonResponses() {
    }

    /** Writes one body. */
    interface Writer {
        void write(JsonGenerator gen) throws IOException;
    }

    static byte[] render(Writer writer) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        try (JsonGenerator gen = FACTORY.createGenerator(out)) {
            writer.write(gen);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render a response", e);
        }
        return out.toByteArray();
    }

    static void json(Context ctx, int status, byte[] body) {
        ctx.status(status).contentType("application/json").result(body);
    }

    static void raw(Context ctx, int status, String json) {
        json(ctx, status, json.getBytes(StandardCharsets.UTF_8));
    }

    /** A flag's value: an integral double is written as an integer, since JSON has one number type. */
    static void writeValue(JsonGenerator gen, Object value) throws IOException {
        if (value instanceof Boolean b) {
            gen.writeBoolean(b);
        } else if (value instanceof String s) {
            gen.writeString(s);
        } else if (value instanceof Long l) {
            gen.writeNumber(l);
        } else if (value instanceof Double d) {
            // JSON has one number type: 20.0 and 20 are the same value, and an integer reads as one everywhere
            if (d == Math.rint(d) && Math.abs(d) < 9.007199254740992E15) {
                gen.writeNumber(d.longValue());
            } else {
                gen.writeNumber(d);
            }
        } else {
            JSON.writeValue(gen, value);
        }
    }

    /**
     * A flag's own metadata entries (String, Boolean, Long, Double), in the flag's order (sorted
     * by key when the flag was prepared, so equal flags render equal bytes and ETags). Keys the
     * caller writes itself are skipped, so a response never holds a key twice.
     */
    static void writeFlagMetadata(JsonGenerator gen, Map<String, Object> metadata, Set<String> reserved) throws IOException {
        for (Map.Entry<String, Object> e : metadata.entrySet()) {
            if (!reserved.contains(e.getKey())) {
                gen.writeFieldName(e.getKey());
                Object v = e.getValue();
                if (v instanceof Boolean b) {
                    gen.writeBoolean(b);
                } else if (v instanceof Long l) {
                    gen.writeNumber(l);
                } else if (v instanceof Double d) {
                    gen.writeNumber(d);
                } else {
                    gen.writeString(String.valueOf(v));
                }
            }
        }
    }
}
