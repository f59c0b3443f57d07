package io.envelopecrypt.connect.engine;

import java.util.HashSet;
import java.util.Set;

/**
 * Key names as metric labels, bounded: the first {@link #MAX} names are reported as themselves and any later one as
 * {@link #OTHER}, so a topic with many tenants cannot grow a worker's metrics without limit.
 */
final class KeyNameLabels {
    static final int MAX = 100;
    static final String OTHER = "(other)";

    private final Set<String> known = new HashSet<>();
    /** The last key id labelled and its label: records come in runs under one data key. */
    private volatile String[] last = {null, null};

    synchronized String label(String keyName) {
        if (known.contains(keyName)) {
            return keyName;
        }
        if (known.size() < MAX) {
            known.add(keyName);
            return keyName;
        }
        return OTHER;
    }

    /** The label of the key (without its version) that an envelope's key id names. */
    String labelOfKeyId(String keyId) {
        String[] l = last;
        if (keyId.equals(l[0])) {
            return l[1];
        }
        int slash = keyId.lastIndexOf('/');
        String label = label(slash > 0 ? keyId.substring(0, slash) : keyId);
        last = new String[] {keyId, label};
        return label;
    }
}
