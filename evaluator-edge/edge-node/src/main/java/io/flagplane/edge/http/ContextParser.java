package io.flagplane.edge.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.flagplane.evaluation.ErrorCode;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.ruleset.ContextJson;

/**
 * Reads an OFREP request body ({@code {"context": {"targetingKey": "...", ...}}}) into an
 * {@link EvaluationContext}. Malformed JSON is {@code PARSE_ERROR}; a context that is not an
 * object, a targeting key that is not a string, or a context beyond {@link ContextJson}'s bounds
 * (sizes, nesting, non-finite numbers) is {@code INVALID_CONTEXT}.
 */
final class ContextParser {

    private final ObjectMapper json;

    ContextParser(ObjectMapper json) {
        this.json = json;
    }

    EvaluationContext parse(byte[] body) {
        if (body.length == 0) {
            return EvaluationContext.empty();
        }
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JsonProcessingException e) {
            throw new OfrepError(400, ErrorCode.PARSE_ERROR, "request body is not valid JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new OfrepError(400, ErrorCode.PARSE_ERROR, "request body cannot be read: " + e.getMessage());
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return EvaluationContext.empty();
        }
        if (!root.isObject()) {
            throw new OfrepError(400, ErrorCode.PARSE_ERROR, "request body must be a JSON object with a \"context\" field");
        }
        try {
            return ContextJson.fromJson(root.get("context"));
        } catch (IllegalArgumentException e) {
            throw new OfrepError(400, ErrorCode.INVALID_CONTEXT, e.getMessage());
        }
    }
}
