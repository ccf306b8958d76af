package io.flagplane.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine;

/** What every command has: the CLI's connection, output and change reporting. */
abstract class Base implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    FlagplaneCli cli() {
        return FlagplaneCli.of(spec);
    }

    Api api() {
        return cli().api();
    }

    Out out() {
        return cli().out();
    }

    String env() {
        return api().env();
    }

    String flagPath(String key) {
        return env() + "/flags/" + Api.enc(key);
    }

    JsonNode flag(String key) {
        return api().get(Api.Service.COMMAND, flagPath(key));
    }

    static ObjectNode reason(String reason) {
        ObjectNode body = Api.body();
        if (reason != null) {
            body.put("reason", reason);
        }
        return body;
    }

    @Override
    public Integer call() {
        run();
        return ExitCode.OK;
    }

    abstract void run();
}
