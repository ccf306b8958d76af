package io.flagplane.command.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.command.domain.CommandException;
import io.flagplane.command.domain.ErrorCode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A refusal of an apply request names the change's commands as the change numbers them, not as the request does. */
class ScheduledChangeApplyTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(nullValues = "null", value = {
            "commands[1].flag, commands[0].flag: no",
            "commands[3], commands[2]: no",
            "commands[12].rules[0].conditions[1].operator, commands[11].rules[0].conditions[1].operator: no",
            "commands[0].expectedVersion, expectedVersion: no",
            "commands[0], no",
            "null, no",
            "applyAt, applyAt: no"})
    void the_changes_own_step_is_left_out_of_the_numbering(String field, String why) {
        assertThat(ScheduledChangeApply.why(new CommandException(ErrorCode.INVALID_FIELD, field, "no"))).isEqualTo(why);
    }
}
