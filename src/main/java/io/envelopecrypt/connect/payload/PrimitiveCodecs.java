package io.envelopecrypt.connect.payload;

import java.nio.ByteBuffer;

/** The codecs for Connect's primitive types, as Avro primitives. See {@link PayloadCodec} for how they are assembled. */
final class PrimitiveCodecs {
    private PrimitiveCodecs() {
    }

    static final class Int8 extends ValueCodec {
        Int8(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof Byte b)) {
                throw mismatch(value, "INT8 (java.lang.Byte)");
            }
            out.writeInt(b);
        }

        @Override
        Object read(BinaryReader in) {
            int n = in.readInt();
            if (n < Byte.MIN_VALUE || n > Byte.MAX_VALUE) {
                throw new MalformedPayloadException(where() + ": INT8 out of range");
            }
            return (byte) n;
        }
    }

    static final class Int16 extends ValueCodec {
        Int16(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof Short s)) {
                throw mismatch(value, "INT16 (java.lang.Short)");
            }
            out.writeInt(s);
        }

        @Override
        Object read(BinaryReader in) {
            int n = in.readInt();
            if (n < Short.MIN_VALUE || n > Short.MAX_VALUE) {
                throw new MalformedPayloadException(where() + ": INT16 out of range");
            }
            return (short) n;
        }
    }

    static final class Int32 extends ValueCodec {
        Int32(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof Integer i)) {
                throw mismatch(value, "INT32 (java.lang.Integer)");
            }
            out.writeInt(i);
        }

        @Override
        Object read(BinaryReader in) {
            return in.readInt();
        }
    }

    static final class Int64 extends ValueCodec {
        Int64(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof Long l)) {
                throw mismatch(value, "INT64 (java.lang.Long)");
            }
            out.writeLong(l);
        }

        @Override
        Object read(BinaryReader in) {
            return in.readLong();
        }
    }

    static final class Float32 extends ValueCodec {
        Float32(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof Float f)) {
                throw mismatch(value, "FLOAT32 (java.lang.Float)");
            }
            out.writeFloat(f);
        }

        @Override
        Object read(BinaryReader in) {
            return in.readFloat();
        }
    }

    static final class Float64 extends ValueCodec {
        Float64(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof Double d)) {
                throw mismatch(value, "FLOAT64 (java.lang.Double)");
            }
            out.writeDouble(d);
        }

        @Override
        Object read(BinaryReader in) {
            return in.readDouble();
        }
    }

    static final class Bool extends ValueCodec {
        Bool(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof Boolean b)) {
                throw mismatch(value, "BOOLEAN (java.lang.Boolean)");
            }
            out.writeBoolean(b);
        }

        @Override
        Object read(BinaryReader in) {
            return in.readBoolean();
        }
    }

    static final class Str extends ValueCodec {
        Str(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (!(value instanceof String s)) {
                throw mismatch(value, "STRING (java.lang.String)");
            }
            out.writeString(s);
        }

        @Override
        Object read(BinaryReader in) {
            return in.readString();
        }
    }

    /** BYTES: accepts byte[] and ByteBuffer (both valid in Connect); always reads back byte[]. */
    static final class Bytes extends ValueCodec {
        Bytes(String path) {
            super(path);
        }

        @Override
        void write(Object value, BinaryWriter out) {
            if (value instanceof byte[] b) {
                out.writeBytes(b);
            } else if (value instanceof ByteBuffer bb) {
                out.writeBytes(bb);
            } else {
                throw mismatch(value, "BYTES (byte[] or java.nio.ByteBuffer)");
            }
        }

        @Override
        Object read(BinaryReader in) {
            return in.readBytes();
        }
    }
}
