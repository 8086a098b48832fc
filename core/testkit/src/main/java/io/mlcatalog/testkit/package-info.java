/**
 * The plugin-author kit: test a source the way the catalog will run it.
 * <ul>
 *   <li>{@link io.mlcatalog.testkit.SourceHarness}: polls a source against a collecting sink, with the
 *       host's checks of settings and records, and commits checkpoints between polls like the host does.
 *       No database; fast.</li>
 *   <li>{@link io.mlcatalog.testkit.TestingCatalog}: a real catalog (the embedded PostgreSQL, the real
 *       server) running your plugin instances from your test classpath; poll them and query the result
 *       over GraphQL, check provenance, and that polling again or replaying changes nothing.</li>
 * </ul>
 */
package io.mlcatalog.testkit;
