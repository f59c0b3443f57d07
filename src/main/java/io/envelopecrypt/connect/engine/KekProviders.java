package io.envelopecrypt.connect.engine;

import io.envelopecrypt.connect.kms.KekProviderFactory;
import io.envelopecrypt.connect.kms.KekCallListener;
import io.envelopecrypt.connect.kms.KeyEncryptionKeyProvider;
import io.envelopecrypt.connect.kms.Keyring;
import io.envelopecrypt.connect.kms.MeteredKeyProvider;
import io.envelopecrypt.connect.kms.azure.AzureKeyVaultProviderFactory;
import io.envelopecrypt.connect.kms.local.LocalKekProviderFactory;

import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The key-encryption-key providers this plugin ships, and the {@code kek.provider} setting that picks one.
 * A new provider is one more {@link KekProviderFactory} in {@link #FACTORIES}; nothing else switches on names.
 */
public final class KekProviders {
    public static final String PROVIDER = "kek.provider";
    public static final String VERIFY_ON_START = "kek.verify.on.start";
    public static final String RING = "kek.ring";
    public static final String RING_PREFIX = "kek.ring.";
    public static final String RING_WRAP_POLICY = "kek.ring.wrap.policy";
    public static final String GROUP = "Key-encryption key";
    private static final Pattern ALIAS = Pattern.compile("[a-z0-9][a-z0-9-]{0,31}");
    /** The KEK settings alone, for a keyring member's configuration. */
    private static final ConfigDef MEMBER_DEF = new ConfigDef();

    /** In documentation order: production first. */
    public static final List<KekProviderFactory> FACTORIES = List.of(
            new AzureKeyVaultProviderFactory(), new LocalKekProviderFactory());

    static {
        addTo(MEMBER_DEF);
    }

    private KekProviders() {
    }

    /** Adds {@code kek.provider}, {@code kek.verify.on.start} and every provider's settings to {@code def}. */
    public static ConfigDef addTo(ConfigDef def) {
        String[] names = FACTORIES.stream().map(KekProviderFactory::name).toArray(String[]::new);
        StringBuilder doc = new StringBuilder("Where the key-encryption key (KEK) that wraps data keys lives.");
        for (KekProviderFactory f : FACTORIES) {
            doc.append(" '").append(f.name()).append("': ").append(f.description()).append('.');
        }
        def.define(PROVIDER, ConfigDef.Type.STRING, ConfigDef.NO_DEFAULT_VALUE,
                ConfigDef.CaseInsensitiveValidString.in(names), ConfigDef.Importance.HIGH, doc.toString(),
                GROUP, 1, ConfigDef.Width.SHORT, "KEK provider");
        def.define(VERIFY_ON_START, ConfigDef.Type.BOOLEAN, false, ConfigDef.Importance.LOW,
                "Check when the task starts that the KEK exists and allows the operation this transform needs "
                        + "(wrapKey for EncryptPayload, unwrapKey for DecryptPayload), so a wrong key, "
                        + "permission or credential fails the task at once instead of at the first record.",
                GROUP, 2, ConfigDef.Width.SHORT, "Verify KEK on start");
        def.define(RING, ConfigDef.Type.LIST, "", new RingAliases(), ConfigDef.Importance.MEDIUM,
                "A keyring: aliases of several key-encryption keys (e.g. 'eastus,westeu'), each configured by the "
                        + "settings above with its own values under 'kek.ring.<alias>.' (e.g. "
                        + "kek.ring.westeu.azure.keyvault.url); unprefixed values apply to every member. Encrypting wraps "
                        + "each data key with every member and carries every copy, so any one member decrypts alone (a "
                        + "second region, or a migration from a local key). Decrypting tries the members in this order, "
                        + "failing over when one is unreachable. Empty (the default): the one key the settings above describe.",
                GROUP, 3, ConfigDef.Width.LONG, "Keyring");
        def.define(RING_WRAP_POLICY, ConfigDef.Type.STRING, "all", ConfigDef.CaseInsensitiveValidString.in("all", "available"),
                ConfigDef.Importance.MEDIUM,
                "Encrypting with a keyring: 'all' (the default) fails a record when any member cannot wrap its new data "
                        + "key (retriable while a vault is unreachable), so every record always has every copy. "
                        + "'available' proceeds with the members that wrapped: records then have no copy under the "
                        + "missing member, so losing the remaining region loses them; such data keys are replaced within "
                        + "60 s and logged, and 'envelopecrypt rewrap --add-kek' adds the copies later.",
                GROUP, 4, ConfigDef.Width.SHORT, "Keyring wrap policy");
        FACTORIES.forEach(f -> f.define(def));
        return def;
    }

    /**
     * The configured keyring for {@code operation}: the members of {@code kek.ring}, or the one key the settings
     * describe, each metered by {@code listener} and verified at once when {@code kek.verify.on.start} says so.
     */
    public static Keyring createRing(AbstractConfig config, KeyEncryptionKeyProvider.KeyOperation operation,
                                     KekCallListener listener) {
        return createRing(config, operation, listener, false);
    }

    /** As above; {@code keyPerRecord} when records choose the key by name, so none need be configured. */
    public static Keyring createRing(AbstractConfig config, KeyEncryptionKeyProvider.KeyOperation operation,
                                     KekCallListener listener, boolean keyPerRecord) {
        Keyring.WrapPolicy policy = Keyring.WrapPolicy.valueOf(config.getString(RING_WRAP_POLICY).toUpperCase(Locale.ROOT));
        List<String> aliases = config.getList(RING);
        if (aliases.isEmpty()) {
            ConfigChecks.throwFirst(problems(config.values(), operation, keyPerRecord));
            return new Keyring(List.of(new Keyring.Member("kek", new MeteredKeyProvider(build(config, operation), listener))),
                    policy);
        }
        List<Keyring.Member> members = new ArrayList<>(aliases.size());
        try {
            for (String alias : aliases) {
                AbstractConfig memberConfig = memberConfig(config, alias);
                try {
                    ConfigChecks.throwFirst(problems(memberConfig.values(), operation, keyPerRecord));
                } catch (ConfigException e) {
                    throw new ConfigException("Keyring member '" + alias + "' (" + RING_PREFIX + alias + ".*): " + e.getMessage());
                }
                KeyEncryptionKeyProvider member = build(memberConfig, operation);
                members.add(new Keyring.Member(alias, new MeteredKeyProvider(member, listener)));
            }
        } catch (RuntimeException e) {
            members.forEach(m -> m.provider().close());
            throw e;
        }
        return new Keyring(members, policy);
    }

    /**
     * What keeps the KEK settings from working for {@code operation}, by key (see {@link KekProviderFactory#problems}).
     * A keyring's members are checked with their own settings when the task starts.
     */
    public static Map<String, String> problems(Map<String, ?> parsed, KeyEncryptionKeyProvider.KeyOperation operation,
                                               boolean keyPerRecord) {
        Object ring = parsed.get(RING);
        Object provider = parsed.get(PROVIDER);
        if (ring instanceof List<?> members && !members.isEmpty() || provider == null) {
            return Map.of();
        }
        for (KekProviderFactory f : FACTORIES) {
            if (f.name().equalsIgnoreCase(provider.toString())) {
                return f.problems(parsed, operation, keyPerRecord);
            }
        }
        return Map.of();
    }

    /** A member's settings: every unprefixed setting, overridden by those under {@code kek.ring.<alias>.}. */
    static AbstractConfig memberConfig(AbstractConfig config, String alias) {
        Map<String, Object> props = new HashMap<>();
        config.originals().forEach((k, v) -> {
            if (!k.startsWith(RING_PREFIX)) {
                props.put(k, v);
            }
        });
        Map<String, Object> own = config.originalsWithPrefix(RING_PREFIX + alias + ".");
        props.putAll(own);
        try {
            return new AbstractConfig(MEMBER_DEF, props, false);
        } catch (ConfigException e) {
            throw new ConfigException("Keyring member '" + alias + "' (" + RING_PREFIX + alias + ".*): " + e.getMessage());
        }
    }

    /** Keyring aliases: short lower-case names, distinct. */
    static final class RingAliases implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            @SuppressWarnings("unchecked")
            List<String> aliases = (List<String>) value;
            if (aliases.size() > 8) {
                throw new ConfigException(name, value, "a keyring has at most 8 members (envelopes carry at most 8 copies)");
            }
            for (String alias : aliases) {
                if (!ALIAS.matcher(alias).matches() || alias.equals("wrap")) {
                    throw new ConfigException(name, alias, "aliases are 1-32 lower-case letters, digits or dashes (not 'wrap')");
                }
            }
            if (new HashSet<>(aliases).size() != aliases.size()) {
                throw new ConfigException(name, value, "aliases must be distinct");
            }
        }

        @Override
        public String toString() {
            return "distinct aliases of 1-32 lower-case letters, digits or dashes";
        }
    }

    /** The factory named by {@code kek.provider}. */
    public static KekProviderFactory factory(String name) {
        for (KekProviderFactory f : FACTORIES) {
            if (f.name().equalsIgnoreCase(name)) {
                return f;
            }
        }
        throw new ConfigException(PROVIDER, name, "unknown KEK provider");
    }

    /**
     * Builds the configured provider for {@code operation} (one key, not a keyring), after checking its settings as
     * config validation does, verified at once when {@code kek.verify.on.start} says so.
     */
    public static KeyEncryptionKeyProvider create(AbstractConfig config, KeyEncryptionKeyProvider.KeyOperation operation) {
        ConfigChecks.throwFirst(problems(config.values(), operation, false));
        return build(config, operation);
    }

    /** As {@link #create}, for settings already checked. */
    private static KeyEncryptionKeyProvider build(AbstractConfig config, KeyEncryptionKeyProvider.KeyOperation operation) {
        KekProviderFactory factory = factory(config.getString(PROVIDER).toLowerCase(Locale.ROOT));
        KeyEncryptionKeyProvider kek = factory.create(config, operation);
        if (config.getBoolean(VERIFY_ON_START)) {
            try {
                kek.verify(operation);
            } catch (RuntimeException e) {
                kek.close();
                throw e;
            }
        }
        return kek;
    }
}
