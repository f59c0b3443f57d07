package io.envelopecrypt.connect.engine;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Metric labels per key stay bounded: a topic with thousands of tenants cannot grow a worker's metrics forever. */
class KeyNameLabelsTest {
    @Test
    void theFirstHundredNamesAreTheirOwnLabelAndTheRestShareOne() {
        KeyNameLabels labels = new KeyNameLabels();
        for (int i = 0; i < KeyNameLabels.MAX; i++) {
            assertThat(labels.label("tenant-" + i)).isEqualTo("tenant-" + i);
        }
        assertThat(labels.label("tenant-100")).isEqualTo(KeyNameLabels.OTHER);
        assertThat(labels.label("tenant-7")).as("a known name keeps its label").isEqualTo("tenant-7");
    }

    @Test
    void keyIdsAreLabelledWithoutTheirVersion() {
        KeyNameLabels labels = new KeyNameLabels();
        assertThat(labels.labelOfKeyId("https://v.vault.azure.net/keys/tenant-7/0123abcd"))
                .isEqualTo("https://v.vault.azure.net/keys/tenant-7");
        assertThat(labels.labelOfKeyId("https://v.vault.azure.net/keys/tenant-7/4567ef01"))
                .isEqualTo("https://v.vault.azure.net/keys/tenant-7");
        assertThat(labels.labelOfKeyId("local:dev/4e5516fcbf4d10e5")).isEqualTo("local:dev");
    }
}
