package io.mlcatalog.server.generate;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.mlcatalog.server.generate.SyntheticCatalog.ArtifactRow;
import io.mlcatalog.server.generate.SyntheticCatalog.DeploymentRow;
import io.mlcatalog.server.generate.SyntheticCatalog.RunRow;
import io.mlcatalog.server.generate.SyntheticCatalog.VersionRow;
import io.mlcatalog.server.model.ArtifactKind;
import io.mlcatalog.server.model.DeploymentStatus;
import io.mlcatalog.server.model.GlobalId;
import io.mlcatalog.server.model.NodeType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * What a benchmark needs to query a generated catalog without searching it first: random roots of
 * each kind (global ids), the 40 most read datasets, and instants at which a known deployment served a
 * target, with the answer {@code explain} should give. Drawn with its own seeded generator, so the
 * same catalog always gives the same sample.
 */
public final class SampleFile {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private SampleFile() {
    }

    public static Map<String, Object> of(SyntheticCatalog c, int perKind) {
        Draw draw = new Draw(c.seed() ^ 0x5eed5eedL);
        Map<String, Object> sample = new LinkedHashMap<>();
        sample.put("seed", c.seed());
        sample.put("scale", c.sizes().scale());
        sample.put("end", Releases.iso(Workload.END));
        Map<String, Object> roots = new LinkedHashMap<>();
        roots.put("Run", pick(draw, c.runs(), perKind, r -> GlobalId.of(NodeType.RUN, r.id())));
        roots.put("Artifact", pick(draw, c.artifacts(), perKind, a -> GlobalId.of(NodeType.ARTIFACT, a.id())));
        roots.put("ModelVersion", pick(draw, c.versions(), perKind, v -> GlobalId.of(NodeType.MODEL_VERSION, v.id())));
        roots.put("CodeVersion", pick(draw, c.codeVersions(), perKind, v -> GlobalId.of(NodeType.CODE_VERSION, v.id())));
        sample.put("roots", roots);
        sample.put("popularDatasets", popular(c, 40));
        sample.put("explain", explain(c, draw, perKind));
        return sample;
    }

    public static void write(Path file, Map<String, Object> sample) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        JSON.writeValue(file.toFile(), sample);
    }

    private static <T> List<String> pick(Draw draw, List<T> rows, int n, Function<T, String> id) {
        int[] order = new int[rows.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        draw.shuffle(order);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < Math.min(n, order.length); i++) {
            ids.add(id.apply(rows.get(order[i])));
        }
        return ids;
    }

    /** The datasets read by the most runs, most read first. */
    static List<Map<String, Object>> popular(SyntheticCatalog c, int n) {
        int[] consumers = new int[c.artifacts().size()];
        for (RunRow r : c.runs()) {
            for (int a : r.inputs()) {
                consumers[a]++;
            }
        }
        List<Integer> order = new ArrayList<>();
        for (int a = 0; a < consumers.length; a++) {
            if (c.artifacts().get(a).kind() == ArtifactKind.DATASET && consumers[a] > 0) {
                order.add(a);
            }
        }
        order.sort((x, y) -> consumers[x] != consumers[y] ? Integer.compare(consumers[y], consumers[x]) : Integer.compare(x, y));
        List<Map<String, Object>> result = new ArrayList<>();
        for (int a : order.subList(0, Math.min(n, order.size()))) {
            ArtifactRow row = c.artifacts().get(a);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", GlobalId.of(NodeType.ARTIFACT, row.id()));
            m.put("uri", row.uri());
            m.put("consumers", consumers[a]);
            result.add(m);
        }
        return result;
    }

    /**
     * Instants inside the interval of a replacing deployment, when nothing else (no canary) served the
     * same target, with the deployment, version and training run that {@code explain} should name.
     */
    static List<Map<String, Object>> explain(SyntheticCatalog c, Draw draw, int n) {
        Map<String, List<DeploymentRow>> byTarget = new HashMap<>();
        List<DeploymentRow> candidates = new ArrayList<>();
        for (DeploymentRow d : c.deployments()) {
            byTarget.computeIfAbsent(key(c, d), k -> new ArrayList<>()).add(d);
            long end = d.endedAt() != null ? d.endedAt() : Workload.END;
            if (d.replaces() && d.status() != DeploymentStatus.FAILED && end - d.startedAt() > 120) {
                candidates.add(d);
            }
        }
        List<Map<String, Object>> result = new ArrayList<>();
        for (int attempt = 0; result.size() < n && !candidates.isEmpty() && attempt < 20 * n; attempt++) {
            DeploymentRow d = candidates.get(draw.below(candidates.size()));
            long end = d.endedAt() != null ? d.endedAt() : Workload.END;
            long at = draw.between(d.startedAt() + 1, end - 1);
            boolean alone = byTarget.get(key(c, d)).stream()
                    .filter(o -> o != d && o.startedAt() <= at && (o.endedAt() == null || o.endedAt() > at)).findAny().isEmpty();
            if (!alone) {
                continue;
            }
            VersionRow v = c.versions().get(d.version());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("namespace", c.namespaces().get(d.namespace()));
            m.put("environment", d.environment());
            m.put("target", d.target());
            m.put("at", Releases.iso(at));
            m.put("deployment", GlobalId.of(NodeType.DEPLOYMENT, d.id()));
            m.put("modelVersion", GlobalId.of(NodeType.MODEL_VERSION, v.id()));
            m.put("run", GlobalId.of(NodeType.RUN, c.runs().get(v.run()).id()));
            result.add(m);
        }
        return result;
    }

    private static String key(SyntheticCatalog c, DeploymentRow d) {
        return c.namespaces().get(d.namespace()) + "\0" + d.environment() + "\0" + d.target();
    }
}
