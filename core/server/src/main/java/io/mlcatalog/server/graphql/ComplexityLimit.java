package io.mlcatalog.server.graphql;

import graphql.analysis.FieldComplexityEnvironment;
import graphql.analysis.QueryComplexityCalculator;
import graphql.execution.AbortExecutionException;
import graphql.execution.ExecutionContext;
import graphql.execution.instrumentation.InstrumentationContext;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecuteOperationParameters;
import graphql.schema.GraphQLList;
import graphql.schema.GraphQLNonNull;
import graphql.schema.GraphQLType;
import graphql.ExecutionResult;

import java.util.List;

/**
 * Refuses, before any data is fetched, a query that would select too many fields. A field costs 1
 * plus its children's cost times how many items it returns: {@code first} for a connection, and
 * {@link #UNBOUNDED_LIST} for a plain list (a connection's {@code edges} count once: {@code first} bounds them). Runs after validation, with the request's variables, so
 * {@code first: $n} counts as what {@code $n} is.
 */
final class ComplexityLimit extends SimplePerformantInstrumentation {
    /** What a list without {@code first} (a run's inputs, say) is assumed to hold. */
    static final int UNBOUNDED_LIST = 10;

    private final int maxComplexity;

    ComplexityLimit(int maxComplexity) {
        this.maxComplexity = maxComplexity;
    }

    @Override
    public InstrumentationContext<ExecutionResult> beginExecuteOperation(InstrumentationExecuteOperationParameters parameters,
                                                                        InstrumentationState state) {
        ExecutionContext ctx = parameters.getExecutionContext();
        int complexity = QueryComplexityCalculator.newCalculator()
                .schema(ctx.getGraphQLSchema())
                .document(ctx.getDocument())
                .operationName(ctx.getOperationDefinition().getName())
                .variables(ctx.getCoercedVariables())
                .fieldComplexityCalculator(ComplexityLimit::cost)
                .build()
                .calculate();
        if (complexity > maxComplexity) {
            throw new AbortExecutionException(List.of(Errors.limitExceeded("query complexity " + complexity + " exceeds the limit of "
                    + maxComplexity + ": select fewer fields or ask for smaller pages (each list multiplies its fields by first)")));
        }
        return super.beginExecuteOperation(parameters, state);
    }

    static int cost(FieldComplexityEnvironment env, int childComplexity) {
        Object first = env.getArguments().get("first");
        long multiplier = 1;
        if (first instanceof Integer n) {
            multiplier = Math.max(n, 0);
        } else if (isList(env.getFieldDefinition().getType()) && !"edges".equals(env.getField().getName())) {
            // a connection's edges are bounded by its first, already counted
            multiplier = UNBOUNDED_LIST;
        }
        return (int) Math.min(Integer.MAX_VALUE, 1 + multiplier * childComplexity);
    }

    private static boolean isList(GraphQLType type) {
        GraphQLType t = type instanceof GraphQLNonNull nn ? nn.getWrappedType() : type;
        return t instanceof GraphQLList;
    }
}
