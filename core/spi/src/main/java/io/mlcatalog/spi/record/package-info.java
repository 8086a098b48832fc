/**
 * The facts a plugin reports. Immutable values; the catalog identifies what they describe by natural
 * keys (a run by namespace, name and external id; an artifact by URI and digest; a code version by
 * repository and commit), so a record emitted twice changes nothing.
 *
 * <p>Every record carries {@code externalId}, the fact's id in the plugin's system (kept as provenance:
 * "which plugin instance asserted this, under which id"), and {@code observedAt}, when the plugin saw it
 * (null: when the host received it). Times are {@link java.time.Instant}s. Free-form values (params,
 * metrics, config) are maps of JSON values: String, Number, Boolean, null, List and Map.
 *
 * <p>The catalog validates each record before writing (lengths, URI and digest formats, control
 * characters) and refuses an invalid one with the reason and the field.
 */
package io.mlcatalog.spi.record;
