package io.cleanroom.core.model;

/**
 * How a privacy budget refreshes (AWS's PrivacyBudgetTemplateAutoRefresh): CALENDAR_MONTH forgets
 * what was spent before the start of each UTC calendar month; NONE never does.
 */
public enum AutoRefresh {
    CALENDAR_MONTH,
    NONE
}
