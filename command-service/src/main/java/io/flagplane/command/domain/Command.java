package io.flagplane.command.domain;

import io.flagplane.auth.Role;
import io.flagplane.avro.Actor;
import io.flagplane.avro.ApprovalPolicy;
import io.flagplane.avro.ExperimentDefinition;
import io.flagplane.avro.FlagDefinition;
import io.flagplane.avro.RollbackAction;
import io.flagplane.avro.RolloutPlanDefinition;
import io.flagplane.avro.Rule;
import io.flagplane.avro.SegmentDefinition;
import io.flagplane.avro.TargetList;
import io.flagplane.contract.AggregateRef;
import io.flagplane.contract.ChangeRequestRef;
import io.flagplane.contract.EnvironmentRef;
import io.flagplane.contract.FlagRef;
import io.flagplane.contract.PlanRef;
import io.flagplane.contract.ScheduleRef;
import io.flagplane.contract.SegmentRef;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * A change an admin asks for, already parsed and checked for shape. Whether it may apply to the
 * flag or segment as it is now is decided by its kind's decider (see {@link Aggregates}), against the current state.
 */
public sealed interface Command {

    /** The environment the command acts in (authorisation is per environment). */
    String environment();

    /**
     * Whether this one command may write more than one event (kill by tag; an experiment that
     * creates its flag; a launch that also enables its flag): its request is then a change set, so
     * its events share an id and carry their order.
     */
    default boolean maySpread() {
        return false;
    }

    /** The version the caller last saw, or null to apply to whatever is current. */
    Long expectedVersion();

    /** What kind of command this is, named as the API names it. */
    Kind kind();

    /** Refuses with VERSION_CONFLICT when the caller expected a version other than the target's current one. */
    default void requireVersion(long currentVersion, AggregateRef target) {
        if (expectedVersion() != null && expectedVersion() != currentVersion) {
            throw new CommandException(ErrorCode.VERSION_CONFLICT, "expectedVersion", target.describe() + " is at version "
                    + currentVersion + ", not " + expectedVersion() + "; read it again and retry", currentVersion);
        }
    }

    /**
     * The kinds of command, each with the name the API gives it: a change set's {@code "action"}
     * (createEnvironment and archiveEnvironment have their own routes and no action). Metrics label
     * commands with these names.
     */
    enum Kind {
        CREATE_FLAG("createFlag"), REPLACE_FLAG("replaceFlag"), ENABLE("enable"), DISABLE("disable"), KILL("kill"),
        REVIVE("revive"), ARCHIVE("archive"), RESTORE("restore"), SET_ROLLOUT("setRollout"), ALLOW_LIST("allowList"),
        DENY_LIST("denyList"), REPLACE_RULES("replaceRules"), SET_METADATA("setMetadata"), KILL_BY_TAG("killByTag"),
        CREATE_SEGMENT("createSegment"), REPLACE_SEGMENT("replaceSegment"), ARCHIVE_SEGMENT("archiveSegment"),
        CREATE_ENVIRONMENT("createEnvironment"), ARCHIVE_ENVIRONMENT("archiveEnvironment"),
        SET_APPROVAL_POLICY("setApprovalPolicy"), OPEN_CHANGE_REQUEST("openChangeRequest"),
        EDIT_CHANGE_REQUEST("editChangeRequest"), SUBMIT_CHANGE_REQUEST("submitChangeRequest"),
        APPROVE_CHANGE_REQUEST("approveChangeRequest"), REJECT_CHANGE_REQUEST("rejectChangeRequest"),
        COMMENT_CHANGE_REQUEST("commentChangeRequest"), CANCEL_CHANGE_REQUEST("cancelChangeRequest"),
        SCHEDULE_CHANGE_REQUEST("scheduleChangeRequest"), APPLY_CHANGE_REQUEST("applyChangeRequest"),
        CREATE_EXPERIMENT("createExperiment"), UPDATE_EXPERIMENT("updateExperiment"), LAUNCH_EXPERIMENT("launchExperiment"),
        PAUSE_EXPERIMENT("pauseExperiment"), RESUME_EXPERIMENT("resumeExperiment"), STOP_EXPERIMENT("stopExperiment"),
        CREATE_PLAN("createPlan"), UPDATE_PLAN("updatePlan"), START_PLAN("startPlan"), ADVANCE_PLAN("advancePlan"),
        COMPLETE_PLAN("completePlan"), AWAIT_PLAN_APPROVAL("awaitPlanApproval"), APPROVE_PLAN_STEP("approvePlanStep"),
        PAUSE_PLAN("pausePlan"), RESUME_PLAN("resumePlan"), ROLL_BACK_PLAN("rollBackPlan"), CANCEL_PLAN("cancelPlan"),
        CREATE_SCHEDULE("createSchedule"), CANCEL_SCHEDULE("cancelSchedule"), APPLY_SCHEDULE("applySchedule"),
        FAIL_SCHEDULE("failSchedule");

