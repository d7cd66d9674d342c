-- The language-model fallback (issue 15). Answers are cached by
-- (content hash, model, prompt version), so a re-run sends nothing; spending
-- is counted per tenant and month (in millionths of a US dollar), so a
-- monthly budget holds.
CREATE TABLE llm_answers (
    cache_key          TEXT PRIMARY KEY,
    content            TEXT NOT NULL,
    prompt_tokens      BIGINT NOT NULL,
    completion_tokens  BIGINT NOT NULL,
    cost_micro_usd     BIGINT NOT NULL,
    created_at         BIGINT NOT NULL
);
CREATE TABLE llm_usage (
    tenant             TEXT NOT NULL,
    month              TEXT NOT NULL,
    calls              BIGINT NOT NULL,
    prompt_tokens      BIGINT NOT NULL,
    completion_tokens  BIGINT NOT NULL,
    cost_micro_usd     BIGINT NOT NULL,
    PRIMARY KEY (tenant, month)
);
-- A tenant's own settings: the fallback off, or its own monthly budget.
CREATE TABLE llm_tenants (
    tenant                    TEXT PRIMARY KEY,
    enabled                   BIGINT NOT NULL,
    monthly_budget_micro_usd  BIGINT
);
