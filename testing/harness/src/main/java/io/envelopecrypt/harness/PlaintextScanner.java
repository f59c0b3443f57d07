package io.envelopecrypt.harness;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * Finds any of many strings (UTF-8) in a large body of bytes, such as every raw value of a topic. Every
 * 8-byte window of the haystack is indexed once, so each needle costs a binary search instead of a scan.
 * Needles shorter than 8 bytes are rejected: they prove nothing against random ciphertext.
 */
public final class PlaintextScanner {
    private static final int WINDOW = 8;
    private final List<byte[]> haystacks;
    private final long[] windows;

    public PlaintextScanner(Collection<byte[]> haystacks) {
        this.haystacks = new ArrayList<>(haystacks);
        int total = 0;
        for (byte[] h : this.haystacks) {
            total += Math.max(0, h.length - WINDOW + 1);
        }
        long[] w = new long[total];
        int i = 0;
        for (byte[] h : this.haystacks) {
            for (int p = 0; p + WINDOW <= h.length; p++) {
                w[i++] = window(h, p);
            }
        }
        Arrays.sort(w);
        this.windows = w;
    }

    private static long window(byte[] b, int p) {
        long v = 0;
        for (int k = 0; k < WINDOW; k++) {
            v = (v << 8) | (b[p + k] & 0xFF);
        }
        return v;
    }

    /**
     * Every text form in which a key of these bytes could be logged: hex (both cases), base64 and base64url,
     * padded and unpadded (Key Vault returns unwrapped keys as unpadded base64url).
     */
    public static List<String> textForms(byte[] key) {
        java.util.Set<String> forms = new java.util.LinkedHashSet<>();
        forms.add(java.util.HexFormat.of().formatHex(key));
        forms.add(java.util.HexFormat.of().withUpperCase().formatHex(key));
        forms.add(java.util.Base64.getEncoder().encodeToString(key));
        forms.add(java.util.Base64.getEncoder().withoutPadding().encodeToString(key));
        forms.add(java.util.Base64.getUrlEncoder().encodeToString(key));
        forms.add(java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(key));
        return new ArrayList<>(forms);
    }

    /** True when {@code needle} occurs in any haystack. */
    public boolean contains(String needle) {
        return contains(needle.getBytes(StandardCharsets.UTF_8));
    }

    /** True when these raw bytes (a key as a binary log or heap dump would hold it) occur in any haystack. */
    public boolean contains(byte[] n) {
        if (n.length < WINDOW) {
            throw new IllegalArgumentException("needles must be at least " + WINDOW + " bytes: " + n.length);
        }
        // Every 8-byte window of the needle must occur somewhere before a full scan is worth it.
        for (int p = 0; p + WINDOW <= n.length; p++) {
            if (Arrays.binarySearch(windows, window(n, p)) < 0) {
                return false;
            }
        }
        for (byte[] h : haystacks) {
            if (indexOf(h, n) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** The first needle found, or null. */
    public String findAny(Collection<String> needles) {
        for (String n : needles) {
            if (contains(n)) {
                return n;
            }
        }
        return null;
    }

    static int indexOf(byte[] h, byte[] n) {
        outer:
        for (int i = 0; i + n.length <= h.length; i++) {
            for (int j = 0; j < n.length; j++) {
                if (h[i + j] != n[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