        private final String action;

        Kind(String action) {
            this.action = action;
        }

        /** The API's name for it, e.g. {@code kill}. */
        public String action() {
            return action;
        }
    }

    /** A command on one flag. */
    sealed interface OnFlag extends Command {
        FlagRef flag();

        @Override
        default String environment() {
            return flag().environment();
        }
    }

    /** A command on one segment. */
    sealed interface OnSegment extends Command {
        SegmentRef segment();

        @Override
        default String environment() {
            return segment().environment();
        }
    }

    record CreateFlag(FlagRef flag, FlagDefinition definition, boolean enabled) implements OnFlag {
        @Override
        public Kind kind() {
            return Kind.CREATE_FLAG;
        }

        @Override
        public Long expectedVersion() {
            return null;
        }
    }

    record ReplaceDefinition(FlagRef flag, FlagDefinition definition, Long expectedVersion) implements OnFlag {
        @Override
        public Kind kind() {
            return Kind.REPLACE_FLAG;
        }
    }

    record Enable(FlagRef flag, Long expectedVersion) implements OnFlag {
        @Override
        public Kind kind() {
            return Kind.ENABLE;
        }
    }

    record Disable(FlagRef flag, Long expectedVersion) implements OnFlag {
        @Override
        public Kind kind() {
            return Kind.DISABLE;
        }
    }

    record Kill(FlagRef flag, Long expectedVersion) implements OnFlag {
        @Override
        public Kind kind() {
            return Kind.KILL;
        }
    }

    record Revive(FlagRef flag, Long expectedVersion) implements OnFlag {
        @Override
        public Kind kind() {
            return Kind.REVIVE;
        }
    }

    record Archive(FlagRef flag, Long expectedVersion) implements OnFlag {
        @Override
        public Kind kind() {
            return Kind.ARCHIVE;
        }
    }

    record Restore(FlagRef flag, Long expectedVersion) implements OnFlag {
        @Override
        public Kind kind() {
            return Kind.RESTORE;
        }
    }

    /**
     * Seed 001's {@code PATCH …/rollout {"percentage": 50}}: serve {@code variant} (null: the flag's
     * true variant for a boolean flag) to {@code basisPoints} of keys and the off variant to the
     * rest, on one rule ({@code ruleId}) or on the fallthrough (null).
     */
    record SetRollout(FlagRef flag, String ruleId, String variant, int basisPoints, Long expectedVersion) implements OnFlag {
        @Override
        public Kind kind() {
            return Kind.SET_ROLLOUT;
        }
    }

    /** Adds and removes keys on the deny list, or on the allow list of one variant (null: the flag's true variant). */
    record ChangeTargets(FlagRef flag, TargetList list, String variant, List<String> added, List<String> removed,
                         Long expectedVersion) implements OnFlag {
        public ChangeTargets {
            added = List.copyOf(added);
            removed = List.copyOf(removed);
        }

        @Override
        public Kind kind() {
            return list == TargetList.DENY ? Kind.DENY_LIST : Kind.ALLOW_LIST;
        }
    }

    record ReplaceRules(FlagRef flag, List<Rule> rules, Long expectedVersion) implements OnFlag {
        public ReplaceRules {
            rules = List.copyOf(rules);
        }

        @Override
        public Kind kind() {
            return Kind.REPLACE_RULES;
        }
    }

    record SetMetadata(FlagRef flag, String description, List<String> tags, String owner, Long expectedVersion)
            implements OnFlag {
        /** Null fields keep their current value; an empty owner removes the owner. */
        public SetMetadata {
            tags = tags == null ? null : List.copyOf(tags);
        }

        @Override
        public Kind kind() {
            return Kind.SET_METADATA;
        }
    }

    /**
     * A command on an experiment. An experiment lives on a flag (the flag aggregate decides it, and
     * its events are versioned in the flag's sequence; {@code expectedVersion} is the flag's), but is
     * named by its own key, unique in the environment: the decider finds the flag through the
     * experiment index of the {@link ReadModel}, except on creation, which names the flag.
     */
    sealed interface OnExperiment extends Command {
        String experimentKey();
    }

