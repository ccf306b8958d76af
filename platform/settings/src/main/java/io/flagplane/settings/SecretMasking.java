package io.flagplane.settings;

import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which settings hold secrets, and how a start-up summary shows them: never the secret, but
 * enough to see what is configured. A value named like a secret ({@code *password*},
 * {@code *secret*}, {@code *token*}, {@code *credentials*}, {@code *.key}, {@code *user.info})
 * shows as {@value #MASK} (a name ending {@code .url}, {@code .location}, {@code .file} or
 * {@code .type} says where a secret is, not what it is, and shows); a JAAS configuration shows its login module and who it logs in as,
 * with every other option masked.
 */
public final class SecretMasking {

    public static final String MASK = "****";

    /** JAAS options that name who logs in rather than prove it. */
    private static final Set<String> PUBLIC_JAAS_OPTIONS = Set.of("username", "user", "clientid", "scope",
            "unsecuredloginstringclaim_sub", "principal", "servicename", "usekeytab", "storekey", "keytab");
    private static final Pattern JAAS_OPTION = Pattern.compile("([A-Za-z0-9_.]+)\\s*=\\s*(\"(?:[^\"\\\\]|\\\\.)*\"|[^\\s;]+)");

    private SecretMasking() {
    }

    /** True when a setting or property of this name holds a secret. */
    public static boolean isSecret(String name) {
        String n = name.toLowerCase(Locale.ROOT);
        if (n.endsWith(".url") || n.endsWith(".location") || n.endsWith(".file") || n.endsWith(".type")) {
            return false;   // where a secret is, or what kind it is, not the secret
        }
        return n.contains("password") || n.contains("secret") || n.contains("token") || n.contains("credentials")
                || n.endsWith(".key") || n.endsWith("user.info") || n.endsWith("passphrase") || isJaas(n);
    }

    private static boolean isJaas(String lowerCaseName) {
        return lowerCaseName.endsWith("sasl.jaas.config");
    }

    /** {@code value} as a log line may show it. */
    public static String mask(String name, String value) {
        if (value == null) {
            return null;
        }
        if (isJaas(name.toLowerCase(Locale.ROOT))) {
            Matcher m = JAAS_OPTION.matcher(value);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                boolean visible = PUBLIC_JAAS_OPTIONS.contains(m.group(1).toLowerCase(Locale.ROOT));
                m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + "=" + (visible ? m.group(2) : "\"" + MASK + "\"")));
            }
            m.appendTail(out);
            return out.toString();
        }
        return isSecret(name) ? MASK : value;
    }
}
