package io.cleanroom.server.cleanrooms;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cleanroom.core.CleanroomException;
import io.cleanroom.core.model.AccountId;
import io.cleanroom.core.model.ResultFormat;
import io.cleanroom.core.model.S3Output;
import io.cleanroom.server.wire.In;
import io.cleanroom.server.wire.Json;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * The typed request bodies, both ways: a body as a client sends it reads into the record and
 * writes back as the same JSON, and a record written and read again is the same record. And a
 * body that breaks the reference's constraints is refused with every broken field named.
 */
class RequestRoundTripTest {
    private static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text.replace('\'', '"'));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Body to record to body, and record to body to record. */
    private static <R> R roundTrip(String body, Function<In, R> read, Function<R, ObjectNode> write) {
        JsonNode sent = json(body);
        R request = read.apply(In.of(sent));
        assertThat(write.apply(request)).isEqualTo(sent);
        assertThat(read.apply(In.of(write.apply(request)))).isEqualTo(request);
        return request;
    }

    private static List<String> refusedFields(String body, Function<In, ?> read) {
        CleanroomException e = catchThrowableOfType(CleanroomException.class, () -> read.apply(In.of(json(body))));
        assertThat(e).as(body).isNotNull();
        return e.fieldErrors().stream().map(CleanroomException.FieldError::name).toList();
    }

    @Test
    void createCollaboration() {
        Function<In, CreateCollaborationRequest> read = in -> CreateCollaborationRequest.read(in, 10);
        CreateCollaborationRequest full = roundTrip("{'name':'lab','description':'Audience overlap',"
                + "'members':[{'accountId':'222222222222','memberAbilities':['CAN_QUERY','CAN_RECEIVE_RESULTS'],"
                + "'mlMemberAbilities':{'customMLMemberAbilities':['CAN_RECEIVE_MODEL_OUTPUT']},"
                + "'displayName':'advertiser','paymentConfiguration':{'queryCompute':{'isResponsible':true},"
                + "'jobCompute':{'isResponsible':false}}}],'creatorMemberAbilities':[],"
                + "'creatorDisplayName':'publisher','dataEncryptionMetadata':{'allowCleartext':true,"
                + "'allowDuplicates':false,'allowJoinsOnColumnsWithDifferentNames':false,'preserveNulls':true},"
                + "'queryLogStatus':'ENABLED','jobLogStatus':'DISABLED','creatorPaymentConfiguration':"
                + "{'queryCompute':{'isResponsible':false}},'analyticsEngine':'SPARK','isMetricsEnabled':false,"
                + "'allowedResultRegions':['us-east-1'],'autoApprovedChangeRequestTypes':['ADD_MEMBER'],"
                + "'tags':{'team':'ads'}}", read, CreateCollaborationRequest::toJson);
        assertThat(full.members()).singleElement().satisfies(m -> {
            assertThat(m.accountId()).isEqualTo(new AccountId("222222222222"));
            assertThat(m.paymentConfiguration().jobComputeResponsible()).isFalse();
        });
        assertThat(full.toCreate().tags()).containsEntry("team", "ads");
        CreateCollaborationRequest minimal = roundTrip("{'name':'lab','members':[],'creatorMemberAbilities':"
                + "['CAN_QUERY'],'creatorDisplayName':'p','queryLogStatus':'DISABLED'}", read,
                CreateCollaborationRequest::toJson);
        assertThat(minimal.description()).isNull();
        assertThat(minimal.allowedResultRegions()).isNull();
        assertThat(minimal.creatorMLMemberAbilities()).isEmpty();

        assertThat(refusedFields("{'members':[{'accountId':'12','memberAbilities':['CAN_FLY']}],"
                + "'creatorMemberAbilities':[],'creatorDisplayName':'p','queryLogStatus':'SOMETIMES'}", read))
                .containsExactlyInAnyOrder("name", "members[0].accountId", "members[0].memberAbilities[0]",
                        "members[0].displayName", "queryLogStatus");
        assertThat(refusedFields("{'name':'lab','members':[{},{},{}],'creatorMemberAbilities':[],"
                + "'creatorDisplayName':'p','queryLogStatus':'DISABLED'}", in -> CreateCollaborationRequest.read(in,
                2))).containsExactly("members");
    }

    @Test
    void createAndUpdateMembership() {
        CreateMembershipRequest full = roundTrip("{'collaborationIdentifier':"
                + "'0a1b2c3d-0000-4000-8000-000000000001','queryLogStatus':'ENABLED','jobLogStatus':'DISABLED',"
                + "'defaultResultConfiguration':{'outputConfiguration':{'s3':{'resultFormat':'PARQUET',"
                + "'bucket':'results','keyPrefix':'lab/','singleFileOutput':true}},"
                + "'roleArn':'arn:aws:iam::111111111111:role/cleanrooms-results'},"
                + "'paymentConfiguration':{'queryCompute':{'isResponsible':true}},'isMetricsEnabled':true,"
                + "'tags':{'k':'v'}}", CreateMembershipRequest::read, CreateMembershipRequest::toJson);
        assertThat(full.defaultResultConfiguration().s3())
                .isEqualTo(new S3Output(ResultFormat.PARQUET, "results", "lab/", true));
        roundTrip("{'collaborationIdentifier':'0a1b2c3d-0000-4000-8000-000000000001','queryLogStatus':'DISABLED'}",
                CreateMembershipRequest::read, CreateMembershipRequest::toJson);
        UpdateMembershipRequest update = roundTrip("{'queryLogStatus':'ENABLED','defaultResultConfiguration':"
                + "{'outputConfiguration':{'s3':{'resultFormat':'CSV','bucket':'results'}}}}",
                UpdateMembershipRequest::read, UpdateMembershipRequest::toJson);
        assertThat(update.jobLogStatus()).isNull();
        assertThat(roundTrip("{}", UpdateMembershipRequest::read, UpdateMembershipRequest::toJson))
                .isEqualTo(new UpdateMembershipRequest(null, null, null));

        assertThat(refusedFields("{'collaborationIdentifier':'not-a-uuid','queryLogStatus':'ENABLED',"
                + "'defaultResultConfiguration':{'outputConfiguration':{'s3':{'resultFormat':'XML',"
                + "'bucket':'No_Such'}}}}", CreateMembershipRequest::read)).containsExactlyInAnyOrder(
                        "collaborationIdentifier", "defaultResultConfiguration.outputConfiguration.s3.resultFormat",
                        "defaultResultConfiguration.outputConfiguration.s3.bucket");
    }

    @Test
    void createAndUpdateConfiguredTable() {
        Function<In, ConfiguredTableRequest> create = in -> ConfiguredTableRequest.read(in, true, 225);
        ConfiguredTableRequest full = roundTrip("{'name':'publisher_audience','description':'d','tableReference':"
                + "{'glue':{'tableName':'publisher_audience','databaseName':'cleanrooms_lab','region':'us-east-1'}},"
                + "'allowedColumns':['user_id_hash','segment'],'analysisMethod':'DIRECT_QUERY',"
                + "'selectedAnalysisMethods':['DIRECT_QUERY'],'tags':{'k':'v'}}", create,
                ConfiguredTableRequest::toJson);
        assertThat(full.toCreate().tableReference().databaseName()).isEqualTo("cleanrooms_lab");
        // names are kept as the catalog keeps them, in lower case
        assertThat(create.apply(In.of(json("{'name':'t','tableReference':{'glue':{'tableName':'Audience',"
                + "'databaseName':'Lab'}},'allowedColumns':['a'],'analysisMethod':'DIRECT_QUERY'}")))
                .tableReference().tableName()).isEqualTo("audience");
        Function<In, ConfiguredTableRequest> update = in -> ConfiguredTableRequest.read(in, false, 225);
        ConfiguredTableRequest partial = roundTrip("{'allowedColumns':['a','b']}", update,
                ConfiguredTableRequest::toJson);
        assertThat(partial.toUpdate().name()).isNull();
        assertThat(partial.toUpdate().allowedColumns()).containsExactly("a", "b");

        assertThat(refusedFields("{'name':'t','tableReference':{'snowflake':{}},'allowedColumns':['A b','a','a'],"
                + "'analysisMethod':'DIRECT_QUERY'}", create)).containsExactlyInAnyOrder("tableReference.snowflake",
                        "allowedColumns[0]", "allowedColumns");
        assertThat(refusedFields("{}", create)).containsExactlyInAnyOrder("name", "tableReference",
                "allowedColumns", "analysisMethod");
        // a nested shape of the wrong type is a field error, not a failure inside the server
        assertThat(refusedFields("{'name':'t','tableReference':{'glue':'lab.t'},'allowedColumns':['a'],"
                + "'analysisMethod':'DIRECT_QUERY'}", create)).containsExactly("tableReference.glue");
    }

    @Test
    void createAssociation() {
        CreateAssociationRequest request = roundTrip("{'name':'publisher_audience','description':'d',"
                + "'configuredTableIdentifier':'0a1b2c3d-0000-4000-8000-000000000002',"
                + "'roleArn':'arn:aws:iam::111111111111:role/cleanrooms','tags':{'k':'v'}}",
                CreateAssociationRequest::read, CreateAssociationRequest::toJson);
        assertThat(request.toCreate().configuredTableId().value()).isEqualTo("0a1b2c3d-0000-4000-8000-000000000002");
        assertThat(refusedFields("{'name':'-bad','configuredTableIdentifier':'x','roleArn':'role'}",
                CreateAssociationRequest::read)).containsExactlyInAnyOrder("name", "configuredTableIdentifier",
                        "roleArn");
    }

    @Test
    void createAnalysisTemplate() {
        CreateAnalysisTemplateRequest request = roundTrip("{'name':'overlap','description':'d','format':'SQL',"
                + "'source':{'text':'SELECT COUNT(*) FROM t WHERE c = :c'},'analysisParameters':[{'name':'c',"
                + "'type':'VARCHAR','defaultValue':'news'},{'name':'n','type':'INTEGER'}],'tags':{'k':'v'}}",
                CreateAnalysisTemplateRequest::read, CreateAnalysisTemplateRequest::toJson);
        assertThat(request.toCreate().parameters()).hasSize(2);
        roundTrip("{'name':'t','format':'SQL','source':{'text':'SELECT 1'}}", CreateAnalysisTemplateRequest::read,
                CreateAnalysisTemplateRequest::toJson);
        assertThat(refusedFields("{'name':'t','format':'SQL','source':{'artifacts':{}}}",
                CreateAnalysisTemplateRequest::read)).containsExactly("source.artifacts");
    }

    @Test
    void startAndExplainProtectedQuery() {
        StartProtectedQueryRequest sql = roundTrip("{'type':'SQL','sqlParameters':{'queryString':'SELECT 1'}}",
                StartProtectedQueryRequest::read, StartProtectedQueryRequest::toJson);
        assertThat(sql.toStart().memberOutput()).isNull();
        assertThat(sql.toStart().parameters()).isEmpty();
        StartProtectedQueryRequest template = roundTrip("{'type':'SQL','sqlParameters':{'analysisTemplateArn':"
                + "'arn:aws:cleanrooms:us-east-1:111111111111:membership/0a1b2c3d/analysistemplate/4e5f',"
                + "'parameters':{'c':'news'}},'resultConfiguration':{'outputConfiguration':{'member':"
                + "{'accountId':'222222222222'}}}}", StartProtectedQueryRequest::read,
                StartProtectedQueryRequest::toJson);
        assertThat(template.toStart().parameters()).isEqualTo(Map.of("c", "news"));
        assertThat(template.toStart().memberOutput()).isEqualTo(new AccountId("222222222222"));
        StartProtectedQueryRequest s3 = roundTrip("{'type':'SQL','sqlParameters':{'queryString':'SELECT 1'},"
                + "'resultConfiguration':{'outputConfiguration':{'s3':{'resultFormat':'CSV','bucket':'results',"
                + "'keyPrefix':'lab'}}}}", StartProtectedQueryRequest::read, StartProtectedQueryRequest::toJson);
        assertThat(s3.toStart().s3Output()).isEqualTo(new S3Output(ResultFormat.CSV, "results", "lab", null));

        assertThat(refusedFields("{'type':'PYSPARK','sqlParameters':{'queryString':'SELECT 1',"
                + "'analysisTemplateArn':'arn'},'resultConfiguration':{'outputConfiguration':{'member':'me'}}}",
                StartProtectedQueryRequest::read)).containsExactlyInAnyOrder("type", "sqlParameters",
                        "resultConfiguration.outputConfiguration.member");
        assertThat(refusedFields("{'type':'SQL','sqlParameters':{'queryString':'SELECT 1'},'resultConfiguration':"
                + "{'outputConfiguration':{'s3':['results']}}}", StartProtectedQueryRequest::read))
                .containsExactly("resultConfiguration.outputConfiguration.s3");
        assertThat(refusedFields("{'type':'SQL','sqlParameters':{'queryString':'SELECT 1'},'resultConfiguration':"
                + "{'outputConfiguration':{'distribute':{}}}}", StartProtectedQueryRequest::read))
                .containsExactly("resultConfiguration.outputConfiguration.distribute");

        ExplainProtectedQueryRequest explain = roundTrip("{'type':'SQL','sqlParameters':{'queryString':'SELECT 1'}}",
                ExplainProtectedQueryRequest::read, ExplainProtectedQueryRequest::toJson);
        assertThat(explain.queryString()).isEqualTo("SELECT 1");
        assertThat(refusedFields("{'type':'SQL','sqlParameters':{'analysisTemplateArn':'arn'}}",
                ExplainProtectedQueryRequest::read)).containsExactlyInAnyOrder("sqlParameters.analysisTemplateArn",
                        "sqlParameters.queryString");
    }

    @Test
    void privacyBudgetTemplatesAndPreview() {
        CreatePrivacyBudgetTemplateRequest create = roundTrip("{'autoRefresh':'CALENDAR_MONTH',"
                + "'privacyBudgetType':'DIFFERENTIAL_PRIVACY','parameters':{'differentialPrivacy':{'epsilon':10,"
                + "'usersNoisePerQuery':30}},'tags':{'k':'v'}}", CreatePrivacyBudgetTemplateRequest::read,
                CreatePrivacyBudgetTemplateRequest::toJson);
        assertThat(create.toCreate().autoRefresh()).isEqualTo(io.cleanroom.core.model.AutoRefresh.CALENDAR_MONTH);
        assertThat(create.toCreate().epsilon()).isEqualTo(10);
        assertThat(create.toCreate().usersNoisePerQuery()).isEqualTo(30);
        // autoRefresh is optional in AWS's current model; absent, the budget never refreshes
        CreatePrivacyBudgetTemplateRequest plain = roundTrip("{'privacyBudgetType':'DIFFERENTIAL_PRIVACY',"
                + "'parameters':{'differentialPrivacy':{'epsilon':1,'usersNoisePerQuery':100}}}",
                CreatePrivacyBudgetTemplateRequest::read, CreatePrivacyBudgetTemplateRequest::toJson);
        assertThat(plain.toCreate().autoRefresh()).isEqualTo(io.cleanroom.core.model.AutoRefresh.NONE);

        assertThat(refusedFields("{'privacyBudgetType':'ACCESS_BUDGET','autoRefresh':'WEEKLY','parameters':"
                + "{'accessBudget':{'resourceArn':'arn','budgetParameters':[]}}}",
                CreatePrivacyBudgetTemplateRequest::read)).containsExactlyInAnyOrder("privacyBudgetType",
                        "autoRefresh", "parameters.accessBudget");
        assertThat(refusedFields("{'privacyBudgetType':'DIFFERENTIAL_PRIVACY','parameters':{'differentialPrivacy':"
                + "{'epsilon':21,'usersNoisePerQuery':9}}}", CreatePrivacyBudgetTemplateRequest::read))
                .containsExactlyInAnyOrder("parameters.differentialPrivacy.epsilon",
                        "parameters.differentialPrivacy.usersNoisePerQuery");
        assertThat(refusedFields("{'privacyBudgetType':'DIFFERENTIAL_PRIVACY','parameters':{'differentialPrivacy':"
                + "{'epsilon':0}}}", CreatePrivacyBudgetTemplateRequest::read)).containsExactlyInAnyOrder(
                        "parameters.differentialPrivacy.epsilon", "parameters.differentialPrivacy.usersNoisePerQuery");
        assertThat(refusedFields("{}", CreatePrivacyBudgetTemplateRequest::read)).containsExactlyInAnyOrder(
                "privacyBudgetType", "parameters");

        UpdatePrivacyBudgetTemplateRequest update = roundTrip("{'privacyBudgetType':'DIFFERENTIAL_PRIVACY',"
                + "'parameters':{'differentialPrivacy':{'usersNoisePerQuery':50}}}",
                UpdatePrivacyBudgetTemplateRequest::read, UpdatePrivacyBudgetTemplateRequest::toJson);
        assertThat(update.epsilon()).isNull();
        assertThat(update.usersNoisePerQuery()).isEqualTo(50);
        UpdatePrivacyBudgetTemplateRequest nothing = roundTrip("{'privacyBudgetType':'DIFFERENTIAL_PRIVACY'}",
                UpdatePrivacyBudgetTemplateRequest::read, UpdatePrivacyBudgetTemplateRequest::toJson);
        assertThat(nothing.epsilon()).isNull();
        assertThat(refusedFields("{'privacyBudgetType':'ACCESS_BUDGET','parameters':{'differentialPrivacy':"
                + "{'epsilon':30}}}", UpdatePrivacyBudgetTemplateRequest::read)).containsExactlyInAnyOrder(
                        "privacyBudgetType", "parameters.differentialPrivacy.epsilon");

        PreviewPrivacyImpactRequest preview = roundTrip("{'parameters':{'differentialPrivacy':{'epsilon':10,"
                + "'usersNoisePerQuery':30}}}", PreviewPrivacyImpactRequest::read, PreviewPrivacyImpactRequest::toJson);
        assertThat(preview.parameters().epsilon()).isEqualTo(10);
        assertThat(refusedFields("{'parameters':{'differentialPrivacy':{'epsilon':10}}}",
                PreviewPrivacyImpactRequest::read)).containsExactly("parameters.differentialPrivacy.usersNoisePerQuery");
        assertThat(refusedFields("{'parameters':{}}", PreviewPrivacyImpactRequest::read)).containsExactly(
                "parameters");
    }
}
