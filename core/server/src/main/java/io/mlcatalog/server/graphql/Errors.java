package io.mlcatalog.server.graphql;

import graphql.ErrorClassification;
import graphql.ErrorType;
import graphql.GraphQLError;
import graphql.GraphqlErrorBuilder;
import graphql.execution.DataFetcherExceptionHandler;
import graphql.execution.DataFetcherExceptionHandlerParameters;
import graphql.execution.DataFetcherExceptionHandlerResult;
import graphql.validation.ValidationError;
import graphql.validation.ValidationErrorType;
import io.mlcatalog.server.model.CatalogException;
import io.mlcatalog.server.model.ErrorCode;
import io.vertx.pgclient.PgException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns every failure into an error a client can act on: a message, {@code extensions.code} and, for bad
 * input, {@code extensions.field}. Never a stack trace or SQL text: an unexpected failure is logged
 * with an id, and the client gets that id.
 */
public final class Errors implements DataFetcherExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(Errors.class);
    private static final Pattern VARIABLE = Pattern.compile("[Vv]ariable '([^']+)'");
    /** How graphql-java's validation names a literal argument it refuses: {@code argument 'input.status'}. */
    private static final Pattern ARGUMENT = Pattern.compile("argument '([^']+)'");

    @Override
    public CompletableFuture<DataFetcherExceptionHandlerResult> handleException(DataFetcherExceptionHandlerParameters params) {
        Throwable e = unwrap(params.getException());
        GraphQLError error = toError(e, params.getPath().toList(), params.getSourceLocation());
        return CompletableFuture.completedFuture(DataFetcherExceptionHandlerResult.newResult(error).build());
    }

    private static GraphQLError toError(Throwable e, java.util.List<Object> path, graphql.language.SourceLocation location) {
        GraphqlErrorBuilder<?> b = GraphqlErrorBuilder.newError().path(path).location(location);
        if (e instanceof CatalogException ce) {
            return b.message(ce.getMessage()).errorType(ErrorType.DataFetchingException)
                    .extensions(extensions(ce.code(), ce.field())).build();
        }
        if (e instanceof PgException pg) {
            String state = pg.getSqlState();
            if ("57014".equals(state)) {
                return b.message("the query took longer than the database statement timeout; narrow it (filters, smaller first)")
                        .errorType(ErrorType.DataFetchingException).extensions(extensions(ErrorCode.LIMIT_EXCEEDED, null)).build();
            }
            if ("22021".equals(state)) {
                // PostgreSQL text cannot hold NUL: a value no check saw (a filter, a lookup) reached a statement
                return b.message("an argument contains a NUL character (\\u0000), which the catalog can neither store nor search for")
                        .errorType(ErrorType.DataFetchingException).extensions(extensions(ErrorCode.BAD_USER_INPUT, null)).build();
            }
            if ("40001".equals(state) || "40P01".equals(state) || "23505".equals(state)) {
                return b.message("a concurrent write to the same records won; retry the request")
                        .errorType(ErrorType.DataFetchingException).extensions(extensions(ErrorCode.CONFLICT, null)).build();
            }
        }
        String id = UUID.randomUUID().toString();
        log.error("internal error {} at {}", id, path, e);
        return b.message("internal error (id " + id + "); the server log has the details")
                .errorType(ErrorType.DataFetchingException).extensions(extensions(ErrorCode.INTERNAL_ERROR, null)).build();
    }

    /** An error for a limit the request exceeds. */
    public static GraphQLError limitExceeded(String message) {
        return GraphqlErrorBuilder.newError().message(message).errorType(ErrorType.ExecutionAborted)
                .extensions(extensions(ErrorCode.LIMIT_EXCEEDED, null)).build();
    }

    /** An error for a request over its token's budget: the client may try again in {@code retryAfterSeconds}. */
    public static GraphQLError throttled(String message, long retryAfterSeconds) {
        Map<String, Object> ext = extensions(ErrorCode.THROTTLED, null);
        ext.put("retryAfterSeconds", retryAfterSeconds);
        return GraphqlErrorBuilder.newError().message(message).errorType(ErrorType.ExecutionAborted).extensions(ext).build();
    }

    /** An error for an unparseable or invalid request. */
    public static GraphQLError badRequest(String message, String field) {
        return GraphqlErrorBuilder.newError().message(message).errorType(ErrorType.ValidationError)
                .extensions(extensions(ErrorCode.BAD_USER_INPUT, field)).build();
    }

    /**
     * The error as the client sees it: errors graphql-java raised itself (syntax, validation, variable
     * coercion) get a code too.
     */
    public static Map<String, Object> toSpecification(GraphQLError error) {
        Map<String, Object> spec = new LinkedHashMap<>(error.toSpecification());
        @SuppressWarnings("unchecked")
        Map<String, Object> ext = spec.get("extensions") instanceof Map<?, ?> m ? new LinkedHashMap<>((Map<String, Object>) m)
                : new LinkedHashMap<>();
        if (!ext.containsKey("code")) {
            ext.put("code", codeOf(error).name());
            Matcher variable = VARIABLE.matcher(String.valueOf(error.getMessage()));
            Matcher argument = ARGUMENT.matcher(String.valueOf(error.getMessage()));
            if (variable.find() && !ext.containsKey("field")) {
                ext.put("field", variable.group(1));
            } else if (error instanceof ValidationError && argument.find() && !ext.containsKey("field")) {
                // a literal in the document, such as status: DONE: name its path (input.status) as for variables
                ext.put("field", argument.group(1));
            }
        }
        ext.remove("classification");
        spec.put("extensions", ext);
        return spec;
    }

    private static ErrorCode codeOf(GraphQLError error) {
        ErrorClassification c = error.getErrorType();
        if (error instanceof ValidationError v && (v.getValidationErrorType() == ValidationErrorType.MaxQueryDepthExceeded
                || v.getValidationErrorType() == ValidationErrorType.MaxQueryFieldsExceeded
                || v.getValidationErrorType() == ValidationErrorType.MaxValidationErrorsReached)) {
            return ErrorCode.LIMIT_EXCEEDED;
        }
        if (c == ErrorType.ExecutionAborted) {
            return ErrorCode.LIMIT_EXCEEDED;
        }
        if (c == ErrorType.InvalidSyntax || c == ErrorType.ValidationError || c == ErrorType.OperationNotSupported) {
            return ErrorCode.BAD_USER_INPUT;
        }
        return ErrorCode.INTERNAL_ERROR;
    }

    static Map<String, Object> extensions(ErrorCode code, String field) {
        Map<String, Object> ext = new LinkedHashMap<>();
        ext.put("code", code.name());
        if (field != null) {
            ext.put("field", field);
        }
        return ext;
    }

    private static Throwable unwrap(Throwable e) {
        while ((e instanceof CompletionException || e instanceof java.util.concurrent.ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }
}
