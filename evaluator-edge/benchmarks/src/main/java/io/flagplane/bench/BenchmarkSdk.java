package io.flagplane.bench;

/** One SDK under test: evaluates a boolean flag for the i-th prepared context. */
public interface BenchmarkSdk extends AutoCloseable {

    String name();

    boolean evaluate(String flag, int context);

    @Override
    void close();
}
