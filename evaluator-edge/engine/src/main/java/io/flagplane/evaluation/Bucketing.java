package io.flagplane.evaluation;

/**
 * Deterministic bucketing: MurmurHash3 (x86, 32-bit, seed 0) of the UTF-8 bytes of
 * {@code salt + "." + value}, read as an unsigned int, modulo {@value #BUCKETS}. Stable across
 * processes, versions and languages; the golden vectors in the tests pin it.
 *
 * <p>Hot path: the hash runs over the characters directly, encoding UTF-8 on the fly, so that
 * bucketing allocates nothing; and a flag hashes its salt prefix once ({@link Prefix}) and
 * resumes from there for every value.
 */
public final class Bucketing {

    /** 10,000 buckets: one bucket is 0.01 %, a weight of 1 basis point. */
    public static final int BUCKETS = 10_000;

    private static final int C1 = 0xcc9e2d51;
    private static final int C2 = 0x1b873593;

    private Bucketing() {
    }

    /** The bucket, 0..9999, of {@code value} under {@code salt}. */
    public static int bucket(String salt, String value) {
        return Prefix.of(salt).bucket(value);
    }

    /** The unsigned 32-bit hash of UTF-8 {@code salt + "." + value}. */
    public static long hash(String salt, String value) {
        return Prefix.of(salt).hash(value);
    }

    /**
     * The hash state after {@code salt + "."}: the running hash, the bytes not yet forming a
     * full 4-byte block, and the byte count. Immutable; {@link #hash(String)} continues from it.
     */
    public static final class Prefix {
        private final int h1;
        private final int tail;
        private final int tailBytes;
        private final int length;

        private Prefix(int h1, int tail, int tailBytes, int length) {
            this.h1 = h1;
            this.tail = tail;
            this.tailBytes = tailBytes;
            this.length = length;
        }

        public static Prefix of(String salt) {
            State s = new State(0, 0, 0, 0);
            s.addString(salt);
            s.addByte('.');
            return new Prefix(s.h1, s.tail, s.tailBytes, s.length);
        }

        public long hash(String value) {
            State s = new State(h1, tail, tailBytes, length);
            s.addString(value);
            return s.finish() & 0xffffffffL;
        }

        public int bucket(String value) {
            return (int) (hash(value) % BUCKETS);
        }
    }

    /**
     * A running MurmurHash3 over a byte stream fed one byte at a time. Short-lived and
     * stack-confined: escape analysis keeps it off the heap.
     */
    private static final class State {
        int h1;
        int tail;
        int tailBytes;
        int length;

        State(int h1, int tail, int tailBytes, int length) {
            this.h1 = h1;
            this.tail = tail;
            this.tailBytes = tailBytes;
            this.length = length;
        }

        void addString(String s) {
            int n = s.length();
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c < 0x80) {
                    addByte(c);
                } else if (c < 0x800) {
                    addByte(0xc0 | (c >> 6));
                    addByte(0x80 | (c & 0x3f));
                } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, s.charAt(++i));
                    addByte(0xf0 | (cp >> 18));
                    addByte(0x80 | ((cp >> 12) & 0x3f));
                    addByte(0x80 | ((cp >> 6) & 0x3f));
                    addByte(0x80 | (cp & 0x3f));
                } else if (Character.isSurrogate(c)) {
                    addByte('?'); // an unpaired surrogate encodes as '?', as String.getBytes(UTF_8) does
                } else {
                    addByte(0xe0 | (c >> 12));
                    addByte(0x80 | ((c >> 6) & 0x3f));
                    addByte(0x80 | (c & 0x3f));
                }
            }
        }

        void addByte(int b) {
            tail |= (b & 0xff) << (tailBytes * 8);
            length++;
            if (++tailBytes == 4) {
                int k1 = tail * C1;
                k1 = Integer.rotateLeft(k1, 15);
                k1 *= C2;
                h1 ^= k1;
                h1 = Integer.rotateLeft(h1, 13);
                h1 = h1 * 5 + 0xe6546b64;
                tail = 0;
                tailBytes = 0;
            }
        }

        int finish() {
            int h = h1;
            if (tailBytes > 0) {
                int k1 = tail * C1;
                k1 = Integer.rotateLeft(k1, 15);
                k1 *= C2;
                h ^= k1;
            }
            h ^= length;
            h ^= h >>> 16;
            h *= 0x85ebca6b;
            h ^= h >>> 13;
            h *= 0xc2b2ae35;
            h ^= h >>> 16;
            return h;
        }
    }
}
