package io.cleanroom.client;

import java.util.List;

/**
 * The AWS Clean Rooms operations Cleanroom serves: name, HTTP method, path template and query
 * parameters, as in the reference. The server routes by it and the CLI builds its commands from it.
 */
public enum Operation {
    CREATE_COLLABORATION("CreateCollaboration", "POST", "/collaborations"),
    LIST_COLLABORATIONS("ListCollaborations", "GET", "/collaborations", "memberStatus", "nextToken", "maxResults"),
    GET_COLLABORATION("GetCollaboration", "GET", "/collaborations/{collaborationIdentifier}"),
    UPDATE_COLLABORATION("UpdateCollaboration", "PATCH", "/collaborations/{collaborationIdentifier}"),
    DELETE_COLLABORATION("DeleteCollaboration", "DELETE", "/collaborations/{collaborationIdentifier}"),
    LIST_MEMBERS("ListMembers", "GET", "/collaborations/{collaborationIdentifier}/members", "nextToken", "maxResults"),
    DELETE_MEMBER("DeleteMember", "DELETE", "/collaborations/{collaborationIdentifier}/member/{accountId}"),
    CREATE_MEMBERSHIP("CreateMembership", "POST", "/memberships"),
    LIST_MEMBERSHIPS("ListMemberships", "GET", "/memberships", "status", "nextToken", "maxResults"),
    GET_MEMBERSHIP("GetMembership", "GET", "/memberships/{membershipIdentifier}"),
    UPDATE_MEMBERSHIP("UpdateMembership", "PATCH", "/memberships/{membershipIdentifier}"),
    DELETE_MEMBERSHIP("DeleteMembership", "DELETE", "/memberships/{membershipIdentifier}"),
    CREATE_CONFIGURED_TABLE("CreateConfiguredTable", "POST", "/configuredTables"),
    LIST_CONFIGURED_TABLES("ListConfiguredTables", "GET", "/configuredTables", "nextToken", "maxResults"),
    GET_CONFIGURED_TABLE("GetConfiguredTable", "GET", "/configuredTables/{configuredTableIdentifier}"),
    UPDATE_CONFIGURED_TABLE("UpdateConfiguredTable", "PATCH", "/configuredTables/{configuredTableIdentifier}"),
    DELETE_CONFIGURED_TABLE("DeleteConfiguredTable", "DELETE", "/configuredTables/{configuredTableIdentifier}"),
    CREATE_CONFIGURED_TABLE_ANALYSIS_RULE("CreateConfiguredTableAnalysisRule", "POST", "/configuredTables/{configuredTableIdentifier}/analysisRule"),
    GET_CONFIGURED_TABLE_ANALYSIS_RULE("GetConfiguredTableAnalysisRule", "GET", "/configuredTables/{configuredTableIdentifier}/analysisRule/{analysisRuleType}"),
    UPDATE_CONFIGURED_TABLE_ANALYSIS_RULE("UpdateConfiguredTableAnalysisRule", "PATCH", "/configuredTables/{configuredTableIdentifier}/analysisRule/{analysisRuleType}"),
    DELETE_CONFIGURED_TABLE_ANALYSIS_RULE("DeleteConfiguredTableAnalysisRule", "DELETE", "/configuredTables/{configuredTableIdentifier}/analysisRule/{analysisRuleType}"),
    CREATE_CONFIGURED_TABLE_ASSOCIATION("CreateConfiguredTableAssociation", "POST", "/memberships/{membershipIdentifier}/configuredTableAssociations"),
    LIST_CONFIGURED_TABLE_ASSOCIATIONS("ListConfiguredTableAssociations", "GET", "/memberships/{membershipIdentifier}/configuredTableAssociations", "nextToken", "maxResults"),
    GET_CONFIGURED_TABLE_ASSOCIATION("GetConfiguredTableAssociation", "GET", "/memberships/{membershipIdentifier}/configuredTableAssociations/{configuredTableAssociationIdentifier}"),
    UPDATE_CONFIGURED_TABLE_ASSOCIATION("UpdateConfiguredTableAssociation", "PATCH", "/memberships/{membershipIdentifier}/configuredTableAssociations/{configuredTableAssociationIdentifier}"),
    DELETE_CONFIGURED_TABLE_ASSOCIATION("DeleteConfiguredTableAssociation", "DELETE", "/memberships/{membershipIdentifier}/configuredTableAssociations/{configuredTableAssociationIdentifier}"),
    CREATE_CONFIGURED_TABLE_ASSOCIATION_ANALYSIS_RULE("CreateConfiguredTableAssociationAnalysisRule", "POST", "/memberships/{membershipIdentifier}/configuredTableAssociations/{configuredTableAssociationIdentifier}/analysisRule"),
    GET_CONFIGURED_TABLE_ASSOCIATION_ANALYSIS_RULE("GetConfiguredTableAssociationAnalysisRule", "GET", "/memberships/{membershipIdentifier}/configuredTableAssociations/{configuredTableAssociationIdentifier}/analysisRule/{analysisRuleType}"),
    UPDATE_CONFIGURED_TABLE_ASSOCIATION_ANALYSIS_RULE("UpdateConfiguredTableAssociationAnalysisRule", "PATCH", "/memberships/{membershipIdentifier}/configuredTableAssociations/{configuredTableAssociationIdentifier}/analysisRule/{analysisRuleType}"),
    DELETE_CONFIGURED_TABLE_ASSOCIATION_ANALYSIS_RULE("DeleteConfiguredTableAssociationAnalysisRule", "DELETE", "/memberships/{membershipIdentifier}/configuredTableAssociations/{configuredTableAssociationIdentifier}/analysisRule/{analysisRuleType}"),
    LIST_SCHEMAS("ListSchemas", "GET", "/collaborations/{collaborationIdentifier}/schemas", "schemaType", "nextToken", "maxResults"),
    GET_SCHEMA("GetSchema", "GET", "/collaborations/{collaborationIdentifier}/schemas/{name}"),
    BATCH_GET_SCHEMA("BatchGetSchema", "POST", "/collaborations/{collaborationIdentifier}/batch-schema"),
    GET_SCHEMA_ANALYSIS_RULE("GetSchemaAnalysisRule", "GET", "/collaborations/{collaborationIdentifier}/schemas/{name}/analysisRule/{type}"),
    BATCH_GET_SCHEMA_ANALYSIS_RULE("BatchGetSchemaAnalysisRule", "POST", "/collaborations/{collaborationIdentifier}/batch-schema-analysis-rule"),
    CREATE_ANALYSIS_TEMPLATE("CreateAnalysisTemplate", "POST", "/memberships/{membershipIdentifier}/analysistemplates"),
    LIST_ANALYSIS_TEMPLATES("ListAnalysisTemplates", "GET", "/memberships/{membershipIdentifier}/analysistemplates", "nextToken", "maxResults"),
    GET_ANALYSIS_TEMPLATE("GetAnalysisTemplate", "GET", "/memberships/{membershipIdentifier}/analysistemplates/{analysisTemplateIdentifier}"),
    UPDATE_ANALYSIS_TEMPLATE("UpdateAnalysisTemplate", "PATCH", "/memberships/{membershipIdentifier}/analysistemplates/{analysisTemplateIdentifier}"),
    DELETE_ANALYSIS_TEMPLATE("DeleteAnalysisTemplate", "DELETE", "/memberships/{membershipIdentifier}/analysistemplates/{analysisTemplateIdentifier}"),
    LIST_COLLABORATION_ANALYSIS_TEMPLATES("ListCollaborationAnalysisTemplates", "GET", "/collaborations/{collaborationIdentifier}/analysistemplates", "nextToken", "maxResults"),
    GET_COLLABORATION_ANALYSIS_TEMPLATE("GetCollaborationAnalysisTemplate", "GET", "/collaborations/{collaborationIdentifier}/analysistemplates/{analysisTemplateArn}"),
    BATCH_GET_COLLABORATION_ANALYSIS_TEMPLATE("BatchGetCollaborationAnalysisTemplate", "POST", "/collaborations/{collaborationIdentifier}/batch-analysistemplates"),
    CREATE_PRIVACY_BUDGET_TEMPLATE("CreatePrivacyBudgetTemplate", "POST",
            "/memberships/{membershipIdentifier}/privacybudgettemplates"),
    LIST_PRIVACY_BUDGET_TEMPLATES("ListPrivacyBudgetTemplates", "GET",
            "/memberships/{membershipIdentifier}/privacybudgettemplates", "nextToken", "maxResults"),
    GET_PRIVACY_BUDGET_TEMPLATE("GetPrivacyBudgetTemplate", "GET",
            "/memberships/{membershipIdentifier}/privacybudgettemplates/{privacyBudgetTemplateIdentifier}"),
    UPDATE_PRIVACY_BUDGET_TEMPLATE("UpdatePrivacyBudgetTemplate", "PATCH",
            "/memberships/{membershipIdentifier}/privacybudgettemplates/{privacyBudgetTemplateIdentifier}"),
    DELETE_PRIVACY_BUDGET_TEMPLATE("DeletePrivacyBudgetTemplate", "DELETE",
            "/memberships/{membershipIdentifier}/privacybudgettemplates/{privacyBudgetTemplateIdentifier}"),
    LIST_COLLABORATION_PRIVACY_BUDGET_TEMPLATES("ListCollaborationPrivacyBudgetTemplates", "GET",
            "/collaborations/{collaborationIdentifier}/privacybudgettemplates", "nextToken", "maxResults"),
    GET_COLLABORATION_PRIVACY_BUDGET_TEMPLATE("GetCollaborationPrivacyBudgetTemplate", "GET",
            "/collaborations/{collaborationIdentifier}/privacybudgettemplates/{privacyBudgetTemplateIdentifier}"),
    LIST_PRIVACY_BUDGETS("ListPrivacyBudgets", "GET", "/memberships/{membershipIdentifier}/privacybudgets",
            "privacyBudgetType", "accessBudgetResourceArn", "nextToken", "maxResults"),
    LIST_COLLABORATION_PRIVACY_BUDGETS("ListCollaborationPrivacyBudgets", "GET",
            "/collaborations/{collaborationIdentifier}/privacybudgets", "privacyBudgetType",
            "accessBudgetResourceArn", "nextToken", "maxResults"),
    PREVIEW_PRIVACY_IMPACT("PreviewPrivacyImpact", "POST", "/memberships/{membershipIdentifier}/previewprivacyimpact"),
    LIST_TAGS_FOR_RESOURCE("ListTagsForResource", "GET", "/tags/{resourceArn}"),
    TAG_RESOURCE("TagResource", "POST", "/tags/{resourceArn}"),
    UNTAG_RESOURCE("UntagResource", "DELETE", "/tags/{resourceArn}", "tagKeys"),
    START_PROTECTED_QUERY("StartProtectedQuery", "POST", "/memberships/{membershipIdentifier}/protectedQueries"),
    LIST_PROTECTED_QUERIES("ListProtectedQueries", "GET", "/memberships/{membershipIdentifier}/protectedQueries",
            "status", "nextToken", "maxResults"),
    GET_PROTECTED_QUERY("GetProtectedQuery", "GET",
            "/memberships/{membershipIdentifier}/protectedQueries/{protectedQueryIdentifier}"),
    UPDATE_PROTECTED_QUERY("UpdateProtectedQuery", "PATCH",
            "/memberships/{membershipIdentifier}/protectedQueries/{protectedQueryIdentifier}"),
    /** Cleanroom's own: read a query's result, for an account that receives it. */
    GET_PROTECTED_QUERY_RESULT("GetProtectedQueryResult", "GET",
            "/memberships/{membershipIdentifier}/protectedQueries/{protectedQueryIdentifier}/result",
            "nextToken", "maxResults"),
    /** Cleanroom's own: the query log of a membership that contributed tables (when logging is enabled). */
    LIST_QUERY_LOGS("ListQueryLogs", "GET", "/memberships/{membershipIdentifier}/queryLogs", "nextToken",
            "maxResults"),
    /** Cleanroom's own: explain how query control decides on a query, without running it. */
    EXPLAIN_PROTECTED_QUERY("ExplainProtectedQuery", "POST",
            "/memberships/{membershipIdentifier}/protectedQueries/explain");

    private final String operationName;
    private final String method;
    private final String template;
    private final List<String> queryParameters;

    Operation(String operationName, String method, String template, String... queryParameters) {
        this.operationName = operationName;
        this.method = method;
        this.template = template;
        this.queryParameters = List.of(queryParameters);
    }

    /** The AWS operation name, e.g. CreateCollaboration. */
    public String operationName() {
        return operationName;
    }

    public String method() {
        return method;
    }

    public String template() {
        return template;
    }

    public List<String> queryParameters() {
        return queryParameters;
    }

    /** Names of the {placeholders} in the path template, in order. */
    public List<String> pathParameters() {
        List<String> out = new java.util.ArrayList<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{(\\w+)}").matcher(template);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
