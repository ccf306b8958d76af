package io.flagplane.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/** Where the CLI writes: tables and sentences for people, the API's JSON for scripts. */
public final class Out {

    private static final ObjectMapper PRETTY = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final PrintWriter out;
    private final PrintWriter err;
    private final boolean json;

    Out(PrintWriter out, PrintWriter err, boolean json) {
        this.out = out;
        this.err = err;
        this.json = json;
    }

    public boolean json() {
        return json;
    }

    public PrintWriter stdout() {
        return out;
    }

    public PrintWriter stderr() {
        return err;
    }

    public void line(String text) {
        out.println(text);
        out.flush();
    }

    public void note(String text) {
        err.println(text);
        err.flush();
    }

    public void printJson(JsonNode node) {
        try {
            out.println(PRETTY.writeValueAsString(node));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        out.flush();
    }

    /** A JSON answer for scripts, or, for people, what {@code human} prints. */
    public void show(JsonNode node, Runnable human) {
        if (json) {
            printJson(node);
        } else {
            human.run();
        }
    }

    /** A table with a header row; columns as wide as their widest cell. */
    public void table(List<String> headers, List<List<String>> rows) {
        int[] widths = new int[headers.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(headers);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < widths.length && i < row.size(); i++) {
                widths[i] = Math.max(widths[i], cell(row.get(i)).length());
            }
        }
        for (List<String> row : all) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < widths.length; i++) {
                String value = i < row.size() ? cell(row.get(i)) : "";
                text.append(i == widths.length - 1 ? value : String.format("%-" + widths[i] + "s  ", value));
            }
            out.println(text.toString().stripTrailing());
        }
        out.flush();
    }

    private static String cell(String value) {
        return value == null ? "-" : value;
    }
}
