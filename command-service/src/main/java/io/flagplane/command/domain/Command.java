package io.flagplane.command.domain;

import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.Rule;
import io.flagplane.avro.SegmentDefinition;
import io.flagplane.avro.TargetList;
import java.util.List;

/**
 * A change an admin asks for, already parsed and checked for shape. Whether it may apply to the
 * flag or segment as it is now is decided by {@link Decider}, against the current state.
 */
public sealed interface Command {

    /** The environment the command acts in (authorisation is per environment). */
    String environment();

    /** The version the caller last saw, or null to apply to whatever is current. */
    Long expectedVersion();

    /** A command on one flag. */
    sealed interface OnFlag extends Command {
        Target flag();

        @Override
        default String environment() {
            return flag().environment();
        }
    }

    /** A command on one segment. */
    sealed interface OnSegment extends Command {
        Target segment();

        @Override
        default String environment() {
            return segment().environment();
        }
    }

    record CreateFlag(Target flag, FlagDefinition definition, boolean enabled) implements OnFlag {
        @Override
        public Long expectedVersion() {
            return null;
        }
    }

    record ReplaceDefinition(Target flag, FlagDefinition definition, Long expectedVersion) implements OnFlag {
    }

    record Enable(Target flag, Long expectedVersion) implements OnFlag {
    }

    record Disable(Target flag, Long expectedVersion) implements OnFlag {
    }

    record Kill(Target flag, Long expectedVersion) implements OnFlag {
    }

    record Revive(Target flag, Long expectedVersion) implements OnFlag {
    }

    record Archive(Target flag, Long expectedVersion) implements OnFlag {
    }

    record Restore(Target flag, Long expectedVersion) implements OnFlag {
    }

    /**
     * Seed 001's {@code PATCH …/rollout {"percentage": 50}}: serve {@code variant} (null: the flag's
     * true variant for a boolean flag) to {@code basisPoints} of keys and the off variant to the
     * rest, on one rule ({@code ruleId}) or on the fallthrough (null).
     */
    record SetRollout(Target flag, String ruleId, String variant, int basisPoints, Long expectedVersion) implements OnFlag {
    }

    /** Adds and removes keys on the deny list, or on the allow list of one variant (null: the flag's true variant). */
    record ChangeTargets(Target flag, TargetList list, String variant, List<String> added, List<String> removed,
                         Long expectedVersion) implements OnFlag {
        public ChangeTargets {
            added = List.copyOf(added);
            removed = List.copyOf(removed);
        }
    }

    record ReplaceRules(Target flag, List<Rule> rules, Long expectedVersion) implements OnFlag {
        public ReplaceRules {
            rules = List.copyOf(rules);
        }
    }

    record SetMetadata(Target flag, String description, List<String> tags, String owner, Long expectedVersion)
            implements OnFlag {
        /** Null fields keep their current value; an empty owner removes the owner. */
        public SetMetadata {
            tags = tags == null ? null : List.copyOf(tags);
        }
    }

    /** A command on an environment itself. */
    sealed interface OnEnvironment extends Command {
        Target target();
    }

    /** Declare an environment: only declared environments take flags and segments. */
    record CreateEnvironment(String environment, String description) implements OnEnvironment {
        @Override
        public Target target() {
            return Target.environment(environment);
        }

        @Override
        public Long expectedVersion() {
            return null;
        }
    }

    /** Archive an environment that has no live flags; it then takes no more changes. */
    record ArchiveEnvironment(String environment, Long expectedVersion) implements OnEnvironment {
        @Override
        public Target target() {
            return Target.environment(environment);
        }
    }

    /** Kill every live flag carrying {@code tag} in one change set (seed 000's instant rollback). */
    record KillByTag(String environment, String tag) implements Command {
        @Override
        public Long expectedVersion() {
            return null;
        }
    }

    record CreateSegment(Target segment, SegmentDefinition definition) implements OnSegment {
        @Override
        public Long expectedVersion() {
            return null;
        }
    }

    record ReplaceSegment(Target segment, SegmentDefinition definition, Long expectedVersion) implements OnSegment {
    }

    record ArchiveSegment(Target segment, Long expectedVersion) implements OnSegment {
    }
}
