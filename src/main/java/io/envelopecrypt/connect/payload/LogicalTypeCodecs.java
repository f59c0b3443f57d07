package io.envelopecrypt.connect.payload;

import org.apache.kafka.connect.errors.DataException;

import java.math.BigDecimal;

/** The codecs for Connect's logical types (Decimal, Date, Time, Timestamp), as Avro logical types. See {@link PayloadCodec} for how they are assembled. */
final class LogicalTypeCodecs {
    static final long MILLIS_PER_DAY = 24L * 60 * 60 * 1000;

    private LogicalTypeCodecs() {
    }

    /** Connect Decimal: Avro {@code decimal} (two's-complement big-endian unscaled value), scale from the schema. */
    static final class DecimalCodec extends ValueCodec {
        private final int scale;

        DecimalCodec(String path, int scale) {
            super(path);
            this.scale = scale;
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof BigDecimal d)) {
                throw mismatch(value, "Decimal (java.math.BigDecimal)");
            }
            if (d.scale() != scale) {
                throw new DataException(where() + " is a Decimal with scale " + d.scale()
                        + " but its schema says scale " + scale);
            }
            out.writeDecimalUnscaled(d.unscaledValue());
        }

        @Override
        Object read(BinaryReader in) {
            return in.readDecimal(scale, where());
        }
    }

    /** Connect Date: Avro {@code date}, days since the epoch; the value must be a UTC midnight. */
    static final class DateCodec extends ValueCodec {
        DateCodec(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof java.util.Date d)) {
                throw mismatch(value, "Date (java.util.Date)");
            }
            long millis = d.getTime();
            if (Math.floorMod(millis, MILLIS_PER_DAY) != 0) {
                throw new DataException(where() + " is a Date that is not a UTC midnight");
            }
            long days = Math.floorDiv(millis, MILLIS_PER_DAY);
            if (days < Integer.MIN_VALUE || days > Integer.MAX_VALUE) {
                throw new DataException(where() + " is a Date out of range");
            }
            out.writeInt((int) days);
        }

        @Override
        Object read(BinaryReader in) {
            return new java.util.Date(in.readInt() * MILLIS_PER_DAY);
        }
    }

    /** Connect Time: Avro {@code time-millis}, milliseconds after midnight of 1970-01-01 UTC. */
    static final class TimeCodec extends ValueCodec {
        TimeCodec(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof java.util.Date d)) {
                throw mismatch(value, "Time (java.util.Date)");
            }
            long millis = d.getTime();
            // Same bounds as org.apache.kafka.connect.data.Time.fromLogical (which admits a full day).
            if (millis < 0 || millis > MILLIS_PER_DAY) {
                throw new DataException(where() + " is a Time outside the first day of the epoch");
            }
            out.writeInt((int) millis);
        }

        @Override
        Object read(BinaryReader in) {
            int millis = in.readInt();
            if (millis < 0 || millis > MILLIS_PER_DAY) {
                throw new MalformedPayloadException(where() + ": time-millis out of range");
            }
            return new java.util.Date(millis);
        }
    }

    /** Connect Timestamp: Avro {@code timestamp-millis}. */
    static final class TimestampCodec extends ValueCodec {
        TimestampCodec(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof java.util.Date d)) {
                throw mismatch(value, "Timestamp (java.util.Date)");
            }
            out.writeLong(d.getTime());
        }

        @Override
        Object read(BinaryReader in) {
            return new java.util.Date(in.readLong());
        }
    }
}
