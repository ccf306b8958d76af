package io.flagplane.ruleset;

import io.flagplane.avro.FlagState;
import io.flagplane.contract.AvroContract;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.avro.file.DataFileReader;
import org.apache.avro.file.DataFileWriter;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificDatumWriter;

/**
 * The last known ruleset on disk, so that an evaluator started while Kafka is unreachable can
 * serve. An Avro object container file of {@code FlagState} records: self-describing (the schema
 * travels in the file, so an older file reads into a newer contract) and needing no registry.
 * Written to a temporary file and moved into place, so a crash never leaves half a snapshot.
 */
public final class SnapshotFile {

    static {
        AvroContract.trustGeneratedClasses();
    }

    private SnapshotFile() {
    }

    public static void write(Path file, Collection<FlagState> states) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path temporary = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try (DataFileWriter<FlagState> writer = new DataFileWriter<>(new SpecificDatumWriter<>(FlagState.class))) {
            writer.create(FlagState.getClassSchema(), temporary.toFile());
            for (FlagState state : states) {
                writer.append(state);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** The states in the file; empty when there is no file. */
    public static List<FlagState> read(Path file) throws IOException {
        List<FlagState> states = new ArrayList<>();
        if (!Files.exists(file)) {
            return states;
        }
        try (DataFileReader<FlagState> reader = new DataFileReader<>(file.toFile(), new SpecificDatumReader<>(FlagState.class))) {
            for (FlagState state : reader) {
                states.add(state);
            }
        } catch (RuntimeException e) {
            throw new IOException("snapshot " + file + " cannot be read: " + e.getMessage(), e);
        }
        return states;
    }
}
