package io.envelopecrypt.connect.engine;

import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.util.Objects;

/**
 * What envelopes are bound to ({@value #CONFIG}): nothing, the topic of the record, or a fixed name. The context
 * is carried in the envelope and authenticated with it; a reader configured with a context refuses envelopes
 * bound to any other (or to none), so a record copied into another topic no longer decrypts there.
 */
public final class EnvelopeContext {
    public static final String CONFIG = "envelope.context";
    public static final String NONE = "none";
    public static final String TOPIC = "topic";
    public static final String STATIC_PREFIX = "static:";
    /** Longest fixed context accepted in a configuration. */
    static final int MAX_STATIC_CHARS = 255;

    public static final String WRITER_DOC = "What each envelope is bound to: 'none' (the default), 'topic' (the "
            + "record's topic as this transform sees it) or 'static:<name>' (e.g. static:payments-prod, for topics "
            + "that are renamed by mirroring or routing). The context is written into the envelope and authenticated; "
            + "readers configured with the same setting refuse envelopes bound to another context.";
    public static final String READER_DOC = "The context envelopes must be bound to: 'none' (the default: any "
            + "context, or none, is accepted), 'topic' (the topic the record was read from) or 'static:<name>'. With "
            + "'topic' or 'static:', an envelope bound to another context or to none is refused before its data key "
            + "is unwrapped, so a record copied from another topic does not decrypt here.";

    private static final EnvelopeContext UNBOUND = new EnvelopeContext(null, false);

    /** The fixed context, or null for 'none' and 'topic'. */
    private final String fixed;
    private final boolean topic;

    private EnvelopeContext(String fixed, boolean topic) {
        this.fixed = fixed;
        this.topic = topic;
    }

    public static EnvelopeContext none() {
        return UNBOUND;
    }

    public static EnvelopeContext topic() {
        return new EnvelopeContext(null, true);
    }

    public static EnvelopeContext fixed(String name) {
        return parse(STATIC_PREFIX + name);
    }

    /** Parses a setting ({@code none}, {@code topic}, {@code static:<name>}); throws {@link ConfigException}. */
    public static EnvelopeContext parse(String setting) {
        if (setting == null || NONE.equals(setting)) {
            return UNBOUND;
        }
        if (TOPIC.equals(setting)) {
            return topic();
        }
        if (setting.startsWith(STATIC_PREFIX)) {
            String name = setting.substring(STATIC_PREFIX.length());
            if (name.isEmpty() || name.length() > MAX_STATIC_CHARS || name.chars().anyMatch(Character::isISOControl)) {
                throw new ConfigException(CONFIG, setting, "a static context is 1 to " + MAX_STATIC_CHARS
                        + " characters without control characters");
            }
            return new EnvelopeContext(name, false);
        }
        throw new ConfigException(CONFIG, setting, "expected 'none', 'topic' or 'static:<name>'");
    }

    /** Defines {@value #CONFIG} in {@code def} with a writer's or a reader's documentation. */
    static void define(ConfigDef def, String doc, String group, int orderInGroup) {
        def.define(CONFIG, ConfigDef.Type.STRING, NONE, validator(), ConfigDef.Importance.MEDIUM, doc, group, orderInGroup,
                ConfigDef.Width.MEDIUM, "Envelope context");
    }

    static ConfigDef.Validator validator() {
        return new ConfigDef.Validator() {
            @Override
            public void ensureValid(String name, Object value) {
                parse((String) value);
            }

            @Override
            public String toString() {
                return "none, topic, or static:<name>";
            }
        };
    }

    /** True unless this is 'none'. */
    public boolean isBound() {
        return topic || fixed != null;
    }

    /**
     * The context of a record on {@code topic}: null when unbound.
     *
     * @throws IllegalArgumentException when bound to the topic and {@code topic} is null
     */
    public String of(String topic) {
        if (this.topic) {
            if (topic == null) {
                throw new IllegalArgumentException(CONFIG + "=" + TOPIC + " needs the record's topic");
            }
            return topic;
        }
        return fixed;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EnvelopeContext other && topic == other.topic && Objects.equals(fixed, other.fixed);
    }

    @Override
    public int hashCode() {
        return Objects.hash(fixed, topic);
    }

    @Override
    public String toString() {
        return topic ? TOPIC : fixed == null ? NONE : STATIC_PREFIX + fixed;
    }
}
