package io.flagplane.openfeature.gherkin;

import static io.cucumber.junit.platform.engine.Constants.GLUE_PROPERTY_NAME;
import static io.cucumber.junit.platform.engine.Constants.PLUGIN_PROPERTY_NAME;

import org.junit.platform.suite.api.ConfigurationParameter;
import org.junit.platform.suite.api.IncludeEngines;
import org.junit.platform.suite.api.SelectPackages;
import org.junit.platform.suite.api.Suite;

/**
 * OpenFeature's own acceptance scenarios ({@code evaluation_v2}, {@code evaluation},
 * {@code metadata}, {@code hooks}), run against {@link io.flagplane.openfeature.FlagplaneProvider}
 * through the OpenFeature client API, as a user's service would.
 *
 * <p>The feature files are read where they live, never copied: the build sets the system property
 * {@code cucumber.features} to {@code <openfeature.gherkin.dir>/features}, by default
 * {@code ${maven.multiModuleProjectDirectory}/../shared/openfeature-gherkin} (override with
 * {@code -Dopenfeature.gherkin.dir=…}). If they are not there the run fails — the suite finds no
 * scenarios, and {@link World} refuses to start without the flag data — rather than passing
 * silently; there is no switch to skip it (skip every IT with {@code -DskipITs}).
 *
 * <p>What may fail or be skipped, and why, is {@link Deviations}; counts are printed by
 * {@link GherkinCounts}.
 */
@Suite(failIfNoTests = true)
@IncludeEngines("cucumber")
@SelectPackages("io.flagplane.openfeature.gherkin")   // overridden by cucumber.features, the files outside the repository
@ConfigurationParameter(key = GLUE_PROPERTY_NAME, value = "io.flagplane.openfeature.gherkin")
@ConfigurationParameter(key = PLUGIN_PROPERTY_NAME, value = "io.flagplane.openfeature.gherkin.GherkinCounts")
public class OpenFeatureGherkinIT {
}
