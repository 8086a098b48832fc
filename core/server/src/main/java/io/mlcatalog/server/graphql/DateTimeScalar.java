package io.mlcatalog.server.graphql;

import graphql.GraphQLContext;
import graphql.execution.CoercedVariables;
import graphql.language.Value;
import graphql.scalars.ExtendedScalars;
import graphql.schema.Coercing;
import graphql.schema.GraphQLScalarType;
import io.mlcatalog.server.model.Times;

import java.time.OffsetDateTime;
import java.util.Locale;

/**
 * The {@code DateTime} scalar: read as graphql-java-extended-scalars reads it, written with the
 * microseconds the catalog stores. The extended scalar writes milliseconds only, so a time a client
 * read and sent back (an alias's {@code since} as {@code asOf}, a deployment's {@code startedAt} as
 * {@code at}) named an earlier instant than the stored one.
 */
final class DateTimeScalar {
    static final GraphQLScalarType TYPE = ExtendedScalars.DateTime.transform(b -> b.coercing(new MicrosecondCoercing()));

    private DateTimeScalar() {
    }

    @SuppressWarnings("unchecked")
    private static final class MicrosecondCoercing implements Coercing<OffsetDateTime, String> {
        private final Coercing<OffsetDateTime, String> standard = (Coercing<OffsetDateTime, String>) ExtendedScalars.DateTime.getCoercing();

        @Override
        public String serialize(Object value, GraphQLContext context, Locale locale) {
            return value instanceof OffsetDateTime t ? Times.format(t) : standard.serialize(value, context, locale);
        }

        @Override
        public OffsetDateTime parseValue(Object input, GraphQLContext context, Locale locale) {
            return standard.parseValue(input, context, locale);
        }

        @Override
        public OffsetDateTime parseLiteral(Value<?> input, CoercedVariables variables, GraphQLContext context, Locale locale) {
            return standard.parseLiteral(input, variables, context, locale);
        }

        @Override
        public Value<?> valueToLiteral(Object input, GraphQLContext context, Locale locale) {
            return standard.valueToLiteral(input, context, locale);
        }
    }
}
