package io.mlcatalog.plugins.kubernetes;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A {@link WorkloadState} as the JSON text a checkpoint keeps (readable in {@code plugins { checkpoint }}). */
final class StateCodec {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private StateCodec() {
    }

    static String encode(WorkloadState s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("namespace", s.namespace());
        m.put("target", s.target());
        putIf(m, "replicas", s.replicas());
        putIf(m, "deployedAt", s.deployedAt());
        putIf(m, "changedAt", s.changedAt() == null ? null : s.changedAt().toString());
        List<Map<String, Object>> serving = new ArrayList<>();
        for (Serving v : s.serving()) {
            Map<String, Object> e = new LinkedHashMap<>();
            putIf(e, "model", v.ref().model());
            putIf(e, "version", v.ref().version());
            putIf(e, "uri", v.ref().uri());
            putIf(e, "digest", v.ref().digest());
            putIf(e, "traffic", v.traffic());
            putIf(e, "since", v.since() == null ? null : v.since().toString());
            serving.add(e);
        }
        m.put("serving", serving);
        return JSON.writeValueAsString(m);
    }

    /**
     * The state a checkpoint holds.
     *
     * @throws IllegalArgumentException when the text is no such state (a checkpoint written by something else)
     */
    @SuppressWarnings("unchecked")
    static WorkloadState decode(String text) {
        try {
            Map<String, Object> m = JSON.readValue(text, Map.class);
            List<Serving> serving = new ArrayList<>();
            for (Object o : (List<Object>) m.getOrDefault("serving", List.of())) {
                Map<String, Object> e = (Map<String, Object>) o;
                ModelRef ref = new ModelRef((String) e.get("model"), (String) e.get("version"), (String) e.get("uri"),
                        (String) e.get("digest"));
                serving.add(new Serving(ref, e.get("traffic") == null ? null : ((Number) e.get("traffic")).doubleValue(),
                        time(e.get("since"))));
            }
            return new WorkloadState((String) m.get("namespace"), (String) m.get("target"), serving,
                    m.get("replicas") == null ? null : ((Number) m.get("replicas")).intValue(), (String) m.get("deployedAt"),
                    time(m.get("changedAt")));
        } catch (JacksonException | ClassCastException | NullPointerException e) {
            throw new IllegalArgumentException("not a workload state: " + text, e);
        }
    }

    private static Instant time(Object o) {
        return o == null ? null : Instant.parse((String) o);
    }

    private static void putIf(Map<String, Object> m, String key, Object value) {
        if (value != null) {
            m.put(key, value);
        }
    }
}
