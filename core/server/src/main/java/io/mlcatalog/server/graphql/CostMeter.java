package io.mlcatalog.server.graphql;

import io.mlcatalog.server.auth.Budgets;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One request's query cost, charged to its token's budget once the cost is known (after validation, before any
 * field runs), and what the response tells the client of it in {@code extensions.cost}.
 */
public final class CostMeter {
    static final String KEY = "mlcatalog.cost";

    private final Budgets budgets;
    private final UUID token;
    private volatile int requested = -1;
    private volatile Budgets.Status status;
    private volatile Budgets.OverBudget refused;

    public CostMeter(Budgets budgets, UUID token) {
        this.budgets = budgets;
        this.token = token;
    }

    /** Charges the cost; throws {@link Budgets.OverBudget} when the budget cannot take it (and nothing is charged). */
    void charge(int cost) {
        requested = cost;
        try {
            status = budgets.charge(token, cost);
        } catch (Budgets.OverBudget e) {
            refused = e;
            status = e.status;
            throw e;
        }
    }

    /** The refusal, when the request was over budget. */
    public Budgets.OverBudget refused() {
        return refused;
    }

    /** {@code extensions.cost}, in Shopify's shape, or null before the cost was computed. */
    public Map<String, Object> extension() {
        if (requested < 0) {
            return null;
        }
        Map<String, Object> cost = new LinkedHashMap<>();
        cost.put("requestedQueryCost", requested);
        if (status != null) {
            Map<String, Object> throttle = new LinkedHashMap<>();
            throttle.put("maximumAvailable", status.maximumAvailable());
            throttle.put("currentlyAvailable", status.currentlyAvailable());
            throttle.put("restoreRate", status.restoreRate());
            cost.put("throttleStatus", throttle);
        }
        return cost;
    }
}
