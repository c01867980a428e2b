package io.cleanroom.core.service;

/**
 * The resource quotas of AWS Clean Rooms that Cleanroom enforces, each with AWS's name (which
 * ServiceQuotaExceededException carries), the key of its server option ({@code --quota-KEY},
 * {@code CLEANROOM_QUOTA_KEY}) and AWS's default. Request-rate quotas are not among them: the
 * server does not limit request rates.
 */
public enum Quota {
    MEMBERS_INVITED_PER_COLLABORATION("Members invited per collaboration", "members-per-collaboration", 5),
    COLLABORATIONS_CREATED_PER_ACCOUNT("Collaborations created per account", "collaborations-per-account", 10),
    MEMBERSHIPS_PER_ACCOUNT("Memberships per account", "memberships-per-account", 100),
    CONFIGURED_TABLES_PER_ACCOUNT("Configured tables per account", "configured-tables-per-account", 250),
    COLUMNS_PER_ALLOWLIST("Columns per configured table allowlist", "columns-per-allowlist", 100),
    ANALYSIS_RULE_SIZE("Analysis rule size", "analysis-rule-bytes", 100 * 1024),
    ANALYSIS_TEMPLATES_PER_MEMBERSHIP("Analysis templates per membership", "analysis-templates-per-membership", 25),
    CONFIGURED_TABLES_PER_QUERY("Configured tables per protected query", "tables-per-query", 15),
    QUERY_TEXT_LENGTH("Query text length", "query-text-bytes", 90 * 1024),
    /** AWS's default is 5 in us-east-1 and 2 in the other Regions; {@link #defaultValue(String)} says which. */
    CONCURRENT_QUERIES_PER_ACCOUNT("Concurrent SQL queries per account", "concurrent-queries-per-account", 5),
    CONCURRENT_QUERIES_PER_MEMBERSHIP("Concurrent ongoing queries per membership",
            "concurrent-queries-per-membership", 5);

    private final String awsName;
    private final String key;
    private final int defaultValue;

    Quota(String awsName, String key, int defaultValue) {
        this.awsName = awsName;
        this.key = key;
        this.defaultValue = defaultValue;
    }

    /** The quota's name as AWS gives it, e.g. "Collaborations created per account". */
    public String awsName() {
        return awsName;
    }

    /** The option key, e.g. "collaborations-per-account" for --quota-collaborations-per-account. */
    public String key() {
        return key;
    }

    public String option() {
        return "--quota-" + key;
    }

    public String environmentVariable() {
        return "CLEANROOM_QUOTA_" + key.toUpperCase(java.util.Locale.ROOT).replace('-', '_');
    }

    /** AWS's default in the given region. */
    public int defaultValue(String region) {
        if (this == CONCURRENT_QUERIES_PER_ACCOUNT && !"us-east-1".equals(region)) {
            return 2;
        }
        return defaultValue;
    }
}
