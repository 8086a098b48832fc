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
                .fieldComplexityCalculator(this::cost)
                .build()
                .calculate();
        if (complexity < 0 || complexity > maxComplexity) {
            throw new AbortExecutionException(List.of(Errors.limitExceeded("the query is more complex than the limit of "
                    + maxComplexity + " allows: select fewer fields or ask for smaller pages (each list multiplies its fields by first)")));
        }
        CostMeter meter = ctx.getGraphQLContext().get(CostMeter.KEY);
        if (meter != null) {
            try {
                meter.charge(complexity);
            } catch (io.mlcatalog.server.auth.Budgets.OverBudget e) {
                throw new AbortExecutionException(List.of(Errors.throttled("this token has used its budget of "
                        + e.status.maximumAvailable() + " " + e.what + " a minute (this query costs " + complexity
                        + "); try again in " + e.retryAfterSeconds + " s", e.retryAfterSeconds)));
            }
        }
        return super.beginExecuteOperation(parameters, state);
    }

    /**
     * A field's cost, saturated just over the limit. graphql-java adds up the costs of sibling fields in an
     * int: uncapped, a few nested lists (100 × 10^8) plus one more field wrapped around to a negative total,
     * and such a query ran. Capped, a sum stays far from overflowing; a negative one means it wrapped.
     */
    int cost(FieldComplexityEnvironment env, int childComplexity) {
        int over = maxComplexity == Integer.MAX_VALUE ? maxComplexity : maxComplexity + 1;
        if (childComplexity < 0) {
            return over;
        }
        Object first = env.getArguments().get("first");
        long multiplier = 1;
        if (first instanceof Integer n) {
            multiplier = Math.max(n, 0);
        } else if (isList(env.getFieldDefinition().getType()) && !"edges".equals(env.getField().getName())) {
            // a connection's edges are bounded by its first, already counted
            multiplier = UNBOUNDED_LIST;
        }
        return (int) Math.min(over, 1 + multiplier * childComplexity);
    }

    private static boolean isList(GraphQLType type) {
        GraphQLType t = type instanceof GraphQLNonNull nn ? nn.getWrappedType() : type;
        return t instanceof GraphQLList;
    }
}