    /**
     * Draft an experiment on {@code flagKey}'s split. With {@code newFlag} (seed 003's standalone
     * shape, variants with relative weights), the flag is created by the same command, first: both
     * events, one change set.
     */
    record CreateExperiment(String environment, String experimentKey, String flagKey, ExperimentDefinition definition,
                            FlagDefinition newFlag) implements OnExperiment {
        @Override
        public Kind kind() {
            return Kind.CREATE_EXPERIMENT;
        }

        @Override
        public Long expectedVersion() {
            return null;
        }

        @Override
        public boolean maySpread() {
            return newFlag != null;
        }
    }

    /** Replace a draft's definition as a whole. */
    record UpdateExperiment(String environment, String experimentKey, ExperimentDefinition definition, Long expectedVersion)
            implements OnExperiment {
        @Override
        public Kind kind() {
            return Kind.UPDATE_EXPERIMENT;
        }
    }

    /**
     * A step in an experiment's lifecycle: launch, pause, resume, or stop ({@code winner}, optional and
     * only for a stop: the arm to serve afterwards).
     */
    record ExperimentStep(Kind kind, String environment, String experimentKey, String winner, Long expectedVersion)
            implements OnExperiment {
        public ExperimentStep {
            if (!EXPERIMENT_STEPS.contains(kind)) {
                throw new IllegalArgumentException(kind + " is not an experiment step");
            }
            if (winner != null && kind != Kind.STOP_EXPERIMENT) {
                throw new IllegalArgumentException("only a stop names a winner");
            }
        }

        @Override
        public boolean maySpread() {
            return kind == Kind.LAUNCH_EXPERIMENT;   // a launch also enables a disabled flag
        }
    }

    /** The kinds {@link ExperimentStep} carries. */
    Set<Kind> EXPERIMENT_STEPS = Set.of(Kind.LAUNCH_EXPERIMENT, Kind.PAUSE_EXPERIMENT, Kind.RESUME_EXPERIMENT,
            Kind.STOP_EXPERIMENT);

    /** A command on an environment itself. */
    sealed interface OnEnvironment extends Command {
        EnvironmentRef target();
    }

    /** Declare an environment: only declared environments take flags and segments. */
    record CreateEnvironment(String environment, String description) implements OnEnvironment {
        @Override
        public Kind kind() {
            return Kind.CREATE_ENVIRONMENT;
        }

        @Override
        public EnvironmentRef target() {
            return new EnvironmentRef(environment);
        }

        @Override
        public Long expectedVersion() {
            return null;
        }
    }

    /** Archive an environment that has no live flags; it then takes no more changes. */
    record ArchiveEnvironment(String environment, Long expectedVersion) implements OnEnvironment {
        @Override
        public Kind kind() {
            return Kind.ARCHIVE_ENVIRONMENT;
        }

        @Override
        public EnvironmentRef target() {
            return new EnvironmentRef(environment);
        }
    }

    /** Kill every live flag carrying {@code tag} in one change set (seed 000's instant rollback). */
    record KillByTag(String environment, String tag) implements Command {
        @Override
        public Kind kind() {
            return Kind.KILL_BY_TAG;
        }

        @Override
        public boolean maySpread() {
            return true;
        }

        @Override
        public Long expectedVersion() {
            return null;
        }
    }

    record CreateSegment(SegmentRef segment, SegmentDefinition definition) implements OnSegment {
        @Override
        public Kind kind() {
            return Kind.CREATE_SEGMENT;
        }

        @Override
        public Long expectedVersion() {
            return null;
        }
    }

    record ReplaceSegment(SegmentRef segment, SegmentDefinition definition, Long expectedVersion) implements OnSegment {
        @Override
        public Kind kind() {
            return Kind.REPLACE_SEGMENT;
        }
    }

    record ArchiveSegment(SegmentRef segment, Long expectedVersion) implements OnSegment {
        @Override
        public Kind kind() {
            return Kind.ARCHIVE_SEGMENT;
        }
    }

    /** Set (or, with a null policy, remove) an environment's approval policy. */
    record SetApprovalPolicy(String environment, ApprovalPolicy policy, Long expectedVersion) implements OnEnvironment {
        @Override
        public Kind kind() {
            return Kind.SET_APPROVAL_POLICY;
        }

        @Override
        public EnvironmentRef target() {
            return new EnvironmentRef(environment);
        }
    }

    /**
     * A command on one change request. {@code by} is who asks, from their credentials (never from
     * a body), with the role they hold in the request's environment: the decider needs both, since
     * an author may not approve their own request and an approver needs the policy's role.
     */
    sealed interface OnChangeRequest extends Command {
        ChangeRequestRef request();

