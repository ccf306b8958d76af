package io.flagplane.broker;

import java.util.Map;
import java.util.TreeMap;

/**
 * Broker settings a single-node cluster must have, shared by the local broker and the test
 * broker. Without the replication factors of one, consumer groups never get assignments and
 * {@code initTransactions} times out; the rest trade durability knobs nobody needs on one node
 * for a faster start.
 */
public final class SingleNodeSettings {

    private SingleNodeSettings() {
    }

    public static Map<String, String> get() {
        Map<String, String> settings = new TreeMap<>();
        settings.put("offsets.topic.replication.factor", "1");
        settings.put("offsets.topic.num.partitions", "5");
        settings.put("transaction.state.log.replication.factor", "1");
        settings.put("transaction.state.log.min.isr", "1");
        settings.put("transaction.state.log.num.partitions", "5");
        settings.put("share.coordinator.state.topic.replication.factor", "1");
        settings.put("share.coordinator.state.topic.min.isr", "1");
        settings.put("group.initial.rebalance.delay.ms", "0");
        // lets a command-service standby notice a dead writer within seconds (command.leader.session.timeout.ms)
        settings.put("group.min.session.timeout.ms", "1000");
        settings.put("auto.create.topics.enable", "false");
        settings.put("num.partitions", "1");
        settings.put("default.replication.factor", "1");
        settings.put("min.insync.replicas", "1");
        // Under transaction version 2 a produce that opens the next transaction before the last
        // one's markers are written is retried by the broker after this backoff (default 20 ms):
        // a command-service committing back-to-back paid up to 20 ms on a third of its commits.
        settings.put("add.partitions.to.txn.retry.backoff.ms", "1");
        // compact the state and schema topics promptly on a desk machine
        settings.put("log.cleaner.backoff.ms", "1000");
        return settings;
    }
}
