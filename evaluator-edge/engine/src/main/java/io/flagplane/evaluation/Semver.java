package io.flagplane.evaluation;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A semantic version (semver.org 2.0.0): {@code major.minor.patch[-prerelease][+build]}, compared
 * by precedence (build metadata ignored; a pre-release sorts before its release; pre-release
 * identifiers compare numerically when numeric, else lexically, numeric ones first). A leading
 * {@code v} is accepted, and a missing minor or patch counts as 0.
 */
public record Semver(long major, long minor, long patch, String[] prerelease) implements Comparable<Semver> {

    private static final Pattern FORMAT = Pattern.compile(
            "v?(0|[1-9]\\d*)(?:\\.(0|[1-9]\\d*))?(?:\\.(0|[1-9]\\d*))?(?:-([0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*))?(?:\\+[0-9A-Za-z.-]+)?");

    /** The version, or null when the text is not one. */
    public static Semver parse(String text) {
        if (text == null || text.length() > 256) {
            return null;
        }
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches()) {
            return null;
        }
        try {
            return new Semver(Long.parseLong(m.group(1)),
                    m.group(2) == null ? 0 : Long.parseLong(m.group(2)),
                    m.group(3) == null ? 0 : Long.parseLong(m.group(3)),
                    m.group(4) == null ? new String[0] : m.group(4).split("\\."));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    @Override
    public int compareTo(Semver other) {
        int c = Long.compare(major, other.major);
        if (c == 0) {
            c = Long.compare(minor, other.minor);
        }
        if (c == 0) {
            c = Long.compare(patch, other.patch);
        }
        if (c != 0) {
            return c;
        }
        if (prerelease.length == 0 || other.prerelease.length == 0) {
            // a release sorts after any of its pre-releases
            return Boolean.compare(prerelease.length == 0, other.prerelease.length == 0);
        }
        for (int i = 0; i < Math.min(prerelease.length, other.prerelease.length); i++) {
            c = compareIdentifier(prerelease[i], other.prerelease[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(prerelease.length, other.prerelease.length);
    }

    private static int compareIdentifier(String a, String b) {
        boolean an = isNumeric(a);
        boolean bn = isNumeric(b);
        if (an && bn) {
            return a.length() != b.length() ? Integer.compare(a.length(), b.length()) : a.compareTo(b);
        }
        if (an != bn) {
            return an ? -1 : 1;
        }
        return a.compareTo(b);
    }

    private static boolean isNumeric(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (!Character.isDigit(s.charAt(i))) {
                return false;
            }
        }
        return !s.isEmpty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Semver other && compareTo(other) == 0;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(major) * 31 * 31 + Long.hashCode(minor) * 31 + Long.hashCode(patch);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch + (prerelease.length == 0 ? "" : "-" + String.join(".", prerelease));
    }
}
