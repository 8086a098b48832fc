// Subscribes to the catalog's events with npm's graphql-ws client, as a dashboard does, and prints each result as one
// line of JSON; ends after <count> of them. Run by NpmGraphQLWsIT:
//   node subscribe.mjs <ws url> <token or -> <namespace> <since> <count>
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';

const [url, token, namespace, since, count] = process.argv.slice(2);
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: token === '-' ? {} : { Authorization: `Bearer ${token}` },
  retryAttempts: 0,
});
const query = `subscription($since: Long, $filter: EventFilter) {
  events(since: $since, filter: $filter) { sequence kind namespace run { name status } }
}`;
let received = 0;
try {
  for await (const result of client.iterate({ query, variables: { since: Number(since), filter: { namespace } } })) {
    console.log(JSON.stringify(result));
    if (++received >= Number(count)) {
      break;
    }
  }
} catch (error) {
  // a refusal (a close code, GraphQL errors) is printed for the test to read, not thrown
  const failed = error instanceof Error ? error.message
    : Array.isArray(error) ? JSON.stringify(error)
    : `${error?.code} ${error?.reason}`;
  console.log(JSON.stringify({ failed }));
}
await client.dispose();
