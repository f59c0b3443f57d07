package io.envelopecrypt.connect;

/** Cleartext taken from a record, made fit for an error message: it may be long or hostile. */
public final class RecordText {
    private static final int MAX_CHARS = 64;

    private RecordText() {
    }

    /** At most 64 characters in single quotes, control characters replaced, "..." when cut; "null" for null. */
    public static String quoted(String text) {
        if (text == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_CHARS) + 5).append('\'');
        for (int i = 0; i < text.length() && i < MAX_CHARS; i++) {
            char c = text.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        return sb.append(text.length() > MAX_CHARS ? "...'" : "'").toString();
    }
}
