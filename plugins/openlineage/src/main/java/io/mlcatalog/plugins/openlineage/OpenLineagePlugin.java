package io.mlcatalog.plugins.openlineage;

import io.mlcatalog.spi.Plugin;
import io.mlcatalog.spi.ReceiverFactory;

import java.util.List;

/** OpenLineage in: run, dataset and job events, as Airflow, Spark, dbt and Flink emit them. */
public final class OpenLineagePlugin implements Plugin {
    @Override
    public List<ReceiverFactory> receivers() {
        return List.of(new OpenLineageReceiverFactory());
    }
}
