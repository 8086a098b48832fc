/**
 * The mlcatalog plugin SPI: what an ingest plugin implements and what the catalog hands it.
 *
 * <p>A plugin is a jar with a {@link io.mlcatalog.spi.Plugin} registered in
 * {@code META-INF/services/io.mlcatalog.spi.Plugin}. It offers
 * <ul>
 *   <li>{@link io.mlcatalog.spi.SourceFactory pull sources}: the host polls them on a schedule, on a
 *       worker thread, and writes what one poll emitted together with its checkpoints in one transaction;</li>
 *   <li>{@link io.mlcatalog.spi.ReceiverFactory push receivers}: the host mounts them under
 *       {@code /ingest/<instance>/…} and hands them each request; they turn it into records.</li>
 * </ul>
 * Records ({@link io.mlcatalog.spi.record}) describe facts: a run, an artifact, a model version,
 * a deployment. The catalog identifies everything by natural keys, so emitting the same record again
 * changes nothing: a source may safely re-emit after a crash.
 *
 * <p>This package depends on the JDK only, on purpose: a plugin's classpath stays its own.
 */
package io.mlcatalog.spi;
