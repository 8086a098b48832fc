package io.mlcatalog.server.testing;

import io.mlcatalog.server.Main;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** The {@code mlcatalog} command line, run in this JVM as a user runs it, with what it printed and its exit code. */
public final class Cli {
    private Cli() {
    }

    /** What a command did: its exit code, and what it printed on stdout and stderr. */
    public record Ran(int exit, String out, String err) {
    }

    public static Ran run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args);
        return new Ran(exit, out.toString(), err.toString());
    }
}
