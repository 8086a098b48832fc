package io.mlcatalog.server.model;

/** The kinds of lineage edge. Edges point the way data flows, from cause to effect. */
public enum EdgeKind {
    /** artifact → run: the run read the artifact. */
    CONSUMED(NodeType.ARTIFACT, NodeType.RUN),
    /** run → artifact: the run wrote the artifact. */
    PRODUCED(NodeType.RUN, NodeType.ARTIFACT),
    /** code version → run: the run executed that commit. */
    BUILT_FROM(NodeType.CODE_VERSION, NodeType.RUN),
    /** run → model version: the version was registered from the run. */
    REGISTERED_FROM_RUN(NodeType.RUN, NodeType.MODEL_VERSION),
    /** artifact → model version: the version's model file. */
    REGISTERED_FROM_ARTIFACT(NodeType.ARTIFACT, NodeType.MODEL_VERSION),
    /** model version → deployment: the version was served there. */
    DEPLOYED_AS(NodeType.MODEL_VERSION, NodeType.DEPLOYMENT);

    private final NodeType from;
    private final NodeType to;

    EdgeKind(NodeType from, NodeType to) {
        this.from = from;
        this.to = to;
    }

    public NodeType from() {
        return from;
    }

    public NodeType to() {
        return to;
    }
}
