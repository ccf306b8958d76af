package io.flagplane.edge.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.flagplane.evaluation.ErrorCode;
import io.flagplane.evaluation.EvaluationContext;
import io.flagplane.http.JsonInputException;
import io.flagplane.http.StrictJson;
import io.flagplane.mapping.ContextJson;

/**
 * Reads an OFREP request body ({@code {"context": {"targetingKey": "...", ...}}}) into an
 * {@link EvaluationContext}, strictly: bad UTF-8, trailing content, duplicate fields and nesting
 * deeper than {@value StrictJson#MAX_DEPTH} are {@code PARSE_ERROR}; a context that is not an
 * object, a targeting key that is not a string, or a number no double holds is
 * {@code INVALID_CONTEXT}. An empty body or {@code null} is the empty context. Every message is a
 * sentence of ours, never a parser's.
 */
final class ContextParser {

    EvaluationContext parse(byte[] body) {
        if (body.length == 0) {
            return EvaluationContext.empty();
        }
        JsonNode root;
        try {
            root = StrictJson.read(body);
        } catch (JsonInputException e) {
            throw new OfrepError(400, ErrorCode.PARSE_ERROR, e.getMessage());
        }
        if (root.isNull()) {
            return EvaluationContext.empty();
        }
        if (!root.isObject()) {
            throw new OfrepError(400, ErrorCode.PARSE_ERROR, "request body must be a JSON object with a \"context\" field, not "
                    + StrictJson.describe(root));
        }
        JsonNode context = root.get("context");
        try {
            if (context != null) {
                StrictJson.requireFiniteNumbers(context, "context");
            }
            return ContextJson.fromJson(context);
        } catch (JsonInputException e) {
            throw new OfrepError(400, ErrorCode.INVALID_CONTEXT, e.getMessage());
        } catch (IllegalArgumentException e) {
            // ContextJson's messages are sentences for the caller that name the field
            throw new OfrepError(400, ErrorCode.INVALID_CONTEXT, e.getMessage());
        }
    }
}
