package io.mlcatalog.plugins.webhook;

/** GitHub's deployment_status webhook payloads, with the fields GitHub sends (trimmed of the many URLs). */
final class GitHubEvents {
    private GitHubEvents() {
    }

    /**
     * A deployment_status event of deployment {@code id} to {@code production} of acme/churn-api.
     *
     * @param payload the deployment's payload, as JSON (an object, or a JSON string)
     */
    static String status(String state, long id, String createdAt, String payload) {
        return """
                {
                  "action": "created",
                  "deployment_status": {
                    "id": %d, "node_id": "DES_kwDOA", "state": "%s", "description": "", "environment": "production",
                    "target_url": "", "log_url": "", "environment_url": "",
                    "created_at": "%s", "updated_at": "%s",
                    "creator": {"login": "github-actions[bot]", "id": 41898282, "type": "Bot"}
                  },
                  "deployment": {
                    "id": %d, "node_id": "DE_kwDOA", "sha": "5a9c4e8f0e1d2c3b4a59687766554433221100ff", "ref": "main",
                    "task": "deploy", "payload": %s, "original_environment": "production", "environment": "production",
                    "description": null, "created_at": "%s", "updated_at": "%s",
                    "creator": {"login": "octocat", "id": 583231, "type": "User"},
                    "transient_environment": false, "production_environment": true
                  },
                  "repository": {"id": 123456, "name": "churn-api", "full_name": "acme/churn-api", "private": true,
                                 "owner": {"login": "acme", "id": 9919, "type": "Organization"}},
                  "organization": {"login": "acme", "id": 9919},
                  "sender": {"login": "octocat", "id": 583231, "type": "User"}
                }""".formatted(id * 10, state, createdAt, createdAt, id, payload, createdAt, createdAt);
    }
}
