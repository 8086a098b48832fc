package io.mlcatalog.server.generate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.mlcatalog.server.generate.SyntheticCatalog.AliasEventRow;
import io.mlcatalog.server.generate.SyntheticCatalog.AliasRow;
import io.mlcatalog.server.generate.SyntheticCatalog.ChangeRow;
import io.mlcatalog.server.generate.SyntheticCatalog.DeploymentRow;
import io.mlcatalog.server.generate.SyntheticCatalog.ModelRow;
import io.mlcatalog.server.generate.SyntheticCatalog.TagRow;
import io.mlcatalog.server.generate.SyntheticCatalog.VersionRow;
import io.mlcatalog.server.model.DeploymentStatus;
import io.mlcatalog.server.model.GlobalId;
import io.mlcatalog.server.model.Ids;
import io.mlcatalog.server.model.NodeType;
import io.mlcatalog.server.model.Times;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What happened to the registered versions over the year: deployments to staging and production
 * targets (each replacing deployment ends the one serving before it, as {@code startDeployment}
 * does; now and then a canary beside it, a failed rollout, a rollback, a target switched off), the
 * aliases that followed them (events and the intervals {@code AliasStore.rebuildIntervals} derives
 * from them), tags, and the change-log entries the API writes for all of it.
 */
final class Releases {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MINUTE = 60;
    private static final long HOUR = 3600;

    private final Workload w;
    private final Draw draw;
    private final Sizes sizes;
    /** Per model, its versions' indexes, oldest first. */
    private final List<List<Integer>> byModel = new ArrayList<>();

    final List<DeploymentRow> deployments = new ArrayList<>();
    final List<AliasEventRow> aliasEvents = new ArrayList<>();
    final List<AliasRow> aliases = new ArrayList<>();
    final List<TagRow> tags = new ArrayList<>();
    final List<ChangeRow> changes = new ArrayList<>();

    private Releases(Workload w, Sizes sizes) {
        this.w = w;
        this.draw = w.draw();
        this.sizes = sizes;
    }

    static Releases simulate(Workload w, Sizes sizes) {
        Releases r = new Releases(w, sizes);
        r.run();
        return r;
    }

    private void run() {
        for (int m = 0; m < w.models.size(); m++) {
            byModel.add(new ArrayList<>());
        }
        for (int v = 0; v < w.versions.size(); v++) {
            byModel.get(w.versions.get(v).model()).add(v);
        }
        registrations();
        double[] weights = new double[w.models.size()];
        for (int m = 0; m < weights.length; m++) {
            weights[m] = Math.pow(byModel.get(m).size(), 1.2);
        }
        int[] perModel = Draw.allocate(sizes.deployments(), weights, 0);
        for (int m = 0; m < perModel.length; m++) {
            List<Target> targets = perModel[m] == 0 ? List.of() : deploy(m, perModel[m]);
            aliases(m, targets);
        }
        changes.sort(Comparator.comparingLong(ChangeRow::at));
    }

    // ------------------------------------------------------------------ registrations

    private void registrations() {
        for (ModelRow m : w.models) {
            Map<String, Object> after = new LinkedHashMap<>();
            after.put("namespace", w.namespaces.get(m.namespace()));
            after.put("name", m.name());
            after.put("description", m.description());
            after.put("createdAt", iso(m.createdAt()));
            change(m.createdAt(), m.id(), NodeType.MODEL, "CREATED", null, after);
            List<TagRow> modelTags = List.of(new TagRow(m.id(), "owner", w.namespaces.get(m.namespace()) + "-ml"),
                    new TagRow(m.id(), "task", m.name().replaceAll(".*-(classifier|ranker|regressor|forecaster|embedder|scorer).*", "$1")));
            tags.addAll(modelTags);
            change(m.createdAt() + MINUTE, m.id(), NodeType.MODEL, "TAGS_SET", tagsJson(List.of()), tagsJson(modelTags));
        }
        for (VersionRow v : w.versions) {
            Map<String, Object> after = new LinkedHashMap<>();
            after.put("model", GlobalId.of(NodeType.MODEL, w.models.get(v.model()).id()));
            after.put("version", v.version());
            after.put("status", "READY");
            after.put("description", v.description());
            after.put("artifact", GlobalId.of(NodeType.ARTIFACT, w.artifacts.get(v.artifact()).id()));
            after.put("run", GlobalId.of(NodeType.RUN, w.runs.get(v.run()).id()));
            after.put("createdAt", iso(v.createdAt()));
            change(v.createdAt(), v.id(), NodeType.MODEL_VERSION, "CREATED", null, after);
            TagRow framework = new TagRow(v.id(), "framework", w.frameworks.get(v.model()).name());
            tags.add(framework);
            change(v.createdAt(), v.id(), NodeType.MODEL_VERSION, "TAGS_SET", tagsJson(List.of()), tagsJson(List.of(framework)));
        }
    }

