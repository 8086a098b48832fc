package io.mlcatalog.server.plugin;

import java.io.IOException;
import java.net.URL;
import java.util.Collections;
import java.util.Enumeration;

/**
 * The parent of every external plugin's class loader: it shows the plugin the JDK and the SPI
 * ({@code io.mlcatalog.spi}) and nothing else of the server, so a plugin brings its own libraries in
 * whatever versions it likes and cannot clash with the server's.
 */
final class SpiOnlyClassLoader extends ClassLoader {
    private static final String SPI = "io.mlcatalog.spi.";
    private final ClassLoader server;

    SpiOnlyClassLoader(ClassLoader server) {
        super("mlcatalog-spi", ClassLoader.getPlatformClassLoader());
        this.server = server;
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (name.startsWith(SPI)) {
            return server.loadClass(name);
        }
        return super.loadClass(name, resolve);
    }

    @Override
    public URL getResource(String name) {
        return name.startsWith(SPI.replace('.', '/')) ? server.getResource(name) : super.getResource(name);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
        return name.startsWith(SPI.replace('.', '/')) ? server.getResources(name) : Collections.emptyEnumeration();
    }
}
