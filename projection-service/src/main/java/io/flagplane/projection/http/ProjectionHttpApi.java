package io.flagplane.projection.http;

import io.flagplane.projection.fold.ProjectionMetrics;
import io.javalin.Javalin;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.streams.KafkaStreams;

/** The projection-service's HTTP surface: health and fold status. */
public final class ProjectionHttpApi {

    private ProjectionHttpApi() {
    }

    public static Javalin create(KafkaStreams streams, ProjectionMetrics metrics) {
        return Javalin.create(config -> {
            config.startup.showJavalinBanner = false;
            config.startup.showOldJavalinVersionWarning = false;
            var routes = config.routes;
            routes.get("/health/live", ctx -> ctx.json(Map.of("status", streams.state().hasNotStarted()
                    || streams.state().isRunningOrRebalancing() ? "UP" : streams.state().name())));
            routes.get("/health/ready", ctx -> {
                boolean ready = streams.state() == KafkaStreams.State.RUNNING;
                ctx.status(ready ? 200 : 503).json(Map.of("status", streams.state().name()));
            });
            routes.get("/api/v1/status", ctx -> {
                Map<String, Object> status = new LinkedHashMap<>();
                status.put("state", streams.state().name());
                status.put("eventsApplied", metrics.applied());
                status.put("eventsStale", metrics.stale());
                status.put("eventsRejected", metrics.rejected());
                status.put("recordsUndecodable", metrics.undecodable());
                ctx.json(status);
            });
        });
    }
}
