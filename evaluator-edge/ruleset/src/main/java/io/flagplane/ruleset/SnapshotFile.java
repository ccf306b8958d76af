package io.flagplane.ruleset;

import io.flagplane.avro.FlagState;
import io.flagplane.avro.SegmentState;
import io.flagplane.contract.AvroContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * The last known ruleset on disk, so that an evaluator started while Kafka is unreachable can
 * serve. An Avro object container file whose records are {@code FlagState} or
 * {@code SegmentState} (the file's schema is the union of the two): self-describing (the schema
 * travels in the file, so an older file reads into a newer contract; a file from before segments,
 * written with the {@code FlagState} schema alone, still reads) and needing no registry. Written to
 * a temporary file and moved into place, so a crash never leaves half a snapshot.
 */
public final class SnapshotFile {

    static {
        AvroContract.trustGeneratedClasses();
    }

    static final Schema SCHEMA = Schema.createUnion(FlagState.getClassSchema(), SegmentState.getClassSchema());

    /** What a snapshot holds. */
    public record Snapshot(List<FlagState> flags, List<SegmentState> segments) {
        public boolean isEmpty() {
            return flags.isEmpty() && segments.isEmpty();
        }
    }

    private SnapshotFile() {
    }

    public static void write(Path file, Collection<FlagState> flags, Collection<SegmentState> segments) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temporary = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try (DataFileWriter<Object> writer = new DataFileWriter<>(new SpecificDatumWriter<>(SCHEMA))) {
            writer.create(SCHEMA, temporary.toFile());
            for (FlagState state : flags) {
                writer.append(state);
            }
            for (SegmentState state : segments) {
                writer.append(state);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The states in the file; empty when there is no file. */
    public static Snapshot read(Path file) throws IOException {
        List<FlagState> flags = new ArrayList<>();
        List<SegmentState> segments = new ArrayList<>();
        if (!Files.exists(file)) {
            return new Snapshot(flags, segments);
        }
        SpecificDatumReader<Object> datumReader = new SpecificDatumReader<>(null, SCHEMA);
        try (DataFileReader<Object> reader = new DataFileReader<>(file.toFile(), datumReader)) {
            for (Object state : reader) {
                if (state instanceof FlagState f) {
                    flags.add(f);
                } else if (state instanceof SegmentState s) {
                    segments.add(s);
                }
            }
        } catch (RuntimeException e) {
            throw new IOException("snapshot " + file + " cannot be read: " + e.getMessage(), e);
        }
        return new Snapshot(flags, segments);
    }
}
