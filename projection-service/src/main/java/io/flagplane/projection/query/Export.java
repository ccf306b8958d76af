package io.flagplane.projection.query;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Every flag and segment wanted, as the contract's states; sorted by environment, then key, once merged. */
public record Export(List<FlagState> flags, List<SegmentState> segments) {

    public Export {
        flags = List.copyOf(flags);
        segments = List.copyOf(segments);
    }

    /** The shares of several instances as one export, in a stable order. */
    public static Export merge(List<Export> shares) {
        List<FlagState> flags = new ArrayList<>();
        List<SegmentState> segments = new ArrayList<>();
        for (Export share : shares) {
            flags.addAll(share.flags());
            segments.addAll(share.segments());
        }
        flags.sort(Comparator.comparing(FlagState::getEnvironment).thenComparing(FlagState::getFlagKey));
        segments.sort(Comparator.comparing(SegmentState::getEnvironment).thenComparing(SegmentState::getSegmentKey));
        return new Export(flags, segments);
    }
}
