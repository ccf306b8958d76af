/**
 * The statistics of experiments: what the projection-service shows beside an experiment's counts.
 *
 * <p>Pure functions over counts and summaries, on Hipparchus' distributions and special functions;
 * no I/O, no clock, no shared mutable state. Every value is an immutable record.
 *
 * <ul>
 *   <li>{@link io.flagplane.statistics.TwoProportionTest}: conversion rates, pooled z-test, Wald and
 *       delta-method intervals.</li>
 *   <li>{@link io.flagplane.statistics.WelchTest}: means of a per-user metric, Welch's t-test.</li>
 *   <li>{@link io.flagplane.statistics.SampleRatio}: did the users split as the weights said?</li>
 *   <li>{@link io.flagplane.statistics.AlwaysValid} and {@link io.flagplane.statistics.SequentialMonitor}:
 *       p-values and intervals that stay valid however often they are looked at.</li>
 * </ul>
 *
 * <h2>Conventions</h2>
 * Invalid arguments (negative counts, a confidence outside (0, 1)) are refused with an
 * {@link java.lang.IllegalArgumentException} naming the argument. Valid but degenerate data (an arm
 * without users, no variance at all) never throws: a value the data cannot define is {@code NaN},
 * and each class says which. "Relative lift" is always {@code treatment / control − 1}, and
 * "difference" always {@code treatment − control}.
 *
 * <p>Fixed-horizon results (the z- and t-tests) are valid for one look at a sample size chosen in
 * advance. Results that are watched as the data come in need {@link io.flagplane.statistics.AlwaysValid}.
 */
package io.flagplane.statistics;
