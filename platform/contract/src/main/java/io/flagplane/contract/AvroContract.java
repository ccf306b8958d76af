package io.flagplane.contract;

import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.specific.SpecificRecord;
import org.apache.avro.util.ClassSecurityValidator;
import org.apache.avro.util.ClassSecurityValidator.ClassSecurityPredicate;

/**
 * Process-wide Avro setup for the generated contract classes.
 *
 * <p>Since Avro 1.12.2 (AVRO-4189) every class Avro resolves by name must be trusted, and
 * nothing outside a few JDK classes is trusted by default; so building or decoding a generated
 * record whose fields hold other generated records fails with a {@code SecurityException}.
 * {@link #trustGeneratedClasses()} adds exactly the generated classes of
 * {@code io.flagplane.avro} (Avro records and enums) to whatever the JVM already trusts.
 * Every class of ours that builds or decodes contract records calls it from a static
 * initializer; it is idempotent.
 */
public final class AvroContract {

    /** The package of the generated classes. */
    public static final String GENERATED_PACKAGE = "io.flagplane.avro";

    private static final AtomicBoolean INSTALLED = new AtomicBoolean();

    private AvroContract() {
    }

    public static void trustGeneratedClasses() {
        if (INSTALLED.compareAndSet(false, true)) {
            ClassSecurityPredicate previous = ClassSecurityValidator.getGlobal();
            ClassSecurityValidator.setGlobal(ClassSecurityValidator.composite(previous, AvroContract::isGenerated));
        }
    }

    private static boolean isGenerated(Class<?> type) {
        return GENERATED_PACKAGE.equals(type.getPackageName())
                && (SpecificRecord.class.isAssignableFrom(type) || type.isEnum());
    }
}
