package io.flagplane.projection.telemetry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * How the telemetry stores keep their values, and how instances exchange shares of them: JSON of
 * the records themselves. These stores are the projection's own (rebuilt from reports, never read
 * by another program), so they need no registry schema; JSON keeps them readable in a changelog
 * and lets a newer instance read an older one's values (unknown fields are ignored).
 */
public final class TelemetryCodec {

    public static final ObjectMapper JSON = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

    private TelemetryCodec() {
    }

    public static byte[] encode(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    public static <T> T decode(byte[] bytes, Class<T> type) {
        if (bytes == null) {
            return null;
        }
        try {
            return JSON.readValue(bytes, type);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot decode a " + type.getSimpleName(), e);
        }
    }
}
