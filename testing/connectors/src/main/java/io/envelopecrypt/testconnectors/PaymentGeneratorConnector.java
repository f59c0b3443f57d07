package io.envelopecrypt.testconnectors;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.connect.connector.Task;
import org.apache.kafka.connect.source.SourceConnector;

import java.util.List;
import java.util.Map;

/**
 * Generates deterministic payment events (see {@link Payments}) for tests and the demo: nested named
 * structs, decimals, timestamps, optional fields, card numbers, headers, and optionally tombstones or
 * schemaless values. One task; it resumes from its committed offset after a restart.
 */
public class PaymentGeneratorConnector extends SourceConnector {
    public static final String TOPIC = "topic";
    public static final String RECORDS = "records";
    public static final String RATE = "records.per.second";
    public static final String SEED = "seed";
    public static final String SCHEMALESS = "schemaless";
    public static final String TOMBSTONE_EVERY = "tombstone.every";
    public static final String TENANTS = "tenants";
    public static final String BATCH = "batch.size";

    static final ConfigDef CONFIG = new ConfigDef()
            .define(TOPIC, ConfigDef.Type.STRING, ConfigDef.Importance.HIGH, "Topic to write to.")
            .define(RECORDS, ConfigDef.Type.LONG, -1L, ConfigDef.Importance.MEDIUM, "Records to produce; -1 for no end.")
            .define(RATE, ConfigDef.Type.INT, 0, ConfigDef.Range.atLeast(0), ConfigDef.Importance.MEDIUM,
                    "Records per second; 0 for as fast as possible.")
            .define(SEED, ConfigDef.Type.LONG, 1L, ConfigDef.Importance.LOW, "Seed of the generated data.")
            .define(SCHEMALESS, ConfigDef.Type.BOOLEAN, false, ConfigDef.Importance.LOW,
                    "Produce schemaless Maps instead of Structs.")
            .define(TOMBSTONE_EVERY, ConfigDef.Type.INT, 0, ConfigDef.Range.atLeast(0), ConfigDef.Importance.LOW,
                    "Make every n-th record a tombstone (0: none).")
            .define(TENANTS, ConfigDef.Type.INT, 3, ConfigDef.Range.atLeast(1), ConfigDef.Importance.LOW,
                    "Record n carries the header tenant=tenant-(n mod this).")
            .define(BATCH, ConfigDef.Type.INT, 500, ConfigDef.Range.atLeast(1), ConfigDef.Importance.LOW,
                    "Records returned per poll.");

    private Map<String, String> props;

    @Override
    public void start(Map<String, String> props) {
        CONFIG.parse(props);
        this.props = props;
    }

    @Override
    public Class<? extends Task> taskClass() {
        return PaymentGeneratorTask.class;
    }

    @Override
    public List<Map<String, String>> taskConfigs(int maxTasks) {
        return List.of(props);
    }

    @Override
    public void stop() {
    }

    @Override
    public ConfigDef config() {
        return CONFIG;
    }

    @Override
    public String version() {
        return "test";
    }
}
