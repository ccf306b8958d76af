package io.flagplane.provisioning;

import io.flagplane.provisioning.ProvisioningReport.Status;
import io.flagplane.provisioning.ProvisioningReport.TopicOutcome;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates missing topics and checks existing ones. Idempotent: a second run changes nothing and
 * reports every topic UNCHANGED. A topic that exists with other partitions, replication or
 * configs is reported as MISMATCH with each difference spelled out, and left alone: changing the
 * partition count of a keyed topic would move flags between partitions, which only an operator
 * should decide.
 */
public final class TopicProvisioner {

    private static final Logger LOG = LoggerFactory.getLogger(TopicProvisioner.class);

    private final Admin admin;
    private final Duration timeout;

    public TopicProvisioner(Admin admin, Duration timeout) {
        this.admin = admin;
        this.timeout = timeout;
    }

    public ProvisioningReport provision(Collection<TopicSpec> specs) {
        Set<String> existing = call(admin.listTopics().names(), "list topics");
        List<TopicOutcome> outcomes = new ArrayList<>();
        for (TopicSpec spec : specs) {
            if (!existing.contains(spec.name()) && create(spec)) {
                LOG.info("created topic {} ({} partitions, replication factor {})", spec.name(), spec.partitions(),
                        spec.replicationFactor());
                outcomes.add(new TopicOutcome(spec.name(), Status.CREATED, List.of()));
            } else {
                List<String> problems = check(spec);
                outcomes.add(new TopicOutcome(spec.name(), problems.isEmpty() ? Status.UNCHANGED : Status.MISMATCH, problems));
            }
        }
        ProvisioningReport report = new ProvisioningReport(outcomes);
        if (!report.ok()) {
            LOG.warn("topics differ from their specification:\n{}", report.describe());
        }
        return report;
    }

    /** Returns false when someone else created the topic first. */
    private boolean create(TopicSpec spec) {
        NewTopic topic = new NewTopic(spec.name(), spec.partitions(), spec.replicationFactor()).configs(spec.configs());
        try {
            admin.createTopics(List.of(topic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof TopicExistsException) {
                return false;
            }
            throw new ProvisioningException("cannot create topic " + spec.name() + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new ProvisioningException("creating topic " + spec.name() + " took longer than " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProvisioningException("interrupted while creating topic " + spec.name(), e);
        }
    }

    /**
     * Checks an existing topic. A topic someone else has just created may not be in the
     * broker's metadata cache yet; that case is retried for up to ten seconds before it counts (one
     * second was not enough on a loaded two-core machine: the browser tests' stacks failed to start).
     */
    private List<String> check(TopicSpec spec) {
        for (int attempt = 1; ; attempt++) {
            try {
                return compare(spec);
            } catch (ProvisioningException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || attempt >= 200) {
                    throw e;
                }
                // metadata propagation takes milliseconds; a short pause avoids hammering the broker
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
        }
    }

    private List<String> compare(TopicSpec spec) {
        List<String> problems = new ArrayList<>();
        TopicDescription description = call(admin.describeTopics(List.of(spec.name())).allTopicNames(), "describe " + spec.name())
                .get(spec.name());
        int partitions = description.partitions().size();
        if (partitions != spec.partitions()) {
            problems.add("has " + partitions + " partitions, expected " + spec.partitions());
        }
        int replicas = description.partitions().get(0).replicas().size();
        if (replicas != spec.replicationFactor()) {
            problems.add("has replication factor " + replicas + ", expected " + spec.replicationFactor());
        }
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, spec.name());
        Config config = call(admin.describeConfigs(List.of(resource)).all(), "describe configs of " + spec.name()).get(resource);
        Map<String, String> actual = config.entries().stream()
                .filter(e -> e.value() != null)
                .collect(Collectors.toMap(ConfigEntry::name, ConfigEntry::value));
        spec.configs().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(wanted -> {
            String value = actual.get(wanted.getKey());
            if (!wanted.getValue().equals(value)) {
                problems.add(wanted.getKey() + " is " + value + ", expected " + wanted.getValue());
            }
        });
        return problems;
    }

    private <T> T call(org.apache.kafka.common.KafkaFuture<T> future, String what) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw new ProvisioningException("cannot " + what + ": " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new ProvisioningException("could not " + what + " within " + timeout + ": is Kafka reachable?", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ProvisioningException("interrupted while trying to " + what, e);
        }
    }
}
