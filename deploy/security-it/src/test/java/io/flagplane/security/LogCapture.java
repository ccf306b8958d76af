package io.flagplane.security;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.LoggerFactory;

/**
 * Every log line written while it is open, messages and exception messages, including Kafka's
 * client configuration dumps ({@code AbstractConfig} at INFO): to hold that no secret is logged.
 */
final class LogCapture extends AppenderBase<ILoggingEvent> implements AutoCloseable {

    private static final String KAFKA_CONFIG_DUMPS = "org.apache.kafka.common.config.AbstractConfig";

    private final List<String> messages = new CopyOnWriteArrayList<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Logger dumps = (Logger) LoggerFactory.getLogger(KAFKA_CONFIG_DUMPS);
    private final Level dumpsLevel = dumps.getLevel();

    static LogCapture open() {
        LogCapture capture = new LogCapture();
        capture.setContext(capture.root.getLoggerContext());
        capture.start();
        capture.root.addAppender(capture);
        capture.dumps.setLevel(Level.INFO);
        return capture;
    }

    @Override
    protected void append(ILoggingEvent event) {
        StringBuilder line = new StringBuilder(event.getFormattedMessage());
        for (IThrowableProxy t = event.getThrowableProxy(); t != null; t = t.getCause()) {
            line.append(" | ").append(t.getMessage());
        }
        messages.add(line.toString());
    }

    List<String> messages() {
        return List.copyOf(messages);
    }

    @Override
    public void close() {
        root.detachAppender(this);
        dumps.setLevel(dumpsLevel);
        stop();
    }
}
