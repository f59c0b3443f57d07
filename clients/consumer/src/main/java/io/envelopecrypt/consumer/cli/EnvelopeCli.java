package io.envelopecrypt.consumer.cli;

import io.envelopecrypt.connect.PluginVersion;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code envelopecrypt}: look into, decrypt and re-wrap encrypted topics outside Kafka Connect.
 *
 * <p>Exit codes: 0 success; 1 some records could not be read, decrypted or re-wrapped (each is reported on
 * stderr by partition and offset); 2 bad usage or settings; 3 Kafka, the schema registry or the key service
 * could not be used.
 */
@Command(name = "envelopecrypt", mixinStandardHelpOptions = true, versionProvider = EnvelopeCli.Version.class,
        description = "Inspect, decrypt and re-wrap topics written by EncryptPayload.",
        subcommands = {InspectCommand.class, DecryptCommand.class, RewrapCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:success", "1:some records failed (reported on stderr by partition and offset)",
                "2:bad usage or settings", "3:Kafka, the schema registry or the key service is unusable"})
public final class EnvelopeCli implements Runnable {
    public static final int EXIT_OK = 0;
    public static final int EXIT_RECORDS_FAILED = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_UNAVAILABLE = 3;

    /** Read by {@link #main} before any logger exists; declared here for the help and for picocli. */
    @CommandLine.Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Log what the Kafka clients, the registry client and the Azure SDK do (INFO, on stderr). "
                    + "Without it only warnings and errors are logged, and stderr holds the progress and the records "
                    + "that failed.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        quietUnlessVerbose(args);
        System.exit(run(args));
    }

    /** slf4j-simple reads its level once, when the first logger is made: set it before anything logs. */
    static void quietUnlessVerbose(String[] args) {
        String level = "org.slf4j.simpleLogger.defaultLogLevel";
        if (java.util.Arrays.asList(args).contains("--verbose")) {
            System.setProperty(level, "info");
        } else if (System.getProperty(level) == null) {
            System.setProperty(level, "warn"); // JAVA_OPTS="-D...defaultLogLevel=debug" still wins
        }
    }

    /** Runs a command line and returns its exit code (for tests and embedding). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new EnvelopeCli());
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof CliException c) {
                commandLine.getErr().println("error: " + c.getMessage());
                return c.exitCode();
            }
            commandLine.getErr().println("error: " + e.getClass().getSimpleName() + ": " + e.getMessage());
            return EXIT_UNAVAILABLE;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Name a command: inspect, decrypt or rewrap");
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"envelopecrypt " + PluginVersion.get()};
        }
    }
}
