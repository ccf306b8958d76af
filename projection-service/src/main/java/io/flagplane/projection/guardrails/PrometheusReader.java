package io.flagplane.projection.guardrails;

import java.time.Instant;
import java.util.Objects;

/**
 * Reads one number for a PROMETHEUS guardrail: the value of a PromQL instant query at an instant,
 * or a sentence saying why there is none. It never throws for anything the server, the network
 * or the guardrail's own URL and query can do; an error is a {@link Reading.Failed} the guardrail
 * evaluator turns into a verdict. {@link PrometheusSource} is the implementation over HTTP; tests
 * of the evaluator give a lambda.
 */
@FunctionalInterface
public interface PrometheusReader {

    /**
     * @param baseUrl the guardrail's {@code prometheusUrl}, e.g. {@code http://prometheus:9090}
     *                (a path prefix such as {@code http://host/prometheus} is kept)
     * @param query   the guardrail's PromQL expression; its result must be one number
     * @param at      the evaluation instant ({@code time=}); null asks for the server's own now
     */
    Reading read(String baseUrl, String query, Instant at);

    /** What a read gave: a number, or why not. */
    sealed interface Reading {

        /**
         * One finite number.
         *
         * @param at the instant Prometheus evaluated the query at (its answer's timestamp)
         */
        record Value(double value, Instant at) implements Reading {
            public Value {
                if (!Double.isFinite(value)) {
                    throw new IllegalArgumentException("a reading is a finite number, not " + value);
                }
                Objects.requireNonNull(at, "at");
            }
        }

        /** No number: {@code problem} says what kind of failure, {@code sentence} says it to a person, with figures. */
        record Failed(Problem problem, String sentence) implements Reading {
            public Failed {
                Objects.requireNonNull(problem, "problem");
                Objects.requireNonNull(sentence, "sentence");
            }
        }
    }

    /**
     * Why a read gave no number. {@link #NOT_A_NUMBER} and {@link #NO_SERIES} usually mean "no
     * data in the window" (a rate divided by a zero rate, a counter not exported yet), which an
     * evaluator may treat as not enough data rather than as a fault.
     */
    enum Problem {
        /** The guardrail's URL or query cannot be sent (not http/https, too long, blank); checked before any request. */
        INVALID_GUARDRAIL,
        /** The server could not be connected to (refused, unknown host, TLS failure). */
        UNREACHABLE,
        /** No complete answer within the read timeout. */
        TIMEOUT,
        /** A non-2xx answer that is not Prometheus' JSON error (a proxy, a wrong path, a refused credential). */
        HTTP_STATUS,
        /** Prometheus answered {@code "status":"error"}: a PromQL syntax error, a query timeout, … */
        PROMETHEUS_ERROR,
        /** Not the documented JSON, or larger than the bound. */
        BAD_RESPONSE,
        /** An instant vector with no series. */
        NO_SERIES,
        /** An instant vector with more than one series. */
        SEVERAL_SERIES,
        /** A matrix (range vector) or a string: not one number. */
        WRONG_TYPE,
        /** NaN or ±Inf. */
        NOT_A_NUMBER
    }
}
