package io.flagplane.connections;

import io.flagplane.settings.SettingsException;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The start-up check of a process's Kafka connection: one admin client asks the cluster who its
 * brokers are, and describes the topics the process needs. A credential the brokers refuse, a
 * certificate one side does not trust, a key store that does not load, or a topic the principal
 * may not see fails start-up at once with a {@link SettingsException} naming the setting, instead
 * of a client that retries, hangs or logs somewhere the operator is not looking.
 *
 * <p>A cluster that does not answer within the timeout does not fail the check: a process that
 * can start without Kafka (an edge node with a snapshot) still starts, and one that cannot waits
 * as it always has. With no security configured ({@code PLAINTEXT}) there is nothing to refuse,
 * and the check is skipped.
 */
public final class KafkaConnectionCheck {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaConnectionCheck.class);

    private KafkaConnectionCheck() {
    }

    /**
     * @param who     the process, for the log ({@code "command-service"})
     * @param topics  topics the process reads or writes; a principal that may not describe one fails
     * @return true when the cluster answered and accepted the connection; false when the check was
     *         skipped or the cluster did not answer in time
     * @throws SettingsException naming the setting, when the cluster refused the connection
     */
    public static boolean check(String who, KafkaClientSettings kafka, Collection<String> topics) {
        Duration timeout = kafka.checkTimeout();
        LOG.info("{} connects to Kafka with {}", who, kafka.summary());
        if (timeout.isZero() || kafka.securityProtocol(ClientRole.ADMIN).equals("PLAINTEXT")) {
            return false;
        }
        int ms = (int) Math.max(1, timeout.toMillis());
        Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms);
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, who.replaceAll("[^A-Za-z0-9._-]", "-") + "-startup-check");
        kafka.applyTo(ClientRole.ADMIN, config);
        long began = System.nanoTime();
        try (Admin admin = Admin.create(config)) {
            int brokers = admin.describeCluster().nodes().get(ms, TimeUnit.MILLISECONDS).size();
            if (!topics.isEmpty()) {
                try {
                    admin.describeTopics(topics).allTopicNames().get(ms, TimeUnit.MILLISECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof UnknownTopicOrPartitionException)) {
                        throw e;   // a topic not created yet is the service's own business
                    }
                }
            }
            LOG.info("{}: Kafka accepted the connection ({}, {} brokers) in {} ms", who, kafka.securityProtocol(ClientRole.ADMIN),
                    brokers, (System.nanoTime() - began) / 1_000_000);
            return true;
        } catch (ExecutionException | KafkaException e) {
            String why = KafkaClientErrors.explain(e, kafka, ClientRole.ADMIN);
            if (why != null) {
                throw new SettingsException(who + " cannot use Kafka: " + why);
            }
            LOG.warn("{}: the start-up check of the Kafka connection failed ({}); starting anyway", who, e.toString());
            return false;
        } catch (TimeoutException e) {
            LOG.warn("{}: Kafka at {} did not answer within {} ms; starting anyway", who, kafka.bootstrapServers(), ms);
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while checking the Kafka connection", e);
        }
    }
}