        Actor by();

        @Override
        default String environment() {
            return request().environment();
        }
    }

    /**
     * Open a request: {@code commands} are parsed from {@code commandsJson} (the same JSON, kept as
     * sent, is what the request holds and what is decided again when it is applied).
     */
    record OpenChangeRequest(ChangeRequestRef request, Actor by, String title, String description, String commandsJson,
                             List<Command> commands, boolean submit) implements OnChangeRequest {
        public OpenChangeRequest {
            commands = List.copyOf(commands);
        }

        @Override
        public Kind kind() {
            return Kind.OPEN_CHANGE_REQUEST;
        }

        @Override
        public Long expectedVersion() {
            return null;
        }
    }

    /** Replace a request's title, description and commands; every approval given so far is revoked. */
    record EditChangeRequest(ChangeRequestRef request, Actor by, String title, String description, String commandsJson,
                             List<Command> commands, Long expectedVersion) implements OnChangeRequest {
        public EditChangeRequest {
            commands = List.copyOf(commands);
        }

        @Override
        public Kind kind() {
            return Kind.EDIT_CHANGE_REQUEST;
        }
    }

    /** A step in a request's review: submit, approve, reject, comment, cancel, schedule or apply. */
    record ReviewChangeRequest(Kind kind, ChangeRequestRef request, Actor by, Role role, String comment, Instant applyAt,
                               Long expectedVersion) implements OnChangeRequest {
        public ReviewChangeRequest {
            if (!REVIEW_STEPS.contains(kind)) {
                throw new IllegalArgumentException(kind + " is not a review step");
            }
        }
    }

    /** The kinds {@link ReviewChangeRequest} carries. */
    Set<Kind> REVIEW_STEPS = Set.of(Kind.SUBMIT_CHANGE_REQUEST, Kind.APPROVE_CHANGE_REQUEST, Kind.REJECT_CHANGE_REQUEST,
            Kind.COMMENT_CHANGE_REQUEST, Kind.CANCEL_CHANGE_REQUEST, Kind.SCHEDULE_CHANGE_REQUEST, Kind.APPLY_CHANGE_REQUEST);

    /**
     * A command on one rollout plan, decided by {@code PlanDecider}. A plan's own events are its;
     * what a step, a rollback or a completion does to the plan's flags follows the plan's event in
     * the same change set: {@code FlagPlanSet} markers decided with it, and the step's (or the
     * rollback's) flag commands after it, decided by their own kinds' deciders ({@code PlanChangeSets}
     * puts them there).
     */
    sealed interface OnPlan extends Command {
        PlanRef plan();

        @Override
        default String environment() {
            return plan().environment();
        }
    }

    /**
     * Draft a plan. {@code stepCommands} are its steps' commands, parsed from each step's
     * {@code commandsJson} (which is what the plan keeps): checked now, decided when the step starts.
     */
    record CreatePlan(PlanRef plan, RolloutPlanDefinition definition, List<List<Command>> stepCommands) implements OnPlan {
        public CreatePlan {
            stepCommands = stepCommands.stream().map(List::copyOf).toList();
        }

        @Override
        public Kind kind() {
            return Kind.CREATE_PLAN;
        }

        @Override
        public Long expectedVersion() {
            return null;
        }
    }

    /** Replace a draft's definition as a whole. */
    record UpdatePlan(PlanRef plan, RolloutPlanDefinition definition, List<List<Command>> stepCommands, Long expectedVersion)
            implements OnPlan {
        public UpdatePlan {
            stepCommands = stepCommands.stream().map(List::copyOf).toList();
        }

        @Override
        public Kind kind() {
            return Kind.UPDATE_PLAN;
        }
    }

    /**
     * Start a draft at its first step. {@code stepCommands} is how many commands follow this one in
     * the request carrying step 0's change; null until {@code PlanChangeSets} has put them there (as
     * parsed from a change set or a change request), and a start without them is never decided.
     */
    record StartPlan(PlanRef plan, Long expectedVersion, Integer stepCommands) implements OnPlan {
        @Override
        public Kind kind() {
            return Kind.START_PLAN;
        }

        @Override
        public boolean maySpread() {
            return true;
        }
    }

    /** The release controller moves a running plan from step {@code fromStep} to the next; that step's commands follow. */
    record AdvancePlan(PlanRef plan, int fromStep, Long expectedVersion, Integer stepCommands) implements OnPlan {
        @Override
        public Kind kind() {
            return Kind.ADVANCE_PLAN;
        }

        @Override
        public boolean maySpread() {
            return true;
        }
    }

