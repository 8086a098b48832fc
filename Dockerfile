# syntax=docker/dockerfile:1
# The catalog as a container: built from source in one stage, run on a JRE in the next.
# docker-compose.yml runs it beside PostgreSQL 16 (--database-url); no embedded PostgreSQL starts.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
# the Maven repository is cached between builds, so a source change does not download everything again
RUN --mount=type=cache,target=/root/.m2 mvn -q -B package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --home-dir /var/lib/mlcatalog --create-home mlcatalog
COPY --from=build /src/core/dist/target/mlcatalog.jar /opt/mlcatalog/mlcatalog.jar
USER mlcatalog
WORKDIR /var/lib/mlcatalog
EXPOSE 8080
ENV MLCATALOG_HOST=0.0.0.0 MLCATALOG_PORT=8080
ENTRYPOINT ["java", "-Xms64m", "-Xmx512m", "-XX:+UseSerialGC", "-jar", "/opt/mlcatalog/mlcatalog.jar"]
CMD ["serve"]
