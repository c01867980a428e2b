package io.cleanroom.core;

/**
 * Kinds of resources named in not-found and conflict errors. The first four are AWS's wire enum;
 * the others are sent as they are (SDKs keep unknown enum strings).
 */
public enum ResourceType {
    CONFIGURED_TABLE("Configured table"),
    COLLABORATION("Collaboration"),
    MEMBERSHIP("Membership"),
    CONFIGURED_TABLE_ASSOCIATION("Configured table association"),
    ANALYSIS_RULE("Analysis rule"),
    ANALYSIS_TEMPLATE("Analysis template"),
    PRIVACY_BUDGET_TEMPLATE("Privacy budget template"),
    SCHEMA("Schema"),
    MEMBER("Member"),
    ACCOUNT("Account"),
    ACCESS_KEY("Access key"),
    CATALOG_DATABASE("Database"),
    CATALOG_TABLE("Table"),
    CONNECTION("Connection"),
    RESOURCE("Resource");

    private final String displayName;

    ResourceType(String displayName) {
        this.displayName = displayName;
    }

    public String displayName() {
        return displayName;
    }
}
