package io.cleanroom.core.service;

/** Service quotas, with AWS's defaults. */
public record Quotas(
        int membersInvitedPerCollaboration,
        int collaborationsCreatedPerAccount,
        int configuredTablesPerAccount,
        int membershipsPerAccount,
        int analysisTemplatesPerMembership,
        int columnsPerAllowlist) {
    public static final Quotas DEFAULTS = new Quotas(5, 10, 250, 100, 25, 100);
}