    // ------------------------------------------------------------------ deployments

    /** One environment/target of a model and its deployments, oldest first. */
    private record Target(String environment, String name, List<Integer> deployments) {
    }

    private List<Target> deploy(int m, int count) {
        ModelRow model = w.models.get(m);
        List<String> envs = count >= 12 ? List.of("staging", "prod-eu", "prod-us") : count >= 4 ? List.of("staging", "prod-eu") : List.of("prod-eu");
        double[] share = envs.size() == 3 ? new double[] {0.45, 0.3, 0.25} : envs.size() == 2 ? new double[] {0.45, 0.55} : new double[] {1};
        int[] perTarget = Draw.allocate(count, share, 1);
        List<Target> targets = new ArrayList<>();
        for (int t = 0; t < envs.size(); t++) {
            targets.add(deployTarget(m, model, envs.get(t), perTarget[t]));
        }
        return targets;
    }

    private Target deployTarget(int m, ModelRow model, String env, int count) {
        boolean staging = env.equals("staging");
        List<Integer> versions = byModel.get(m);
        long delay = staging ? 30 * MINUTE : Workload.DAY;
        long first = w.versions.get(versions.get(0)).createdAt();
        long[] times = draw.sortedTimes(count, first + delay, Workload.END - HOUR);
        for (int i = 1; i < count; i++) {
            times[i] = Math.max(times[i], times[i - 1] + 10 * MINUTE);
        }
        for (int i = count - 2; i >= 0 && times[count - 1] >= Workload.END - HOUR; i--) {
            times[i] = Math.min(times[i], times[i + 1] - 10 * MINUTE);
        }
        String target = model.name() + "-api";
        String ns = w.namespaces.get(model.namespace());
        List<Plan> plans = new ArrayList<>();
        int serving = -1;
        int servedBefore = -1;
        for (int k = 0; k < count; k++) {
            long t = Math.min(times[k], Workload.END - MINUTE);
            int version = latestVersion(versions, t - delay);
            if (version < 0) {
                version = latestVersion(versions, t);
                if (version < 0) {
                    throw new IllegalStateException("no version of " + model.name() + " to deploy at " + iso(t));
                }
            }
            boolean canary = false;
            if (!staging && k >= 2 && servedBefore >= 0 && draw.chance(0.06)) {
                version = servedBefore; // rollback
            } else if (!staging && serving >= 0 && version != serving && draw.chance(0.08)) {
                canary = true;
            }
            boolean failed = !canary && draw.chance(0.03);
            plans.add(new Plan(t, version, canary, failed));
            if (!canary && !failed && version != serving) {
                servedBefore = serving;
                serving = version;
            }
        }
        Target result = new Target(env, target, new ArrayList<>());
        for (int k = 0; k < plans.size(); k++) {
            Plan p = plans.get(k);
            long nextReplacing = Long.MAX_VALUE;
            for (int j = k + 1; j < plans.size(); j++) {
                if (!plans.get(j).canary) {
                    nextReplacing = plans.get(j).start;
                    break;
                }
            }
            long end;
            DeploymentStatus status;
            if (p.canary) {
                end = Math.min(nextReplacing, p.start + draw.between(2 * HOUR, 6 * HOUR));
                status = DeploymentStatus.ENDED;
            } else if (p.failed) {
                end = Math.min(nextReplacing, p.start + draw.between(2 * MINUTE, 20 * MINUTE));
                status = DeploymentStatus.FAILED;
            } else if (nextReplacing != Long.MAX_VALUE) {
                end = nextReplacing;
                status = DeploymentStatus.ENDED;
            } else if (plans.size() > 1 && draw.chance(0.05)) {
                end = draw.between(p.start + HOUR, Workload.END - 1); // the target was switched off
                status = DeploymentStatus.ENDED;
            } else {
                end = Long.MAX_VALUE;
                status = DeploymentStatus.ACTIVE;
            }
            Long ended = end >= Workload.END ? null : end;
            if (ended == null) {
                status = DeploymentStatus.ACTIVE;
            }
            VersionRow v = w.versions.get(p.version);
            Double traffic = p.canary ? Double.valueOf(10.0) : draw.chance(0.2) ? Double.valueOf(100.0) : null;
            int replicas = p.canary ? 1 : staging ? draw.between(1, 2) : draw.between(2, 12);
            String config = "{\"image\": \"registry.acme.io/" + model.name() + ":" + v.version() + "\", \"cpu\": \"" + draw.between(1, 8)
                    + "\", \"memory\": \"" + (1 << draw.between(0, 5)) + "Gi\"}";
            String by = draw.chance(0.7) ? "argo-cd" : draw.pick(Vocabulary.USERS) + "@acme.io";
            DeploymentRow d = new DeploymentRow(Ids.deployment(ns, result.environment(), target, v.id(), time(p.start)), model.namespace(),
                    result.environment(), target, p.version, status, traffic, replicas, config, by, p.start, ended);
            result.deployments().add(deployments.size());
            deployments.add(d);
            logDeployment(d, ns, v);
        }
        return result;
    }

