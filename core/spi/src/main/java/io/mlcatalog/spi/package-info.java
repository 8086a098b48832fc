package io.mlcatalog.spi;
