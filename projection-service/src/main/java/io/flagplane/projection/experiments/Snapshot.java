package io.flagplane.projection.experiments;

/**
 * One partition's totals of one experiment as they stood at {@code atMs} (stream time, the start of
 * a minute or an hour): a point of the results' time series. A query adds the partitions' latest
 * points at or before each instant.
 */
public record Snapshot(int partition, long atMs, ExperimentTotals totals) {
}