    private record Plan(long start, int version, boolean canary, boolean failed) {
    }

    private int latestVersion(List<Integer> versions, long t) {
        int found = -1;
        for (int v : versions) {
            if (w.versions.get(v).createdAt() <= t) {
                found = v;
            } else {
                break;
            }
        }
        return found;
    }

    private void logDeployment(DeploymentRow d, String ns, VersionRow v) {
        Map<String, Object> started = new LinkedHashMap<>();
        started.put("namespace", ns);
        started.put("environment", d.environment());
        started.put("target", d.target());
        started.put("modelVersion", GlobalId.of(NodeType.MODEL_VERSION, v.id()));
        started.put("status", "ACTIVE");
        started.put("trafficPercent", d.trafficPercent());
        started.put("replicas", d.replicas());
        try {
            started.put("config", JSON.readValue(d.config(), Map.class));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        started.put("deployedBy", d.deployedBy());
        started.put("startedAt", iso(d.startedAt()));
        started.put("endedAt", null);
        change(d.startedAt(), d.id(), NodeType.DEPLOYMENT, "DEPLOYMENT_STARTED", null, started);
        if (d.endedAt() != null) {
            Map<String, Object> before = new LinkedHashMap<>();
            before.put("endedAt", null);
            before.put("status", "ACTIVE");
            Map<String, Object> after = new LinkedHashMap<>();
            after.put("endedAt", iso(d.endedAt()));
            after.put("status", d.status().name());
            change(d.endedAt(), d.id(), NodeType.DEPLOYMENT, "DEPLOYMENT_ENDED", before, after);
        }
    }

    // ------------------------------------------------------------------ aliases

    /**
     * staging follows the staging deployments (or every new version), production the rollouts of the
     * first production target (or, without one, a promotion now and then), champion is moved by hand.
     */
    private void aliases(int m, List<Target> targets) {
        List<Integer> versions = byModel.get(m);
        List<AliasEventRow> events = new ArrayList<>();
        Target staging = targets.stream().filter(t -> t.environment().equals("staging")).findFirst().orElse(null);
        Target prod = targets.stream().filter(t -> t.environment().startsWith("prod")).findFirst().orElse(null);
        if (staging != null) {
            followDeployments(m, "staging", staging, events);
        } else {
            for (int v : versions) {
                long at = w.versions.get(v).createdAt() + HOUR;
                if (at < Workload.END) {
                    events.add(new AliasEventRow(m, "staging", at, v));
                }
            }
        }
        if (prod != null) {
            followDeployments(m, "production", prod, events);
        } else {
            for (int v : versions) {
                long at = w.versions.get(v).createdAt() + 2 * Workload.DAY;
                if (draw.chance(0.3) && at < Workload.END) {
                    events.add(new AliasEventRow(m, "production", at, v));
                }
            }
        }
        if (draw.chance(0.15)) {
            long first = w.versions.get(versions.get(0)).createdAt();
            int n = draw.between(2, 4);
            for (int i = 0; i < n; i++) {
                long at = draw.between(first + HOUR, Workload.END - 1);
                events.add(new AliasEventRow(m, "champion", at, latestVersion(versions, at)));
            }
        }
        long lastStaging = events.stream().filter(e -> e.name().equals("staging")).mapToLong(AliasEventRow::at).max().orElse(-1);
        if (lastStaging > 0 && draw.chance(0.05)) {
            long at = lastStaging + draw.between(Workload.DAY, 30 * Workload.DAY);
            if (at < Workload.END) {
                events.add(new AliasEventRow(m, "staging", at, -1));
            }
        }
        for (String name : List.of("champion", "production", "staging")) {
            List<AliasEventRow> own = new ArrayList<>(events.stream().filter(e -> e.name().equals(name)).toList());
            own.sort(Comparator.comparingLong(AliasEventRow::at));
            // an alias has one event per instant (the primary key): later ones move on by a second
            for (int i = 1; i < own.size(); i++) {
                if (own.get(i).at() <= own.get(i - 1).at()) {
                    AliasEventRow e = own.get(i);
                    own.set(i, new AliasEventRow(e.model(), e.name(), own.get(i - 1).at() + 1, e.version()));
                }
            }
            aliasEvents.addAll(own);
            intervals(own);
            logAliases(m, own);
        }
    }

    private void followDeployments(int m, String alias, Target target, List<AliasEventRow> events) {
        for (int d : target.deployments()) {
            DeploymentRow row = deployments.get(d);
            if (row.replaces() && row.status() != DeploymentStatus.FAILED) {
                events.add(new AliasEventRow(m, alias, row.startedAt(), row.version()));
            }
        }
    }

    /**
     * The intervals of one alias from its events, ordered by time, as {@code AliasStore.rebuildIntervals}
     * derives them: consecutive events naming the same version make one interval, from its first event
     * to the event after its last; a removal ends an interval and starts none.
     */
    static List<AliasRow> intervalsOf(List<AliasEventRow> events) {
        List<AliasRow> result = new ArrayList<>();
        int i = 0;
        while (i < events.size()) {
            int j = i;
            while (j + 1 < events.size() && events.get(j + 1).version() == events.get(i).version()) {
                j++;
            }
            AliasEventRow first = events.get(i);
            if (first.version() >= 0) {
                Long until = j + 1 < events.size() ? events.get(j + 1).at() : null;
                result.add(new AliasRow(first.model(), first.name(), first.version(), first.at(), until));
            }
            i = j + 1;
        }
        return result;
    }

    private void intervals(List<AliasEventRow> events) {
        aliases.addAll(intervalsOf(events));
    }

    /** ALIAS_SET when the alias moved (setting it to what it already meant logs nothing), ALIAS_REMOVED when it held something. */
    private void logAliases(int m, List<AliasEventRow> events) {
        int before = -1;
        for (AliasEventRow e : events) {
            if (e.version() != before) {
                Map<String, Object> b = new LinkedHashMap<>();
                b.put("alias", e.name());
                b.put("version", before < 0 ? null : w.versions.get(before).version());
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("alias", e.name());
                a.put("version", e.version() < 0 ? null : w.versions.get(e.version()).version());
                a.put("at", iso(e.at()));
                change(e.at(), w.models.get(m).id(), NodeType.MODEL, e.version() < 0 ? "ALIAS_REMOVED" : "ALIAS_SET", b, a);
            }
            before = e.version();
        }
    }

    // ------------------------------------------------------------------ helpers

    private void change(long at, java.util.UUID entity, NodeType type, String action, Map<String, Object> before, Map<String, Object> after) {
        changes.add(new ChangeRow(at, entity, type, action, json(before), json(after)));
    }

    private static Map<String, Object> tagsJson(List<TagRow> list) {
        Map<String, Object> m = new LinkedHashMap<>();
        list.stream().sorted(Comparator.comparing(TagRow::key)).forEach(t -> m.put(t.key(), t.value()));
        return Map.of("tags", m);
    }

    private static String json(Map<String, Object> m) {
        if (m == null) {
            return null;
        }
        try {
            return JSON.writeValueAsString(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static OffsetDateTime time(long epochSecond) {
        return OffsetDateTime.ofInstant(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC);
    }

    static String iso(long epochSecond) {
        return Times.format(time(epochSecond));
    }
}
