package io.flagplane.evaluation;

import java.nio.charset.StandardCharsets;

/**
 * Deterministic bucketing: MurmurHash3 (x86, 32-bit, seed 0) of the UTF-8 bytes of
 * {@code salt + "." + value}, read as an unsigned int, modulo {@value #BUCKETS}. Stable across
 * processes, versions and languages; the golden vectors in the tests pin it.
 *
 * <p>Hot path: the hash runs over the characters directly, encoding UTF-8 on the fly (four ASCII
 * characters at a time when it can), with its whole state in local variables, so bucketing
 * allocates nothing whatever the JIT decides to inline; and a flag hashes its salt prefix once
 * ({@link Prefix}) and resumes from there for every value.
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

        /** Hashes {@code salt + "."} once (not on the hot path). */
        public static Prefix of(String salt) {
            byte[] bytes = (salt + ".").getBytes(StandardCharsets.UTF_8);
            int h = 0;
            int t = 0;
            int tb = 0;
            for (byte b : bytes) {
                t |= (b & 0xff) << (tb * 8);
                if (++tb == 4) {
                    h = mix(h, t);
                    t = 0;
                    tb = 0;
                }
            }
            return new Prefix(h, t, tb, bytes.length);
        }

        public long hash(String value) {
            return finish(hashFrom(h1, tail, tailBytes, length, value)) & 0xffffffffL;
        }

        public int bucket(String value) {
            return (int) (hash(value) % BUCKETS);
        }
    }

    /**
     * Continues a hash with the UTF-8 bytes of {@code s}; returns h1 (with the last partial block
     * folded in) in the high int and the total byte length in the low int, for {@link #finish}.
     */
    private static long hashFrom(int h1, int tail, int tailBytes, int length, String s) {
        int n = s.length();
        for (int i = 0; i < n; i++) {
            if (tailBytes == 0) {
                while (i + 4 <= n) {
                    char c0 = s.charAt(i);
                    char c1 = s.charAt(i + 1);
                    char c2 = s.charAt(i + 2);
                    char c3 = s.charAt(i + 3);
                    if ((c0 | c1 | c2 | c3) >= 0x80) {
                        break;
                    }
                    h1 = mix(h1, c0 | c1 << 8 | c2 << 16 | c3 << 24);
                    length += 4;
                    i += 4;
                }
                if (i >= n) {
                    break;
                }
            }
            char c = s.charAt(i);
            int bytes;
            int encoded;
            if (c < 0x80) {
                bytes = 1;
                encoded = c;
            } else if (c < 0x800) {
                bytes = 2;
                encoded = (0xc0 | (c >> 6)) | (0x80 | (c & 0x3f)) << 8;
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                bytes = 4;
                encoded = (0xf0 | (cp >> 18)) | (0x80 | ((cp >> 12) & 0x3f)) << 8 | (0x80 | ((cp >> 6) & 0x3f)) << 16
                        | (0x80 | (cp & 0x3f)) << 24;
            } else if (Character.isSurrogate(c)) {
                bytes = 1;
                encoded = '?'; // an unpaired surrogate encodes as '?', as String.getBytes(UTF_8) does
            } else {
                bytes = 3;
                encoded = (0xe0 | (c >> 12)) | (0x80 | ((c >> 6) & 0x3f)) << 8 | (0x80 | (c & 0x3f)) << 16;
            }
            for (int b = 0; b < bytes; b++) {
                tail |= ((encoded >>> (b * 8)) & 0xff) << (tailBytes * 8);
                length++;
                if (++tailBytes == 4) {
                    h1 = mix(h1, tail);
                    tail = 0;
                    tailBytes = 0;
                }
            }
        }
        if (tailBytes > 0) {
            int k1 = tail * C1;
            k1 = Integer.rotateLeft(k1, 15);
            k1 *= C2;
            h1 ^= k1;
        }
        return ((long) h1 << 32) | (length & 0xffffffffL);
    }

    private static int finish(long packed) {
        int h = (int) (packed >>> 32);
        h ^= (int) packed;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h;
    }

    private static int mix(int h1, int block) {
        int k1 = block * C1;
        k1 = Integer.rotateLeft(k1, 15);
        k1 *= C2;
        h1 ^= k1;
        h1 = Integer.rotateLeft(h1, 13);
        return h1 * 5 + 0xe6546b64;
    }
}
