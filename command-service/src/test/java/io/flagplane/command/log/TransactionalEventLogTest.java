package io.flagplane.command.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Fencing is told from an unknown outcome however the client reports it (the broker-backed side is FencingIT). */
class TransactionalEventLogTest {

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of("producer fenced", new ProducerFencedException("newer epoch"), true),
                Arguments.of("invalid epoch (transaction version 2)", new InvalidProducerEpochException("bumped"), true),
                Arguments.of("fenced, wrapped in a KafkaException", new KafkaException("commit failed",
                        new ProducerFencedException("newer epoch")), true),
                Arguments.of("invalid epoch, wrapped twice", new ExecutionException(new KafkaException(
                        new InvalidProducerEpochException("bumped"))), true),
                Arguments.of("timeout", new TimeoutException("no broker"), false),
                Arguments.of("timeout, wrapped", new ExecutionException(new TimeoutException("no broker")), false),
                Arguments.of("anything else", new IllegalStateException("boom"), false));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void fencing_is_recognised_however_deeply_it_is_wrapped(String why, Throwable failure, boolean fencing) {
        assertThat(TransactionalEventLog.isFencing(failure)).as(why).isEqualTo(fencing);
    }
}
