package io.flagplane.command;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.FlagEvent;
import io.flagplane.testkit.http.Api;
import io.flagplane.testkit.stack.SharedTestStack;
import io.flagplane.testkit.stack.TestStack;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Promise 2: per flag, versions are gapless and strictly increasing; a stale expected version gets 409, never a silent overwrite. */
@ExtendWith(SharedTestStack.class)
class ConcurrencyIT {

    private static final String FLAG = "/api/v1/environments/production/flags/checkout.new_ui";
    private CommandServiceFixture fixture;

    @BeforeEach
    void start(TestStack stack) {
        fixture = new CommandServiceFixture(stack, "concurrency");
        fixture.admin().post("/api/v1/environments/production/flags", "{\"key\":\"checkout.new_ui\",\"type\":\"boolean\"}");
    }

    @AfterEach
    void stop() {
        fixture.close();
    }

    @Test
    void many_concurrent_read_modify_write_clients_lose_no_update_and_leave_gapless_versions() throws Exception {
        int writers = 8;
        int attemptsEach = 15;
        AtomicInteger succeeded = new AtomicInteger();
        AtomicInteger conflicts = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int writer = w;
            done.add(pool.submit(() -> {
                Api api = fixture.admin();
                for (int i = 0; i < attemptsEach; i++) {
                    long seen = api.get(FLAG).body().get("version").asLong();
                    // each writer adds its own key to the allow list, based on the version it read
                    Api.Response r = api.with("If-Match", "\"" + seen + "\"").post(FLAG + "/allow-list",
                            "{\"add\":[\"writer-" + writer + "-" + i + "\"]}");
                    if (r.status() == 200) {
                        assertThat(r.version()).isEqualTo(seen + 1);
                        succeeded.incrementAndGet();
                    } else {
                        assertThat(r.status()).as(r.raw()).isEqualTo(409);
                        assertThat(r.errorCode()).isEqualTo("VERSION_CONFLICT");
                        assertThat(r.body().get("error").get("currentVersion").asLong()).isGreaterThan(seen);
                        conflicts.incrementAndGet();
                    }
                }
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();

        assertThat(succeeded.get() + conflicts.get()).isEqualTo(writers * attemptsEach);
        assertThat(succeeded.get()).isPositive();
        var flag = fixture.admin().get(FLAG).body();
        assertThat(flag.get("version").asLong()).isEqualTo(1 + succeeded.get());
        assertThat(flag.get("allowList").get(0).get("keys")).hasSize(succeeded.get());

        List<FlagEvent> events = fixture.events(1 + succeeded.get());
        assertThat(events).extracting(FlagEvent::getVersion)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, 1 + succeeded.get()).boxed().toList());
    }

    @Test
    void concurrent_blind_writers_are_serialised_into_gapless_versions() throws Exception {
        int writers = 8;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<Api.Response>> responses = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            int n = i;
            responses.add(pool.submit(() -> fixture.admin().put(FLAG + "/metadata", "{\"description\":\"write " + n + "\"}")));
        }
        List<Long> versions = new ArrayList<>();
        for (Future<Api.Response> r : responses) {
            assertThat(r.get().status()).isEqualTo(200);
            versions.add(r.get().version());
        }
        pool.shutdown();

        assertThat(versions).doesNotHaveDuplicates().hasSize(40);
        assertThat(versions.stream().mapToLong(Long::longValue).max().orElseThrow()).isEqualTo(41);
    }
}
