package io.mlcatalog.server.graphql;

import graphql.ExecutionInput;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.GraphQLError;
import graphql.ParseAndValidate;
import graphql.execution.AsyncExecutionStrategy;
import graphql.execution.AsyncSerialExecutionStrategy;
import graphql.execution.instrumentation.dataloader.DataLoaderDispatchingContextKeys;
import graphql.execution.preparsed.PreparsedDocumentEntry;
import graphql.language.Document;
import graphql.language.Field;
import graphql.language.NodeVisitorStub;
import graphql.language.NodeTraverser;
import graphql.language.OperationDefinition;
import graphql.parser.InvalidSyntaxException;
import graphql.parser.exceptions.ParseCancelledException;
import graphql.parser.exceptions.ParseCancelledTooDeepException;
import graphql.parser.exceptions.ParseCancelledTooManyCharsException;
import graphql.parser.Parser;
import graphql.parser.ParserEnvironment;
import graphql.parser.ParserOptions;
import graphql.scalars.ExtendedScalars;
import graphql.schema.GraphQLSchema;
import graphql.schema.idl.RuntimeWiring;
import graphql.schema.idl.SchemaGenerator;
import graphql.schema.idl.SchemaParser;
import graphql.schema.idl.TypeDefinitionRegistry;
import graphql.util.TraversalControl;
import graphql.util.TraverserContext;
import graphql.validation.QueryComplexityLimits;
import graphql.validation.ValidationError;
import graphql.introspection.Introspection;
import io.mlcatalog.server.auth.Principal;
import io.mlcatalog.server.config.Limits;
import io.mlcatalog.server.model.Source;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import static java.util.Objects.requireNonNull;

/**
 * The GraphQL engine: the schema from {@code schema/*.graphqls} on the classpath wired to the stores,
 * and the checks every document passes before it runs (parser limits, aliases, depth, complexity).
 * Parsed and validated documents are cached by their text: dashboards send the same queries again and again.
 */
public final class GraphQLService {
    /** The schema files, one per area, in the order they are read. */
    public static final List<String> SCHEMA_FILES = List.of("common", "runs", "artifacts", "models", "deployments", "lineage", "plugins", "access",
            "events", "webhooks");

    private static final String PREPARED = "mlcatalog.prepared";
    private static final int CACHED_QUERY_MAX_CHARS = 64 * 1024;