    /** The release controller completes a plan whose last step ({@code fromStep}) held and passed its gates. */
    record CompletePlan(PlanRef plan, int fromStep, String summary, Long expectedVersion) implements OnPlan {
        @Override
        public Kind kind() {
            return Kind.COMPLETE_PLAN;
        }

        @Override
        public boolean maySpread() {
            return true;
        }
    }

    /** The release controller says step {@code step}'s gates passed and it now waits for a person's go. */
    record AwaitPlanApproval(PlanRef plan, int step, String summary, Long expectedVersion) implements OnPlan {
        @Override
        public Kind kind() {
            return Kind.AWAIT_PLAN_APPROVAL;
        }
    }

    /** A person ({@code by}, from the credentials) says go ({@code approved}) or no-go for step {@code step}. */
    record ApprovePlanStep(PlanRef plan, Actor by, int step, boolean approved, String comment, Long expectedVersion)
            implements OnPlan {
        @Override
        public Kind kind() {
            return Kind.APPROVE_PLAN_STEP;
        }
    }

    /** Stop a running plan from advancing; {@code why} in words (null: paused by hand). */
    record PausePlan(PlanRef plan, String why, Long expectedVersion) implements OnPlan {
        @Override
        public Kind kind() {
            return Kind.PAUSE_PLAN;
        }
    }

    record ResumePlan(PlanRef plan, Long expectedVersion) implements OnPlan {
        @Override
        public Kind kind() {
            return Kind.RESUME_PLAN;
        }
    }

    /**
     * Roll a running or paused plan back (final): {@code action} null means the plan's own rollback
     * action; {@code guardrail} names the breached guardrail, null by hand. {@code rollbackCommands} is
     * how many commands follow this one carrying the rollback's change (null until
     * {@code PlanChangeSets} has put them there).
     */
    record RollBackPlan(PlanRef plan, RollbackAction action, String guardrail, String why, Long expectedVersion,
                        Integer rollbackCommands) implements OnPlan {
        @Override
        public Kind kind() {
            return Kind.ROLL_BACK_PLAN;
        }

        @Override
        public boolean maySpread() {
            return true;
        }
    }

    /** Cancel a draft, running or paused plan (final); its flags stay as they are. */
    record CancelPlan(PlanRef plan, Long expectedVersion) implements OnPlan {
        @Override
        public Kind kind() {
            return Kind.CANCEL_PLAN;
        }

        @Override
        public boolean maySpread() {
            return true;
        }
    }

    /**
     * A command on one scheduled change. {@code by} is who asks: a person or token creating or
     * cancelling it (from their credentials, never from a body), or the release controller applying it.
     */
    sealed interface OnSchedule extends Command {
        ScheduleRef schedule();

        Actor by();

        @Override
        default String environment() {
            return schedule().environment();
        }
    }

    /**
     * Schedule {@code commands} (parsed from {@code commandsJson}, which is what the schedule keeps
     * and what is decided again when it applies) for {@code applyAt}. {@code requestedAt} is the
     * service's clock when it was asked, so the decider, which has no clock, can tell whether
     * {@code applyAt} is ahead.
     */
    record CreateSchedule(ScheduleRef schedule, Actor by, String title, String description, String commandsJson,
                          List<Command> commands, Instant applyAt, boolean applyIfMoved, Instant requestedAt)
            implements OnSchedule {
        public CreateSchedule {
            commands = List.copyOf(commands);
        }

        @Override
        public Kind kind() {
            return Kind.CREATE_SCHEDULE;
        }

        @Override
        public Long expectedVersion() {
            return null;
        }
    }

    /** Cancel a pending scheduled change: it will not apply. */
    record CancelSchedule(ScheduleRef schedule, Actor by, Long expectedVersion) implements OnSchedule {
        @Override
        public Kind kind() {
            return Kind.CANCEL_SCHEDULE;
        }
    }

    /**
     * Mark a pending scheduled change applied; its commands follow in the same change set. Decided
     * against the version the release controller saw, so it applies once.
     */
    record ApplySchedule(ScheduleRef schedule, Actor by, Long expectedVersion) implements OnSchedule {
        @Override
        public Kind kind() {
            return Kind.APPLY_SCHEDULE;
        }
    }

    /** Mark a pending scheduled change failed, with the refusal that stopped it ({@code code}, {@code why}). */
    record FailSchedule(ScheduleRef schedule, Actor by, ErrorCode code, String why, Long expectedVersion) implements OnSchedule {
        @Override
        public Kind kind() {
            return Kind.FAIL_SCHEDULE;
        }
    }
}
