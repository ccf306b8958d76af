package io.flagplane.projection.query;

import io.flagplane.projection.fold.FlagProjectionTopology;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.state.HostInfo;

/**
 * Which instance holds what. A flag's history lives with the partition its events are on, so a
 * per-flag query goes to the instance that owns that partition (here, or one HTTP hop away); a
 * query over everything (the audit log, an export) asks every instance and merges. Either way any
 * instance answers any query the same.
 */
public final class Router {

    /** Marks a request one instance sends another, so it is answered locally and never forwarded again. */
    public static final String FORWARDED = "X-Flagplane-Forwarded";

    private static final Serializer<String> KEYS = Serdes.String().serializer();

    private final LocalStores stores;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public Router(LocalStores stores) {
        this.stores = stores;
    }

    /** The instance that owns this {@code flag-events} record key; empty when it is this one. */
    public Optional<HostInfo> remoteOwner(String eventKey) {
        return remoteOwner(FlagProjectionTopology.HISTORY_STORE, eventKey);
    }

    /** The instance whose {@code store} holds {@code key}; empty when it is this one. */
    public Optional<HostInfo> remoteOwner(String store, String eventKey) {
        KeyQueryMetadata metadata = stores.streamsFor(store).queryMetadataForKey(store, eventKey, KEYS);
        if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE) || metadata.activeHost() == null) {
            throw QueryException.unavailable("no instance owns " + eventKey + " right now (rebalancing); retry in a moment");
        }
        HostInfo owner = metadata.activeHost();
        return owner.equals(stores.self()) ? Optional.empty() : Optional.of(owner);
    }

    /** Every other instance running the projection. */
    public List<HostInfo> otherInstances() {
        return otherInstances(FlagProjectionTopology.AUDIT_STORE);
    }

    /** Every other instance holding a partition of {@code store}. */
    public List<HostInfo> otherInstances(String store) {
        Set<HostInfo> hosts = new LinkedHashSet<>();
        for (StreamsMetadata metadata : stores.streamsFor(store).streamsMetadataForStore(store)) {
            if (!metadata.hostInfo().equals(stores.self())) {
                hosts.add(metadata.hostInfo());
            }
        }
        return new ArrayList<>(hosts);
    }

    /** An answer from another instance, passed on as it came. */
    public record Forwarded(int status, String contentType, byte[] body) {
    }

    public Forwarded forward(HostInfo host, String method, String pathAndQuery, String authorization, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host.host() + ":" + host.port() + pathAndQuery))
                .timeout(Duration.ofSeconds(30))
                .header(FORWARDED, "1")
                .header("Content-Type", "application/json")
                .method(method, body == null || body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Forwarded(response.statusCode(), response.headers().firstValue("Content-Type").orElse("application/json"),
                    response.body());
        } catch (IOException e) {
            throw QueryException.unavailable("instance " + host.host() + ":" + host.port() + " that holds this data did not answer;"
                    + " retry in a moment");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw QueryException.unavailable("the query was interrupted while another instance answered; retry in a moment");
        }
    }
}
