package io.flagplane.command.log;

import io.flagplane.avro.FlagEvent;
import io.flagplane.contract.AggregateRef;
import java.util.List;
import java.util.Map;

/**
 * One request, decided and ready to write: its events in order, one change per decision (written
 * or not), the states the request leaves its targets in, its change-set id (null for a single
 * command), and per command whether it produced an event ({@code wrote[c]}).
 */
record Staged(List<FlagEvent> events, List<Change> changes, Map<AggregateRef, Object> states, String changeSetId,
              boolean[] wrote) {
}
