package io.flagplane.faults;

import java.util.ArrayList;
import java.util.List;

/** The figures a run saw, as Markdown, and the failures that make it exit non-zero. */
final class Report {

    final List<String> lines = new ArrayList<>();
    final List<String> failures = new ArrayList<>();

    void heading(String text) {
        say("");
        say("### " + text);
        say("");
    }

    void say(String line) {
        lines.add(line);
        System.out.println(line);
        System.out.flush();
    }

    /** A figure: a Markdown bullet. */
    void figure(String format, Object... args) {
        say("- " + String.format(java.util.Locale.ROOT, format, args));
    }

    /** A check that must hold; a broken one fails the run. */
    void check(boolean holds, String format, Object... args) {
        String text = String.format(java.util.Locale.ROOT, format, args);
        say("- " + (holds ? "ok: " : "**FAILED**: ") + text);
        if (!holds) {
            failures.add(text);
        }
    }

    String markdown() {
        return String.join("\n", lines) + "\n";
    }
}
