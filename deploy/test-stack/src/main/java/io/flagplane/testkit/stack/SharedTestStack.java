package io.flagplane.testkit.stack;

import io.flagplane.testkit.KafkaTestCluster;
import io.flagplane.testkit.SharedKafka;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving tests the JVM's one {@link TestStack} (and, to tests that ask, the
 * {@link KafkaTestCluster} under it): started on first use, closed when the run ends.
 */
public final class SharedTestStack implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(SharedTestStack.class);

    public static TestStack stack(ExtensionContext context) {
        KafkaTestCluster kafka = SharedKafka.cluster(context);
        return context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(TestStack.class, k -> new TestStack(kafka), TestStack.class);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == TestStack.class || type == KafkaTestCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestStack.class ? stack(context) : SharedKafka.cluster(context);
    }
}
