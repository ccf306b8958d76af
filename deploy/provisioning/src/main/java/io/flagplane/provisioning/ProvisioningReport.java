package io.flagplane.provisioning;

import java.util.List;
import java.util.stream.Collectors;

/** What provisioning found and did, topic by topic. */
public record ProvisioningReport(List<TopicOutcome> topics) {

    public enum Status {
        /** The topic did not exist and was created as specified. */
        CREATED,
        /** The topic existed and matches the specification. */
        UNCHANGED,
        /** The topic exists but differs from the specification; nothing was changed. */
        MISMATCH
    }

    /** One topic's outcome; {@code problems} says what differs when the status is MISMATCH. */
    public record TopicOutcome(String topic, Status status, List<String> problems) {
        public TopicOutcome {
            problems = List.copyOf(problems);
        }
    }

    public ProvisioningReport {
        topics = List.copyOf(topics);
    }

    public boolean ok() {
        return topics.stream().noneMatch(t -> t.status() == Status.MISMATCH);
    }

    public List<TopicOutcome> mismatches() {
        return topics.stream().filter(t -> t.status() == Status.MISMATCH).toList();
    }

    /** One line per topic, and one indented line per problem. */
    public String describe() {
        return topics.stream().map(t -> String.format("%-9s %s", t.status(), t.topic())
                + t.problems().stream().map(p -> "\n          - " + p).collect(Collectors.joining()))
                .collect(Collectors.joining("\n"));
    }
}
