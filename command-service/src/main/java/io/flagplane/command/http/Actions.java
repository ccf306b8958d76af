package io.flagplane.command.http;

import java.util.List;

/** The actions a change set accepts, for documentation checks. */
public final class Actions {

    private Actions() {
    }

    public static List<String> names() {
        return CommandJson.ACTIONS.keySet().stream().sorted().toList();
    }
}
