/**
 * The intake queue of receivers configured {@code acknowledge: queued}: requests stored when accepted
 * ({@link io.mlcatalog.server.intake.IntakeAppender}, many per transaction), and written to the catalog
 * behind by replaying them through their receiver ({@link io.mlcatalog.server.intake.Intake}).
 */
package io.mlcatalog.server.intake;
