package io.mlcatalog.testkit.testplugin;

import io.mlcatalog.spi.Plugin;
import io.mlcatalog.spi.ReceiverFactory;
import io.mlcatalog.spi.SourceFactory;

import java.util.List;

/**
 * The plugin the testkit's own tests run, found through {@code META-INF/services} as a real one is:
 * a source whose behaviour its settings choose ({@link CountingSource}), and a receiver that turns a
 * JSON body into records ({@link JsonReceiver}).
 */
public final class TestPlugin implements Plugin {

    @Override
    public List<SourceFactory> sources() {
        return List.of(new CountingSource.Factory());
    }

    @Override
    public List<ReceiverFactory> receivers() {
        return List.of(new JsonReceiver.Factory());
    }
}
