package io.flagplane.testkit;

import java.nio.file.Path;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving tests the one shared {@link SecureKafkaCluster} of this JVM (certificates
 * and data under {@code target/secure-kafka}): started on first use, kept in the root context
 * store, closed when the whole run ends. Tests isolate themselves with their own users, ACLs and
 * topic prefixes.
 */
public final class SharedSecureKafka implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedSecureKafka.class);

    public static SecureKafkaCluster cluster(ExtensionContext context) {
        return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(SecureKafkaCluster.class,
                k -> SecureKafkaCluster.start(Path.of("target", "secure-kafka")), SecureKafkaCluster.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == SecureKafkaCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) throws ParameterResolutionException {
        return cluster(context);
    }
}
