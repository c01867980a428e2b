package io.cleanroom.core.model;

/**
 * AWS's PrivacyBudgetType. Only DIFFERENTIAL_PRIVACY budgets exist here; ACCESS_BUDGET (usage
 * budgets per configured table association) is not supported.
 */
public enum PrivacyBudgetType {
    DIFFERENTIAL_PRIVACY,
    ACCESS_BUDGET
}
