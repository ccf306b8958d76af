package io.flagplane.projection.replay;

import static org.assertj.core.api.Assertions.assertThat;

import io.flagplane.avro.FlagState;
import io.flagplane.fixtures.States;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A rebuild thread's state cache: nothing it was told is lost when it writes, fills up and starts over. */
class StateCacheTest {

    @TempDir
    Path dir;

    @Test
    void states_survive_the_cache_filling_up_and_are_read_back_from_the_store() {
        try (RebuiltStores stores = RebuiltStores.create(dir.resolve("db"))) {
            StateCache<FlagState> cache = new StateCache<>(stores, stores.flags, StateCodec.FLAGS, 2);
            BatchBuilder batch = new BatchBuilder(stores);
            for (int flag = 0; flag < 5; flag++) {
                String key = "production/f" + flag;
                assertThat(cache.get(key)).as("absent before it is created").isNull();
                cache.put(key, States.booleanState("production", "f" + flag, 1));
            }
            assertThat(cache.full()).isTrue();
            assertThat(stores.flags().get("production/f0")).as("nothing is written before the batch").isNull();

            cache.writeChanged(batch);   // writes all five and starts over (more than 2 held)
            stores.write(batch);
            assertThat(cache.full()).isFalse();
            for (int flag = 0; flag < 5; flag++) {
                assertThat(stores.flags().get("production/f" + flag).getVersion()).isEqualTo(1);
            }

            // read back and decoded from the store, moved on, written again
            FlagState read = cache.get("production/f3");
            assertThat(read).isEqualTo(States.booleanState("production", "f3", 1));
            cache.put("production/f3", States.booleanState("production", "f3", 2));
            assertThat(cache.get("production/f3").getVersion()).as("the cache answers with what it was told").isEqualTo(2);
            cache.writeChanged(batch);
            stores.write(batch);
            assertThat(stores.flags().get("production/f3").getVersion()).isEqualTo(2);
            assertThat(stores.flags().get("production/f4").getVersion()).as("untouched since").isEqualTo(1);
        }
    }

    @Test
    void a_put_for_another_key_than_the_last_read_lands_on_its_own_key() {
        try (RebuiltStores stores = RebuiltStores.create(dir.resolve("db"))) {
            StateCache<FlagState> cache = new StateCache<>(stores, stores.flags, StateCodec.FLAGS, 100);
            cache.get("production/a");
            cache.put("production/b", States.booleanState("production", "b", 7));
            assertThat(cache.get("production/a")).isNull();
            assertThat(cache.get("production/b").getVersion()).isEqualTo(7);
        }
    }
}
