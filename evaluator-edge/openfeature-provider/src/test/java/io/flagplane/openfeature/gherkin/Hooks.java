package io.flagplane.openfeature.gherkin;

import io.cucumber.java.After;
import io.cucumber.java.AfterAll;
import io.cucumber.java.Before;
import io.cucumber.java.Scenario;
import org.opentest4j.TestAbortedException;

/** Per scenario: fresh state, the deviation list applied. Per run: the broker closed at the end. */
public class Hooks {

    @Before
    public void start(Scenario scenario) {
        World.reset();
        World.deviation = Deviations.of(scenario.getUri().toString(), scenario.getName());
        if (World.deviation != null && World.deviation.kind() == Deviations.Kind.SKIPPED) {
            throw new TestAbortedException("skipped: " + World.deviation.reason());
        }
    }

    @After
    public void finish(Scenario scenario) {
        Deviations.Deviation deviation = World.deviation;
        if (deviation != null && deviation.kind() == Deviations.Kind.FAILS && !scenario.isFailed()) {
            if (World.expectedFailures.isEmpty()) {
                throw new AssertionError("'" + scenario.getName() + "' is listed as failing (" + deviation.reason()
                        + ") but passes now: take it off the list in Deviations");
            }
            scenario.log("fails as listed: " + World.expectedFailures.get(0).getMessage());
        }
    }

    @AfterAll
    public static void closeAll() throws Exception {
        ProviderSteps.shutdownAll();
        World.close();
    }
}