    private final GraphQLSchema schema;
    private final GraphQL graphql;
    private final Limits limits;
    private final boolean introspection;
    private final Loaders loaders;
    private final Map<String, Prepared> cache = Collections.synchronizedMap(new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Prepared> eldest) {
            return size() > 500;
        }
    });

    public GraphQLService(Limits limits, Loaders loaders, Consumer<RuntimeWiring.Builder> wiring) {
        this(limits, loaders, wiring, true);
    }

    /** @param introspection whether {@code __schema} and {@code __type} are answered */
    public GraphQLService(Limits limits, Loaders loaders, Consumer<RuntimeWiring.Builder> wiring, boolean introspection) {
        this.introspection = introspection;
        this.limits = requireNonNull(limits, "limits is null");
        this.loaders = requireNonNull(loaders, "loaders is null");
        RuntimeWiring.Builder w = RuntimeWiring.newRuntimeWiring()
                .scalar(DateTimeScalar.TYPE)
                .scalar(ExtendedScalars.Json)
                .scalar(ExtendedScalars.GraphQLLong);
        wiring.accept(w);
        this.schema = new SchemaGenerator().makeExecutableSchema(loadSchema(), w.build());
        Errors errors = new Errors();
        this.graphql = GraphQL.newGraphQL(schema)
                .queryExecutionStrategy(new AsyncExecutionStrategy(errors))
                .mutationExecutionStrategy(new AsyncSerialExecutionStrategy(errors))
                .subscriptionExecutionStrategy(new graphql.execution.SubscriptionExecutionStrategy(errors))
                .instrumentation(new ComplexityLimit(limits.maxComplexity()))
                // the HTTP layer parsed and validated the document already (see prepare)
                .preparsedDocumentProvider((input, parseAndValidate) ->
                        CompletableFuture.completedFuture(input.getGraphQLContext().get(PREPARED)))
                .build();
    }

    public GraphQLSchema schema() {
        return schema;
    }

    /** A document parsed and validated, or the errors that stop it from running. */
    public record Prepared(Document document, List<GraphQLError> errors) {
        public boolean ok() {
            return errors.isEmpty();
        }

        PreparsedDocumentEntry entry() {
            return ok() ? new PreparsedDocumentEntry(document) : new PreparsedDocumentEntry(errors);
        }

        /** The operation that {@code operationName} selects, or null when none or several match. */
        public OperationDefinition operation(String operationName) {
            List<OperationDefinition> ops = document.getDefinitionsOfType(OperationDefinition.class);
            if (operationName == null) {
                return ops.size() == 1 ? ops.get(0) : null;
            }
            return ops.stream().filter(o -> operationName.equals(o.getName())).findFirst().orElse(null);
        }
    }

    /** Parses and validates {@code query} under the limits; cached. */
    public Prepared prepare(String query) {
        if (query.length() > CACHED_QUERY_MAX_CHARS) {
            return parseAndValidate(query);
        }
        Prepared p = cache.get(query);
        if (p == null) {
            p = parseAndValidate(query);
            cache.put(query, p);
        }
        return p;
    }

    private Prepared parseAndValidate(String query) {
        Document document;
        try {
            ParserOptions options = ParserOptions.getDefaultOperationParserOptions().transform(o -> o
                    .maxTokens(limits.maxTokens())
                    .maxCharacters((int) Math.min(Integer.MAX_VALUE, limits.maxBodyBytes()))
                    .captureIgnoredChars(false));
            document = new Parser().parseDocument(ParserEnvironment.newParserEnvironment().document(query).parserOptions(options).build());
        } catch (ParseCancelledException | ParseCancelledTooDeepException | ParseCancelledTooManyCharsException e) {
            return new Prepared(null, List.of(Errors.limitExceeded("the document is too large: " + e.getMessage())));
        } catch (InvalidSyntaxException e) {
            return new Prepared(null, List.of(e.toInvalidSyntaxError()));
        }
        int aliases = countAliases(document);
        if (aliases > limits.maxAliases()) {
            return new Prepared(null, List.of(Errors.limitExceeded("the document has " + aliases + " aliases; at most "
                    + limits.maxAliases() + " are allowed")));
        }
        QueryComplexityLimits validationLimits = QueryComplexityLimits.newLimits()
                .maxDepth(limits.maxDepth())
                .maxFieldsCount(Math.max(limits.maxComplexity(), 1000))
                .build();
        List<ValidationError> invalid = ParseAndValidate.validate(schema, document, rule -> true, Locale.ENGLISH, validationLimits);
        return new Prepared(document, List.copyOf(invalid));
    }

    private static int countAliases(Document document) {
        AtomicInteger count = new AtomicInteger();
        new NodeTraverser().preOrder(new NodeVisitorStub() {
            @Override
            public TraversalControl visitField(Field node, TraverserContext<graphql.language.Node> context) {
                if (node.getAlias() != null) {
                    count.incrementAndGet();
                }
                return TraversalControl.CONTINUE;
            }
        }, document);
        return count.get();
    }

    /** Runs a prepared document for {@code source}, with a fresh set of DataLoaders, in a catalog without access control. */
    public CompletableFuture<ExecutionResult> execute(String query, Prepared prepared, String operationName,
                                                      Map<String, Object> variables, Source source) {
        return execute(query, prepared, operationName, variables, source, Principal.OPEN);
    }

    /**
     * Runs a prepared document for {@code principal}: every field sees only the namespaces it may read, and every
     * mutation writes as {@code source} (which carries what the principal may write).
     */
    public CompletableFuture<ExecutionResult> execute(String query, Prepared prepared, String operationName,
                                                      Map<String, Object> variables, Source source, Principal principal) {
        return execute(query, prepared, operationName, variables, source, principal, null);
    }

    /** As above, charging the query's cost to {@code meter} (null: no budget) before any field runs. */
    public CompletableFuture<ExecutionResult> execute(String query, Prepared prepared, String operationName,
                                                      Map<String, Object> variables, Source source, Principal principal, CostMeter meter) {
        return execute(query, prepared, operationName, variables, source, principal, meter, null);
    }

    /**
     * As above; {@code principalNow} tells who asks at a later moment (for a subscription's events: a token revoked
     * meanwhile throws), null for a request answered at once.
     */
    public CompletableFuture<ExecutionResult> execute(String query, Prepared prepared, String operationName, Map<String, Object> variables,
                                                      Source source, Principal principal, CostMeter meter,
                                                      java.util.function.Supplier<Principal> principalNow) {
        Map<Object, Object> context = new LinkedHashMap<>();
        if (principalNow != null) {
            context.put(EventWiring.PRINCIPAL_NOW, principalNow);
        }
        if (meter != null) {
            context.put(CostMeter.KEY, meter);
        }
        context.put(PREPARED, prepared.entry());
        context.put(Args.SOURCE, source);
        context.put(Args.PRINCIPAL, principal);
        if (!introspection) {
            context.put(Introspection.INTROSPECTION_DISABLED, true);
        }
        // Fetchers complete on the event loop, after SQL returns, and some load in two steps (an alias,
        // then its version): dispatch whenever no fetcher or batch is running, not per level.
        context.put(DataLoaderDispatchingContextKeys.ENABLE_DATA_LOADER_EXHAUSTED_DISPATCHING, true);
        ExecutionInput input = ExecutionInput.newExecutionInput(query)
                .operationName(operationName)
                .variables(variables == null ? Map.of() : variables)
                .graphQLContext(context)
                .dataLoaderRegistry(loaders.newRegistry(principal.access()))
                .build();
        return graphql.executeAsync(input);
    }

    private static TypeDefinitionRegistry loadSchema() {
        TypeDefinitionRegistry registry = new TypeDefinitionRegistry();
        SchemaParser parser = new SchemaParser();
        for (String name : SCHEMA_FILES) {
            String path = "schema/" + name + ".graphqls";
            try (InputStream in = GraphQLService.class.getClassLoader().getResourceAsStream(path)) {
                if (in == null) {
                    throw new IllegalStateException("schema file " + path + " is missing from the classpath");
                }
                registry.merge(parser.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return registry;
    }
}
