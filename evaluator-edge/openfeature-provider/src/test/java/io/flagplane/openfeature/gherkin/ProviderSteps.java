package io.flagplane.openfeature.gherkin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.openfeature.sdk.OpenFeatureAPI;
import dev.openfeature.sdk.ProviderState;
import io.cucumber.java.en.Given;
import io.cucumber.java.en.Then;
import io.flagplane.openfeature.FlagplaneProvider;
import io.flagplane.sdk.FlagplaneClient;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.awaitility.Awaitility;

/**
 * "a stable / not ready / error / fatal / stale provider": where the OpenFeature Java SDK's glue
 * uses mock providers, these are real {@link FlagplaneProvider}s over real
 * {@link FlagplaneClient}s brought into each state the way a user's would get there:
 * <ul>
 * <li>stable: booted from the snapshot of the test flags, then caught up with a live broker;</li>
 * <li>not ready: Kafka unreachable, no snapshot, still within its ready timeout;</li>
 * <li>error: the same, past a short ready timeout;</li>
 * <li>fatal: Kafka rejects its credential (a SASL client against a plaintext listener), no snapshot;</li>
 * <li>stale: booted from the snapshot, Kafka unreachable.</li>
 * </ul>
 * Each is made once per run (the stable one as the default provider, the others under a domain
 * named for their state) and a fresh OpenFeature client is taken per scenario.
 */
public class ProviderSteps {

    private static final OpenFeatureAPI API = OpenFeatureAPI.getInstance();
    private static final String UNREACHABLE = "127.0.0.1:1";
    private static final Map<String, FlagplaneProvider> MADE = new HashMap<>();

    @Given("a {} provider")
    public void a_provider(String kind) throws Exception {
        String normalized = kind.toLowerCase().replaceAll("[\"\\s]+", " ").trim();
        switch (normalized) {
            case "stable", "ready" -> World.client = stable();
            case "not ready" -> World.client = API.getClient(domain("NOT_READY", () -> {
                FlagplaneProvider provider = new FlagplaneProvider(unreachable(), Duration.ofMinutes(10));
                API.setProvider("NOT_READY", provider);
                return provider;
            }));
            case "error" -> World.client = API.getClient(domain("ERROR", () -> {
                FlagplaneProvider provider = new FlagplaneProvider(unreachable(), Duration.ofMillis(200));
                setAndExpectFailure("ERROR", provider);
                return provider;
            }));
            case "fatal" -> World.client = API.getClient(domain("FATAL", () -> {
                FlagplaneClient rejected = FlagplaneClient.builder().bootstrapServers(World.kafka().bootstrapServers())
                        .schemaRegistryUrl(World.kafka().schemaRegistryUrl()).environment(TestFlags.ENVIRONMENT)
                        .consumerProperties(Map.of("security.protocol", "SASL_PLAINTEXT", "sasl.mechanism", "PLAIN",
                                "sasl.jaas.config", "org.apache.kafka.common.security.plain.PlainLoginModule required"
                                        + " username=\"gherkin\" password=\"wrong\";"))
                        .build();
                FlagplaneProvider provider = new FlagplaneProvider(rejected, Duration.ofSeconds(60));
                setAndExpectFailure("FATAL", provider);
                return provider;
            }));
            case "stale" -> World.client = API.getClient(domain("STALE", () -> {
                FlagplaneProvider provider = new FlagplaneProvider(World.clientFromSnapshot(UNREACHABLE, Map.of()));
                API.setProviderAndWait("STALE", provider);
                Awaitility.await().atMost(Duration.ofSeconds(30))
                        .until(() -> API.getClient("STALE").getProviderState() == ProviderState.STALE);
                return provider;
            }));
            default -> throw new IllegalArgumentException("unknown provider kind: " + kind);
        }
    }

    @Then("the provider status should be {string}")
    public void the_provider_status_should_be(String expected) {
        World.check(() -> assertThat(World.client.getProviderState()).isEqualTo(ProviderState.valueOf(expected)));
    }

    private interface Maker {
        FlagplaneProvider make() throws Exception;
    }

    private static synchronized String domain(String name, Maker maker) throws Exception {
        if (!MADE.containsKey(name)) {
            MADE.put(name, maker.make());
        }
        return name;
    }

    private static synchronized dev.openfeature.sdk.Client stable() throws Exception {
        domain("stable", () -> {
            FlagplaneClient flags = World.clientFromSnapshot(World.kafka().bootstrapServers(), Map.of());
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> flags.status().caughtUp() && !flags.status().stale());
            FlagplaneProvider provider = new FlagplaneProvider(flags);
            API.setProviderAndWait(provider);
            return provider;
        });
        return API.getClient();
    }

    private static FlagplaneClient unreachable() {
        return FlagplaneClient.builder().bootstrapServers(UNREACHABLE).schemaRegistryUrl(World.kafka().schemaRegistryUrl())
                .environment(TestFlags.ENVIRONMENT).build();
    }

    /** initialize() fails for these two by design; the SDK rethrows that, and the state is what the steps check. */
    private static void setAndExpectFailure(String domain, FlagplaneProvider provider) {
        try {
            API.setProviderAndWait(domain, provider);
            throw new AssertionError("the " + domain + " provider started");
        } catch (RuntimeException expected) {
            // ERROR or FATAL, checked by the scenario
        }
    }

    static synchronized void shutdownAll() {
        API.shutdown();
        MADE.clear();
    }
}
