// PostGraphile 5 (amber preset, library mode on node:http) over the catalog's database, as a user who
// picked PostGraphile instead of mlcatalog would run it. Started by the dashboard benchmark
// (core/bench, docs/benchmarks.md):
//   node server.mjs --connection postgres://postgres@localhost:PORT/postgres --host 127.0.0.1 --port N
// It prints "postgraphile is listening" once it answers.
import { createServer } from "node:http";
import { parseArgs } from "node:util";
import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/node";
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";
import { jsonPgSmartTags } from "postgraphile/utils";
import { PostGraphileConnectionFilterPreset } from "postgraphile-plugin-connection-filter";

const { values } = parseArgs({
  options: {
    connection: { type: "string" },
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "5678" },
  },
});
if (!values.connection) {
  console.error("usage: node server.mjs --connection postgres://... [--host H] [--port N]");
  process.exit(2);
}

// lineage_edge is polymorphic (from_id and to_id name a run, an artifact, a commit, ...), so the
// database declares no foreign keys on it. These smart tags declare the ones a run's inputs
// (artifact -CONSUMED-> run) and outputs (run -PRODUCED-> artifact) follow, so that PostGraphile
// offers them as relations, each backed by an index of lineage_edge.
const tags = jsonPgSmartTags({
  version: 1,
  config: {
    class: {
      lineage_edge: {
        tags: {
          foreignKey: [
            "(to_id) references run (id)",
            "(from_id) references run (id)",
            "(from_id) references artifact (id)",
            "(to_id) references artifact (id)",
          ],
        },
      },
    },
  },
});

const preset = {
  extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset],
  plugins: [tags],
  // PgIndexBehaviorsPlugin leaves out relations, filters and orders it sees no index for. It does not
  // count partial indexes, so it drops a run's model versions (served by model_version_by_run, where
  // run_id is not null) and a filter on alias.until (alias_current, where until is null), and it drops
  // filters on deployment.ended_at, which the active-at query checks on the rows an index of started_at
  // finds. Every query of the benchmark is served by an index; PostGraphile's docs name this setting.
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  pgServices: [makePgService({ connectionString: values.connection, schemas: ["public"] })],
  grafserv: { graphiql: false, websockets: false },
  grafast: { explain: false },
};

const pgl = postgraphile(preset);
const serv = pgl.createServ(grafserv);
const server = createServer();
server.once("listening", () => {
  server.on("error", (e) => console.error(e));
  console.log(`postgraphile is listening on http://${values.host}:${values.port}/graphql`);
});
serv.addTo(server).catch((e) => {
  console.error(e);
  process.exit(1);
});
// the schema is built before the first request is answered: build it now, so that "listening" means ready
await pgl.getSchema();
server.listen(Number(values.port), values.host);
const stop = () => {
  server.close();
  Promise.resolve(pgl.release()).finally(() => process.exit(0));
  setTimeout(() => process.exit(0), 3000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
