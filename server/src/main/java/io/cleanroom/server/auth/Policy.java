package io.cleanroom.server.auth;

import io.cleanroom.core.model.Role;
import java.util.Set;

/**
 * Which operations each role may call. An administrator may call everything of its account; an
 * analyst may only run and read protected queries, plus the reads needed to write them
 * (collaborations, memberships, members, schemas, analysis templates, and the differential privacy
 * policy and budget, with PreviewPrivacyImpact).
 */
public final class Policy {
    private static final Set<String> ANALYST = Set.of(
            "StartProtectedQuery", "GetProtectedQuery", "ListProtectedQueries", "UpdateProtectedQuery",
            "ExplainProtectedQuery", "LookupEvents",
            "GetProtectedQueryResult",
            "GetCollaboration", "ListCollaborations", "ListMembers",
            "GetMembership", "ListMemberships",
            "ListSchemas", "GetSchema", "BatchGetSchema", "GetSchemaAnalysisRule", "BatchGetSchemaAnalysisRule",
            "GetAnalysisTemplate", "ListAnalysisTemplates",
            "GetCollaborationAnalysisTemplate", "ListCollaborationAnalysisTemplates",
            "BatchGetCollaborationAnalysisTemplate",
            "GetPrivacyBudgetTemplate", "ListPrivacyBudgetTemplates",
            "GetCollaborationPrivacyBudgetTemplate", "ListCollaborationPrivacyBudgetTemplates",
            "ListPrivacyBudgets", "ListCollaborationPrivacyBudgets", "PreviewPrivacyImpact");

    private Policy() {
    }

    public static boolean allows(Role role, String operation) {
        return switch (role) {
            case ADMINISTRATOR -> true;
            case ANALYST -> ANALYST.contains(operation);
        };
    }
}
