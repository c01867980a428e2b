-- Differential privacy (see io.cleanroom.core.store.Kinds.PRIVACY_BUDGET_TEMPLATES, PRIVACY_BUDGETS and
-- PRIVACY_BUDGET_RESERVATIONS). A collaboration has at most one privacy budget template (its
-- differential privacy policy); PrivacyBudgetService checks it and gives the readable message, this
-- unique index is the backstop.
CREATE TABLE privacy_budget_templates (
    id VARCHAR(400) PRIMARY KEY,
    membership_id VARCHAR(400) NOT NULL,
    collaboration_id VARCHAR(400) NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX privacy_budget_templates_membership_id ON privacy_budget_templates (membership_id);
CREATE UNIQUE INDEX privacy_budget_templates_collaboration_id ON privacy_budget_templates (collaboration_id);

-- One budget per collaboration, keyed by the collaboration's id, kept when its template is deleted.
-- Epsilon spent in the current period and held by running queries are exact rationals: numerator
-- and denominator in lowest terms, as decimal text of any length (never a floating-point number).
CREATE TABLE privacy_budgets (
    id VARCHAR(400) PRIMARY KEY,
    spent_numerator VARCHAR(400) NOT NULL,
    spent_denominator VARCHAR(400) NOT NULL,
    reserved_numerator VARCHAR(400) NOT NULL,
    reserved_denominator VARCHAR(400) NOT NULL,
    body TEXT NOT NULL
);

-- What each running query holds, by the query's id, until it is committed or refunded.
CREATE TABLE privacy_budget_reservations (
    id VARCHAR(400) PRIMARY KEY,
    collaboration_id VARCHAR(400) NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX privacy_budget_reservations_collaboration_id ON privacy_budget_reservations (collaboration_id);
